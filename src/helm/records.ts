import { gunzipSync } from 'node:zlib';
import { parseManifests, type HelmHook, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';
import type { ReleaseRecord } from '../plan/sync-plan.js';

/** Where helm keeps its release records (HELM_DRIVER); only secrets and configmaps can be read in bulk through kubectl. */
export type StorageDriver = 'secrets' | 'configmaps' | 'other';

export function storageDriver(env: NodeJS.ProcessEnv): StorageDriver {
  const driver = (env.HELM_DRIVER ?? '').toLowerCase();
  if (driver === '' || driver === 'secret' || driver === 'secrets') return 'secrets';
  if (driver === 'configmap' || driver === 'configmaps') return 'configmaps';
  return 'other';
}

/** A release revision as helm stores it: the record boutique decides from, and the manifest it applied. */
export interface StoredRelease {
  record: ReleaseRecord;
  manifest: string;
  /** The revision's hooks; undefined when read through `helm get manifest`, which leaves them out (see hooksFromHelm). */
  hooks?: HelmHook[];
}

// Labels helm itself puts on a storage object; the rest are `helm upgrade --labels`.
const HELM_STORAGE_LABELS = new Set(['name', 'owner', 'status', 'version', 'modifiedAt', 'createdAt']);

interface HelmReleaseJson {
  name: string;
  namespace: string;
  version: number;
  info?: { status?: string; last_deployed?: string };
  chart?: { metadata?: { name?: string; version?: string; appVersion?: string } };
  manifest?: string;
  hooks?: HelmHook[];
}

/** A release's hooks as helm's JSON holds them (its record, or `helm upgrade --output json`): events may be null. */
export function hooksOfRelease(release: Pick<HelmReleaseJson, 'hooks'>): HelmHook[] {
  return (release.hooks ?? []).map(({ manifest, events }) => ({ manifest, events: events ?? [] }));
}

/**
 * A record's time as `helm get metadata` prints it (Go's time.RFC3339, which drops the fraction): the stored
 * record keeps nanoseconds, and a release must read the same whichever way its record was read.
 */
const wholeSeconds = (time: string): string => time.replace(/\.\d+(?=Z$|[+-]\d\d:\d\d$)/, '');

/**
 * One storage object (Secret `sh.helm.release.v1.NAME.vN`, or the ConfigMap of the configmap driver) decoded as
 * helm does: the release is gzipped JSON in base64, which a Secret's data encodes in base64 once more.
 */
export function decodeStoredRelease(obj: KubeObject, driver: Exclude<StorageDriver, 'other'>): StoredRelease {
  const data = obj.data;
  const encoded = isRecord(data) && typeof data.release === 'string' ? data.release : undefined;
  if (!encoded) throw new Error(`${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name} holds no helm release`);
  const helmEncoded = driver === 'secrets' ? Buffer.from(encoded, 'base64').toString('utf8') : encoded;
  let bytes = Buffer.from(helmEncoded, 'base64');
  // gzip magic number; helm has always compressed, but reads uncompressed records too.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const release = JSON.parse(bytes.toString('utf8')) as HelmReleaseJson;
  const labels = Object.fromEntries(
    Object.entries(obj.metadata.labels ?? {}).filter(([key]) => !HELM_STORAGE_LABELS.has(key)),
  );
  return {
    record: {
      name: release.name,
      namespace: release.namespace,
      revision: release.version,
      status: release.info?.status ?? obj.metadata.labels?.status ?? 'unknown',
      chart: release.chart?.metadata?.name ?? '',
      version: release.chart?.metadata?.version ?? '',
      appVersion: release.chart?.metadata?.appVersion ?? '',
      deployedAt: wholeSeconds(release.info?.last_deployed ?? ''),
      labels,
    },
    manifest: release.manifest ?? '',
    hooks: hooksOfRelease(release),
  };
}

/**
 * The latest revision of each release among storage objects of one namespace, keyed by release name. A release
 * whose latest revision is `uninstalled` (helm uninstall --keep-history) has no record, as helm get would say.
 */
export function latestStoredReleases(
  objects: readonly KubeObject[],
  driver: Exclude<StorageDriver, 'other'>,
): Map<string, StoredRelease> {
  const newest = new Map<string, KubeObject>();
  const revisionOf = (obj: KubeObject) => Number(obj.metadata.labels?.version ?? 0);
  for (const obj of objects) {
    const name = obj.metadata.labels?.name;
    if (!name) continue;
    const current = newest.get(name);
    if (!current || revisionOf(obj) > revisionOf(current)) newest.set(name, obj);
  }
  const latest = new Map<string, StoredRelease>();
  for (const [name, obj] of newest) {
    const stored = decodeStoredRelease(obj, driver);
    if (stored.record.status !== 'uninstalled') latest.set(name, stored);
  }
  return latest;
}

/**
 * `helm get hooks` output as the record holds the hooks: each object with the events of its helm.sh/hook
 * annotation, read as helm reads it (trimmed, lower case, `test-success` as `test`). helm keeps no hook with an
 * event it does not know, so every name here is one.
 */
export function hooksFromHelm(text: string): HelmHook[] {
  return parseManifests(text).map((obj) => ({
    // JSON is YAML that means this very object again: what diff parses is what helm printed.
    manifest: JSON.stringify(obj),
    events: String(obj.metadata.annotations?.['helm.sh/hook'] ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .map((name) => (name === 'test-success' ? 'test' : name)),
  }));
}

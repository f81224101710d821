import { gzipSync } from 'node:zlib';
import type { ClusterDeps } from '../../src/app/deps.js';
import type { Release } from '../../src/config/types.js';
import type { Helm } from '../../src/helm/helm.js';
import type { Kubectl, RecordLabels } from '../../src/helm/kubectl.js';
import { objectNamespace, qualifiedKind, type KubeObject } from '../../src/kube/objects.js';
import type { ReleaseRecord } from '../../src/plan/sync-plan.js';

export interface FakeRelease {
  status?: string;
  labels?: Record<string, string>;
  revision?: number;
  manifest?: string;
}

/** A release record as helm stores it in a Secret: gzipped JSON, base64 twice (once by helm, once by the Secret). */
export function helmStorageSecret(id: string, release: FakeRelease): KubeObject {
  const [namespace, name] = id.split('/') as [string, string];
  const revision = release.revision ?? 1;
  const status = release.status ?? 'deployed';
  const json = {
    name,
    namespace,
    version: revision,
    info: { status, last_deployed: '2026-12-01T10:00:00Z' },
    chart: { metadata: { name: 'c', version: '1.0.0', appVersion: '1' } },
    manifest: release.manifest ?? '',
  };
  const helmEncoded = gzipSync(Buffer.from(JSON.stringify(json))).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `sh.helm.release.v1.${name}.v${revision}`,
      namespace,
      labels: { ...release.labels, name, owner: 'helm', status, version: String(revision) },
    },
    type: 'helm.sh/release.v1',
    data: { release: Buffer.from(helmEncoded).toString('base64') },
  };
}

/**
 * In-memory helm and kubectl for use-case tests: helm's records are Secrets encoded as helm encodes them, live
 * objects a list, and every call that changes the cluster or reads it is recorded, in order (helmfile's
 * exectest.Helm, in spirit).
 */
export function createFakeCluster(
  options: { releases?: Record<string, FakeRelease>; live?: KubeObject[]; inputsHash?: ClusterDeps['inputsHash'] } = {},
) {
  const calls: string[] = [];
  const releases = new Map(Object.entries(options.releases ?? {}));
  const live = [...(options.live ?? [])];
  // Plain objects by namespace/name, with a resourceVersion for compare-and-swap (boutique's lock Lease).
  const objects = new Map<string, KubeObject>();
  let resourceVersion = 0;
  // Watches of helm's records (watchHelmRecords), told of every record an upgrade writes, as the API server would.
  const watchers = new Set<{ namespace: string; onRecord: (record: RecordLabels) => void }>();
  const record = (release: Release): ReleaseRecord | undefined => {
    const stored = releases.get(release.id);
    return (
      stored && {
        name: release.name,
        namespace: release.namespace,
        revision: stored.revision ?? 1,
        status: stored.status ?? 'deployed',
        chart: 'c',
        version: '1.0.0',
        appVersion: '1',
        deployedAt: '',
        labels: stored.labels ?? {},
      }
    );
  };
  const helm: Helm = {
    template: async () => '',
    templateWithCrds: async () => '',
    checkDependencies: () => undefined,
    lint: async () => ({ passed: true, output: '' }),
    plannedManifest: async () => ({ manifest: '', hooks: [] }),
    hooks: async () => [],
    upgrade: async (release: Release, _files: readonly string[], labels: Record<string, string>) => {
      calls.push(`upgrade ${release.id}`);
      const previous = releases.get(release.id);
      const revision = (previous ? (previous.revision ?? 1) : 0) + 1;
      releases.set(release.id, { ...previous, status: 'deployed', labels, revision });
      for (const watcher of watchers)
        if (watcher.namespace === release.namespace)
          watcher.onRecord({ name: release.name, status: 'deployed', revision });
    },
    uninstall: async (release: Release) => {
      calls.push(`uninstall ${release.id}`);
      releases.delete(release.id);
      return { kept: [] };
    },
    find: async (release: Release) => record(release),
    manifest: async (release: Release) => releases.get(release.id)?.manifest ?? '',
    values: async () => ({}),
    history: async () => [],
    rollback: async (release: Release) => {
      calls.push(`rollback ${release.id}`);
    },
  };
  const kubectl: Kubectl = {
    helmStorage: async (namespace, _driver, name) => {
      calls.push(`read storage ${namespace}`);
      return [...releases]
        .filter(([id]) => id === `${namespace}/${name}` || (!name && id.startsWith(`${namespace}/`)))
        .map(([id, release]) => helmStorageSecret(id, release));
    },
    helmRunRecords: async () => [],
    listKinds: async (kinds) => {
      calls.push(`read live ${Object.keys(kinds).join(',')}`);
      return live.filter((obj) => kinds[objectNamespace(obj, '') ?? '']?.includes(qualifiedKind(obj)));
    },
    dryRunApply: async (objects) => [...objects],
    getObject: async ({ namespace, name }) => objects.get(`${namespace}/${name}`),
    listEverywhere: async (apiVersion, kind) =>
      live.filter((obj) => obj.apiVersion === apiVersion && obj.kind === kind),
    waitEstablished: async (crds) => {
      calls.push(`wait established ${crds.join(',')}`);
    },
    createObject: async (obj) => {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (objects.has(key)) return 'exists';
      calls.push(`create ${obj.kind} ${key}`);
      const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++resourceVersion) } };
      objects.set(key, stored);
      return stored;
    },
    replaceObject: async (obj) => {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (objects.get(key)?.metadata.resourceVersion !== obj.metadata.resourceVersion) return 'conflict';
      calls.push(`replace ${obj.kind} ${key}`);
      const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++resourceVersion) } };
      objects.set(key, stored);
      return stored;
    },
    watchHelmRecords: async (namespace, _driver, onRecord) => {
      const watcher = { namespace, onRecord };
      watchers.add(watcher);
      let end = () => {};
      const ended = new Promise<void>((resolve) => (end = resolve));
      return { stop: () => (watchers.delete(watcher), end()), ended };
    },
  };
  const deps: ClusterDeps = {
    helm,
    kubectl,
    inputsHash: options.inputsHash ?? (() => 'hash-1'),
    storageDriver: 'secrets',
  };
  return { deps, calls, objects };
}

import { resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import { ReleaseStateError } from '../errors.js';
import type { Kubectl } from '../helm/kubectl.js';
import { issueAt, type ParsedDocument } from '../config/parse.js';
import type { FileProbe } from '../config/rules.js';
import type { RawReleasesFile, RawSetValue, Release } from '../config/types.js';

/**
 * Secret values that never sit in git (issue 31): a `set` entry's `valueFrom` brings its value in from an
 * environment variable or a file as releases.yaml is loaded (readLocalSources), or from a cluster Secret at run
 * time (resolveClusterSecrets). Either way the entry becomes an ordinary secret set entry (`secret: true`, with its
 * value), which every output, the inputs hash, the render cache and the hand-off to helm already keep out of sight
 * (docs/secrets.md).
 */

/** The values read from the environment and from files, by the raw set entry that asked; or why they cannot be. */
export interface LocalSources {
  values: Map<RawSetValue, string>;
  issues: ConfigIssue[];
}

/** Each set entry as written, with where it is in releases.yaml. */
function writtenEntries(raw: RawReleasesFile): { release: string; entry: Partial<RawSetValue>; at: (string | number)[] }[] {
  return raw.releases.flatMap((release, releaseIndex) =>
    (Array.isArray(release?.set) ? release.set : []).flatMap((entry, setIndex) => (entry && typeof entry === 'object' ? [{ release: String(release.name), entry: entry as Partial<RawSetValue>, at: ['releases', releaseIndex, 'set', setIndex] }] : [])),
  );
}

/** Set entries that give no value, or both a value and valueFrom (the schema allows either alone). */
export function setEntryIssues(raw: RawReleasesFile, parsed: ParsedDocument): ConfigIssue[] {
  return writtenEntries(raw).flatMap(({ entry, at }) => {
    const where = `releases[${at[1]}].set[${at[3]}]`;
    if (entry.valueFrom === undefined) return 'value' in entry ? [] : [issueAt(parsed, at, `${where} is missing the required key "value"`, 'add value:, or valueFrom: { env: VARIABLE } to bring a secret in from elsewhere (docs/releases-yaml.md#secrets), or pass the value with --set NAME=VALUE on the command line')];
    return [
      ...('value' in entry ? [issueAt(parsed, at, `${where} gives both value and valueFrom`, 'keep one: valueFrom brings the value in from elsewhere', 'valueFrom')] : []),
      ...('secret' in entry ? [issueAt(parsed, at, `${where}: a value from valueFrom is always secret`, 'remove secret:', 'secret')] : []),
    ];
  });
}

/**
 * Reads every set entry's environment variable or file (setEntryIssues found nothing). An unset or empty variable
 * and a missing or unreadable file are issues at the entry's line; nothing is contacted. `env`: the run's
 * environment.
 */
export function readLocalSources(raw: RawReleasesFile, parsed: ParsedDocument, options: { baseDir: string; env: NodeJS.ProcessEnv; files: FileProbe }): LocalSources {
  const values = new Map<RawSetValue, string>();
  const issues: ConfigIssue[] = [];
  for (const { release, entry, at } of writtenEntries(raw)) {
    const source = entry.valueFrom;
    if (source && 'env' in source) {
      const value = options.env[source.env];
      if (value === undefined || value === '') {
        issues.push(
          issueAt(parsed, [...at, 'valueFrom', 'env'], `environment variable ${source.env} for ${entry.name} of release ${release} is ${value === undefined ? 'not set' : 'empty'}`, `set ${source.env} in the environment that runs boutique (in CI, from the pipeline's secrets: an undefined CI secret expands to an empty string)`),
        );
      } else values.set(entry as RawSetValue, value);
    } else if (source && 'file' in source) {
      const path = resolve(options.baseDir, source.file);
      let value: string | undefined;
      try {
        value = options.files.isFile(path) ? options.files.readText(path) : undefined;
      } catch {
        value = undefined;
      }
      if (value === undefined) {
        const why = options.files.isDirectory(path) ? 'is a folder' : options.files.isFile(path) ? 'cannot be read' : 'does not exist';
        issues.push(issueAt(parsed, [...at, 'valueFrom', 'file'], `file ${source.file} for ${entry.name} of release ${release} ${why}`, `write the value to ${source.file} (relative to the folder of releases.yaml), and keep it out of git`));
      } else values.set(entry as RawSetValue, value);
    }
  }
  return { values, issues };
}

/**
 * A release's set entry as boutique acts on it: a value brought in from the environment or a file is secret with
 * its value; one from a cluster Secret is secret and unresolved until resolveClusterSecrets reads it.
 */
export function sourcedEntry(entry: RawSetValue, local: ReadonlyMap<RawSetValue, string>): RawSetValue {
  const source = entry.valueFrom;
  if (!source) return entry;
  if ('secret' in source) return { name: entry.name, value: '', secret: true, valueFrom: source, unresolved: true };
  return { name: entry.name, value: local.get(entry)!, secret: true, valueFrom: source };
}

/** The cluster Secret a set entry reads, as `namespace/name`, and its key; undefined for every other entry. */
export function clusterSecretOf(entry: RawSetValue): { namespace: string; name: string; key: string } | undefined {
  const source = entry.valueFrom;
  if (!source || !('secret' in source)) return undefined;
  const [namespace, name] = source.secret.split('/') as [string, string];
  return { namespace, name, key: source.key };
}

/** Where a set entry's value comes from, for messages: `the cluster Secret shop/db (key password)`. */
export function describeSource(entry: RawSetValue): string {
  const source = entry.valueFrom;
  if (!source) return 'releases.yaml';
  if ('env' in source) return `the environment variable ${source.env}`;
  if ('file' in source) return `the file ${source.file}`;
  return `the cluster Secret ${source.secret} (key ${source.key})`;
}

/**
 * The release as lint renders it, without the cluster: each value from a cluster Secret gets a stand-in, which
 * every output masks as the value itself would be.
 */
export function withClusterStandIns(release: Release): Release {
  if (!release.set.some((entry) => entry.unresolved)) return release;
  return { ...release, set: release.set.map((entry) => (entry.unresolved ? { name: entry.name, value: `boutique-stand-in-for-${describeSource(entry).replace(/\W+/g, '-')}`, secret: true, valueFrom: entry.valueFrom } : entry)) };
}

/**
 * Reads the cluster Secrets the releases' set entries name (each Secret once), as Flux's valuesFrom does: the
 * releases come back with those values in place. A Secret or key that is missing, or a Secret that cannot be read,
 * fails the releases that need it, each alone, with what is missing (`errors`); they come back unresolved, and
 * nothing may render them. The one place a run reads them: before it plans (app/changes.ts planChanges).
 */
export async function resolveClusterSecrets(releases: readonly Release[], kubectl: Pick<Kubectl, 'getObject'>): Promise<{ releases: Release[]; errors: Map<string, Error> }> {
  const reads = new Map<string, Promise<Record<string, unknown> | Error | undefined>>();
  const read = (namespace: string, name: string) => {
    const ref = `${namespace}/${name}`;
    if (!reads.has(ref)) {
      reads.set(
        ref,
        kubectl.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name }).then(
          (secret) => (secret ? (((secret as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>) : undefined),
          (error: Error) => error,
        ),
      );
    }
    return reads.get(ref)!;
  };
  const errors = new Map<string, Error>();
  const resolved = await Promise.all(
    releases.map(async (release) => {
      // A release to uninstall needs no values.
      if (!release.installed || !release.set.some((entry) => entry.unresolved)) return release;
      const problems: string[] = [];
      const set = await Promise.all(
        release.set.map(async (entry) => {
          const from = clusterSecretOf(entry);
          if (!from) return entry;
          const data = await read(from.namespace, from.name);
          const encoded = data instanceof Error || data === undefined ? undefined : data[from.key];
          if (typeof encoded === 'string') return { name: entry.name, value: Buffer.from(encoded, 'base64').toString('utf8'), secret: true as const, valueFrom: entry.valueFrom };
          const where = `Secret ${from.namespace}/${from.name}`;
          problems.push(data instanceof Error ? `${entry.name}: cannot read ${where}: ${data.message.split('\n')[0]}` : data === undefined ? `${entry.name}: ${where} does not exist` : `${entry.name}: ${where} has no key "${from.key}"${Object.keys(data).length > 0 ? ` (it has ${Object.keys(data).sort().join(', ')})` : ''}`);
          return entry;
        }),
      );
      if (problems.length === 0) return { ...release, set };
      errors.set(
        release.id,
        new ReleaseStateError(`${release.id}: values from the cluster are missing: ${problems.join('; ')}`, {
          suggestions: ['create the Secret with that key in the target cluster (kubectl create secret generic NAME -n NAMESPACE --from-literal=KEY=...), or fix valueFrom in releases.yaml'],
        }),
      );
      return release;
    }),
  );
  return { releases: resolved, errors };
}

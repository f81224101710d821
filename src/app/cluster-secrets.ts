/**
 * Values from cluster Secrets (issue 31, set entries with `valueFrom: { secret, key }`), read at run time as Flux's
 * valuesFrom reads them; the values from the environment and files are read as releases.yaml loads
 * (config/value-sources.ts).
 */
import { ReleaseStateError } from '../errors.js';
import type { Kubectl } from '../helm/kubectl.js';
import type { RawSetValue, Release } from '../config/types.js';

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
 * The release as a render without its sources sees it (lint, which reads no cluster; diff --base, which compares
 * revisions of the repository): each unread value gets a stand-in named after its source, which every output masks
 * as the value itself would be. The same source gives the same stand-in, so two revisions differ only where a
 * source changed.
 */
export function withStandIns(release: Release): Release {
  if (!release.set.some((entry) => entry.unresolved)) return release;
  return {
    ...release,
    set: release.set.map((entry) =>
      entry.unresolved
        ? {
            name: entry.name,
            value: `boutique-stand-in-for-${describeSource(entry).replace(/\W+/g, '-')}`,
            secret: true,
            valueFrom: entry.valueFrom,
          }
        : entry,
    ),
  };
}

/**
 * Reads the cluster Secrets the releases' set entries name (each Secret once), as Flux's valuesFrom does: the
 * releases come back with those values in place. A Secret or key that is missing, or a Secret that cannot be read,
 * fails the releases that need it, each alone, with what is missing (`errors`); they come back unresolved, and
 * nothing may render them. The one place a run reads them: before it plans (app/changes.ts planChanges).
 */
export async function resolveClusterSecrets(
  releases: readonly Release[],
  kubectl: Pick<Kubectl, 'getObject'>,
): Promise<{ releases: Release[]; errors: Map<string, Error> }> {
  const reads = new Map<string, Promise<Record<string, unknown> | Error | undefined>>();
  const read = (namespace: string, name: string) => {
    const ref = `${namespace}/${name}`;
    if (!reads.has(ref)) {
      reads.set(
        ref,
        kubectl.getObject({ apiVersion: 'v1', kind: 'Secret', namespace, name }).then(
          (secret) =>
            secret
              ? (((secret as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>)
              : undefined,
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
          if (typeof encoded === 'string')
            return {
              name: entry.name,
              value: Buffer.from(encoded, 'base64').toString('utf8'),
              secret: true as const,
              valueFrom: entry.valueFrom,
            };
          const where = `Secret ${from.namespace}/${from.name}`;
          problems.push(
            data instanceof Error
              ? `${entry.name}: cannot read ${where}: ${data.message.split('\n')[0]}`
              : data === undefined
                ? `${entry.name}: ${where} does not exist`
                : `${entry.name}: ${where} has no key "${from.key}"${Object.keys(data).length > 0 ? ` (it has ${Object.keys(data).sort().join(', ')})` : ''}`,
          );
          return entry;
        }),
      );
      if (problems.length === 0) return { ...release, set };
      errors.set(
        release.id,
        new ReleaseStateError(`${release.id}: values from the cluster are missing: ${problems.join('; ')}`, {
          suggestions: [
            'create the Secret with that key in the target cluster (kubectl create secret generic NAME -n NAMESPACE --from-literal=KEY=...), or fix valueFrom in releases.yaml',
          ],
        }),
      );
      return release;
    }),
  );
  return { releases: resolved, errors };
}

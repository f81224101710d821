import type { Release } from '../config/types.js';
import { driftedObjects } from '../diff/drift.js';
import { ClusterUnreachableError } from '../errors.js';
import { latestStoredReleases, type StoredRelease } from '../helm/records.js';
import { coversKinds, kindsByScope, objectKey, type KubeObject } from '../kube/objects.js';
import type { Plan } from '../plan/plan.js';
import { environmentLabel, needsDriftCheck, type ReleaseObservation, type ReleaseRecord } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';
import { notCurrent } from '../health/evaluate.js';
import { releaseHealthRules } from './health-wait.js';
import { mapInOrder } from './pool.js';
import { storedObjects } from './stored-objects.js';
import type { KindsMemory } from './live-kinds.js';

export interface ObserveOptions {
  concurrency: number;
  /** The kinds each namespace's live objects had last time, listed while helm's records are read. */
  kinds: KindsMemory;
  /** The cluster's inputs key (inputs-key.ts), for releases with secret values. */
  inputsKey?: Buffer;
  /** Releases whose values from cluster Secrets could not be read (secrets/sources.ts): blocked, with why. */
  unresolved?: ReadonlyMap<string, Error>;
}

/** What was seen of each release (or why it could not be seen), and helm's stored revision where there is one. */
export interface Observed {
  observations: Map<string, ReleaseObservation>;
  stored: Map<string, StoredRelease>;
  /** Records of this environment's releases that releases.yaml no longer declares (see SyncPlan.orphans). */
  orphans: ReleaseRecord[];
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};

/** helm's latest record of every release: one storage read per namespace, or helm itself for other drivers. */
async function readStoredReleases(
  plan: Plan,
  deps: ClusterDeps,
  options: ObserveOptions,
  errors: Map<string, Error>,
  orphans: ReleaseRecord[],
): Promise<Map<string, StoredRelease>> {
  const stored = new Map<string, StoredRelease>();
  const driver = deps.storageDriver;
  if (driver === 'other') {
    await mapInOrder(plan.releases, options.concurrency, async (release) => {
      try {
        const record = await deps.helm.find(release);
        // helm get manifest leaves the hooks out: diff asks helm for them when it needs them.
        if (record) stored.set(release.id, { record, manifest: await deps.helm.manifest(release) });
      } catch (error) {
        if (error instanceof ClusterUnreachableError) throw error;
        errors.set(release.id, error as Error);
      }
    });
    return stored;
  }
  const byNamespace = groupBy(plan.releases, (release) => release.namespace);
  await Promise.all(
    [...byNamespace].map(async ([namespace, releases]) => {
      const latest = latestStoredReleases(await deps.kubectl.helmStorage(namespace, driver), driver);
      for (const release of releases) {
        const found = latest.get(release.name);
        if (found) stored.set(release.id, found);
      }
      for (const [name, { record }] of latest) {
        if (!plan.declaredIds.has(`${namespace}/${name}`) && record.labels[environmentLabel] === plan.environment.name)
          orphans.push(record);
      }
    }),
  );
  return stored;
}

/**
 * Observes every selected release from a constant number of cluster reads: helm's records in bulk, then, for the
 * releases that nothing else decides, the live objects of their deployed revisions in one list per namespace.
 */
export async function observeReleases(plan: Plan, deps: ClusterDeps, options: ObserveOptions): Promise<Observed> {
  const errors = new Map<string, Error>(options.unresolved);
  // A failed early read is no answer: the records' read says why the cluster cannot be read, or the kinds are read again.
  const early = new Map(
    [...new Set(plan.releases.map((release) => release.namespace))].flatMap((namespace) => {
      const kinds = options.kinds.recall(namespace);
      return kinds ? [[namespace, { kinds, read: deps.kubectl.listKinds(kinds).catch(() => undefined) }] as const] : [];
    }),
  );
  const orphans: ReleaseRecord[] = [];
  const stored = await readStoredReleases(plan, deps, options, errors, orphans);
  const observations = new Map<string, ReleaseObservation>();
  const toCheck: { release: Release; objects: KubeObject[] }[] = [];
  for (const release of plan.releases) {
    const observation: ReleaseObservation = {
      record: stored.get(release.id)?.record,
      inputsHash: deps.inputsHash(release, options.inputsKey),
      error: errors.get(release.id),
    };
    observations.set(release.id, observation);
    if (observation.error || !needsDriftCheck(release, observation, plan.environment.name, Date.now())) continue;
    try {
      toCheck.push({ release, objects: storedObjects(release, stored.get(release.id)!.manifest) });
    } catch (error) {
      observation.error = error as Error;
    }
  }
  await Promise.all(
    [...groupBy(toCheck, ({ release }) => release.namespace)].map(async ([namespace, group]) => {
      const wanted = kindsByScope(
        group.flatMap(({ objects }) => objects),
        namespace,
      );
      const guess = early.get(namespace);
      const live =
        (guess && coversKinds(guess.kinds, wanted) ? await guess.read : undefined) ??
        (await deps.kubectl.listKinds(wanted));
      if (JSON.stringify(guess?.kinds) !== JSON.stringify(wanted)) options.kinds.remember(namespace, wanted);
      const liveByKey = new Map(live.map((obj) => [objectKey(obj, namespace), obj]));
      const liveOf = (object: KubeObject) => liveByKey.get(objectKey(object, namespace));
      for (const { release, objects } of group) {
        const observation = observations.get(release.id)!;
        observation.drift = driftedObjects(objects, liveByKey, namespace, release.ignoreDifferences);
        const rules = releaseHealthRules(release);
        observation.notReady = notCurrent(objects, liveOf, (object) => rules.ruleFor(object));
      }
    }),
  );
  orphans.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return { observations, stored, orphans };
}

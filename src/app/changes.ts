import type { Release } from '../config/types.js';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import { isRunError } from '../errors.js';
import { markedSecrets } from '../secrets/mask.js';
import type { StoredRelease } from '../helm/records.js';
import { kindsByScope, parseManifests, type HelmHook, type KubeObject } from '../kube/objects.js';
import { valueAtSetPath } from '../config/values-path.js';
import type { Plan } from '../plan/plan.js';
import { isApply, isChange, planSync, runLabel, type PlannedChange, type SyncPlan } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';
import { observeReleases } from './observe.js';
import { mapInOrder } from './pool.js';
import { applySyncPlan, destroyReleases, rejectAll, unrenderableReleases, type SyncOptions, type SyncResult } from './sync.js';
import { acquireLock, locksOf, type HeldLock, type LockOptions } from './lock.js';
import { withValuesFiles, type ValuesFiles } from './values-files.js';
import { releaseRecords } from './release-records.js';
import { storedObjects } from './stored-objects.js';
import { cachedKindsMemory, type KindsMemory } from './live-kinds.js';

export interface ChangeOptions {
  concurrency: number;
  /** Runs that ended cleanly (from the Leases, once held): what they left pending is recovered at once. */
  endedRuns?: ReadonlySet<string>;
  /** What each namespace's live objects were last time; the default keeps it in the cache folder. */
  kinds?: KindsMemory;
}

/** The plan of what a sync would change, from a constant number of cluster reads, plus each release's stored manifest. */
export async function planChanges(plan: Plan, deps: ClusterDeps, options: ChangeOptions): Promise<{ syncPlan: SyncPlan; stored: Map<string, StoredRelease> }> {
  const { observations, stored } = await observeReleases(plan, deps, {
    concurrency: options.concurrency,
    kinds: options.kinds ?? cachedKindsMemory(plan.environment.name),
  });
  return { syncPlan: planSync(plan, observations, Date.now(), options.endedRuns), stored };
}

/** How a run that writes waits for another one working on the same target (see lock.ts). */
export interface WriteOptions extends ChangeOptions, Pick<SyncOptions, 'onProgress' | 'mayStart' | 'now'> {
  lockTimeoutMs: number;
  onLockWait?: LockOptions['onWait'];
  /** Asked before the first write, with the plan: throws to stop (a production environment, destroy). */
  confirm?: (syncPlan: SyncPlan) => Promise<void>;
}

/** What a run that writes did, release by release, and what failed the run as a whole once it had started (a lost lock). */
export interface ReleaseRun {
  results: SyncResult[];
  failure?: Error;
}

/** The Leases of every namespace the selected releases live in (lock.ts), taken before the first write. */
const takeLocks = (plan: Plan, deps: ClusterDeps, options: WriteOptions): Promise<HeldLock> =>
  acquireLock(deps.kubectl, locksOf(plan.environment, plan.releases.map((release) => release.namespace)), { timeoutMs: options.lockTimeoutMs, onWait: options.onLockWait });

/** Nothing new starts once the lock is lost, and what did not start says why. */
const underLock = (lock: HeldLock, options: Pick<SyncOptions, 'mayStart'>): Pick<SyncOptions, 'mayStart' | 'stopped'> => ({
  mayStart: () => !lock.lost() && (options.mayStart?.() ?? true),
  stopped: () => lock.lost()?.message,
});

/** A release blocked by a pending revision of a run the Leases say ended cleanly: planned again, it is recovered. */
const leftByEndedRun = (syncPlan: SyncPlan, lock: HeldLock) =>
  syncPlan.changes.some((change) => change.action === 'blocked' && lock.endedRuns.has(change.record?.labels[runLabel] ?? ''));

/**
 * A plan that writes, or that another boutique run's pending revision blocks (that run may still be applying it):
 * either way the lock is taken, which waits for that run and plans again.
 */
const needsLock = (syncPlan: SyncPlan) => syncPlan.changes.some((change) => isChange(change.action) || (change.action === 'blocked' && change.record?.labels[runLabel] !== undefined));

/**
 * `boutique sync`: plan; render every release to install or upgrade (one that does not render stops the run with
 * nothing written, not even the lock); take the target's lock, planning and rendering afresh when another run held
 * it first; then carry the plan out. A plan with nothing to write takes no lock and starts no helm.
 */
export async function sync(plan: Plan, deps: ClusterDeps, options: WriteOptions): Promise<ReleaseRun & { syncPlan: SyncPlan; waitedForLock: boolean }> {
  return withValuesFiles(async (valuesFiles) => {
    const syncOptions = { ...options, valuesFiles, records: await releaseRecords(deps), runId: '' };
    let { syncPlan } = await planChanges(plan, deps, options);
    if (!needsLock(syncPlan)) return { syncPlan, results: await applySyncPlan(plan, syncPlan, deps, syncOptions), waitedForLock: false };
    let unrenderable = await unrenderableReleases(syncPlan, deps, syncOptions);
    if (unrenderable.size > 0) return { syncPlan, results: rejectAll(syncPlan, unrenderable, options), waitedForLock: false };
    await options.confirm?.(syncPlan);
    const lock = await takeLocks(plan, deps, options);
    let ended = false;
    try {
      if (lock.waited || leftByEndedRun(syncPlan, lock)) {
        // What the other run did is in the cluster now, and what a run that ended left pending is free: plan and
        // render what is left.
        syncPlan = (await planChanges(plan, deps, { ...options, endedRuns: lock.endedRuns })).syncPlan;
        unrenderable = await unrenderableReleases(syncPlan, deps, syncOptions);
        if (unrenderable.size > 0) return { syncPlan, results: rejectAll(syncPlan, unrenderable, options), waitedForLock: true };
      }
      // Watched from before the first write, so each write is confirmed by the record change helm makes.
      const written = syncPlan.changes.filter((change) => isApply(change.action));
      const records = await releaseRecords(deps, [...new Set(written.map((change) => change.release.namespace))]);
      try {
        const results = await applySyncPlan(plan, syncPlan, deps, { ...syncOptions, ...underLock(lock, options), records, runId: lock.runId });
        ended = true;
        return { syncPlan, results, waitedForLock: lock.waited, failure: lock.lost() };
      } finally {
        records.stop();
      }
    } finally {
      await lock.release(ended);
    }
  });
}

/** `boutique destroy`: what helm has a record of is uninstalled, dependents first, under the target's lock. */
export async function destroy(plan: Plan, deps: ClusterDeps, options: WriteOptions): Promise<ReleaseRun> {
  const deployedIn = (syncPlan: SyncPlan) => new Set(syncPlan.changes.filter((change) => change.record).map((change) => change.release.id));
  let { syncPlan } = await planChanges(plan, deps, options);
  if (deployedIn(syncPlan).size === 0) return { results: await destroyReleases(plan, new Set(), deps, options) };
  await options.confirm?.(syncPlan);
  const lock = await takeLocks(plan, deps, options);
  let ended = false;
  try {
    if (lock.waited) syncPlan = (await planChanges(plan, deps, options)).syncPlan;
    const results = await destroyReleases(plan, deployedIn(syncPlan), deps, { ...options, ...underLock(lock, options) });
    ended = true;
    return { results, failure: lock.lost() };
  } finally {
    await lock.release(ended);
  }
}

/**
 * Values releases.yaml marks secret, which no output may show: the ones about to be applied, and the ones the
 * deployed release holds at the same paths, since the live objects still carry those.
 */
async function secretValuesOf(release: Release, deps: ClusterDeps, deployed: boolean): Promise<string[]> {
  const secretSets = release.set.filter((entry) => entry.secret);
  if (secretSets.length === 0) return [];
  const marked = markedSecrets(release);
  const deployedValues = deployed ? await deps.helm.values(release) : {};
  const previous = secretSets.map((entry) => valueAtSetPath(deployedValues, entry.name)).filter((value) => ['string', 'number', 'boolean'].includes(typeof value));
  return [...marked, ...previous.map(String)];
}

/** helm stamps these on every object it applies; the rendered chart does not carry them. */
function withHelmOwnership(obj: KubeObject, release: Release): KubeObject {
  const { metadata } = obj;
  return {
    ...obj,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...metadata.annotations, 'meta.helm.sh/release-name': release.name, 'meta.helm.sh/release-namespace': release.namespace },
    },
  };
}

/**
 * The object-level diff of one planned change: the manifest helm would apply (helm's own server dry run, so
 * capabilities and lookups resolve as they will), as the API server would store it (a server-side dry-run apply,
 * so defaults make no noise), against the live objects; what the deployed release has that is no longer rendered;
 * and drift between the deployed manifest and the live objects.
 */
async function diffChange(change: PlannedChange, stored: StoredRelease | undefined, deps: ClusterDeps, valuesFiles: ValuesFiles): Promise<ReleaseDiff> {
  const { release } = change;
  const deployed = stored ? storedObjects(release, stored.manifest) : [];
  let desired: KubeObject[] = [];
  let plannedHooks: HelmHook[] = [];
  if (release.installed) {
    const planned = await deps.helm.plannedManifest(release, valuesFiles.argsFor(release));
    plannedHooks = planned.hooks;
    const rendered = parseManifests(planned.manifest).map((obj) => withHelmOwnership(obj, release));
    desired = (await deps.kubectl.dryRunApply(rendered, release.namespace)) ?? rendered;
  }
  const live = await deps.kubectl.listKinds(kindsByScope([...desired, ...deployed], release.namespace));
  const secretValues = await secretValuesOf(release, deps, change.record !== undefined);
  const deployedHooks = stored ? (stored.hooks ?? (await deps.helm.hooks(release))) : [];
  return diffRelease({ release: release.id, namespace: release.namespace, desired, live, deployed, secretValues, hooks: { deployed: deployedHooks, planned: plannedHooks }, ignoreDifferences: release.ignoreDifferences });
}

export interface DiffOutcome {
  syncPlan: SyncPlan;
  /** Object diffs of the releases a sync would change, in plan order. */
  diffs: ReleaseDiff[];
  failed: { release: Release; error: Error }[];
}

/** `boutique diff`: the sync plan, and for each release it would change, what changes object by object. */
export async function diff(plan: Plan, deps: ClusterDeps, options: ChangeOptions): Promise<DiffOutcome> {
  const { syncPlan, stored } = await planChanges(plan, deps, options);
  const changed = syncPlan.changes.filter((change) => isChange(change.action));
  const failed = syncPlan.changes.filter((change) => change.action === 'blocked').map((change) => ({ release: change.release, error: change.error ?? new Error(change.reasons.join(', ')) }));
  const results = await withValuesFiles((valuesFiles) =>
    mapInOrder(changed, options.concurrency, (change) =>
      diffChange(change, stored.get(change.release.id), deps, valuesFiles).then(
        (releaseDiff) => ({ diff: releaseDiff }),
        (error: Error) => {
          if (isRunError(error)) throw error;
          return { failure: { release: change.release, error } };
        },
      ),
    ),
  );
  return {
    syncPlan,
    diffs: results.flatMap((result) => ('diff' in result ? [result.diff] : [])),
    failed: [...failed, ...results.flatMap((result) => ('failure' in result ? [result.failure] : []))],
  };
}

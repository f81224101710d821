import type { Release } from '../config/types.js';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import { isRunError, RefusedError } from '../errors.js';
import { maskError, maskerOf, secretValuesOf, type SecretValue } from '../secrets/mask.js';
import type { StoredRelease } from '../helm/records.js';
import { kindsByScope, parseManifests, type HelmHook, type KubeObject } from '../kube/objects.js';
import { valueAtSetPath } from '../config/values-path.js';
import { withReleases, type Plan } from '../plan/plan.js';
import {
  isApply,
  isChange,
  orphanRelease,
  planSync,
  runLabel,
  takeovers,
  type PlannedChange,
  type ReleaseRecord,
  type SyncPlan,
} from '../plan/sync-plan.js';
import { withCrdImpacts } from '../crd/upgrade-safety.js';
import { CrdDeletionError, crdDeletions, crdUpgrades } from './crd-preflight.js';
import { writeFile } from 'node:fs/promises';
import { writePlanFile } from '../config/plan-file.js';
import { runActor } from './runs.js';
import { checkPlanTarget, planMoves, PlanMovedError, readSavedPlan, savePlan } from './saved-plan.js';
import type { ClusterDeps } from './deps.js';
import { inputsKey } from './inputs-key.js';
import { shortSecretPlaces } from './secret-places.js';
import { previewWithCrds, unmappedKind } from './preview-crds.js';
import { observeReleases } from './observe.js';
import { resolveClusterSecrets } from './cluster-secrets.js';
import { withSopsValues } from './sops-values.js';
import { mapInOrder } from './pool.js';
import {
  applySyncPlan,
  destroyReleases,
  rejectAll,
  unrenderableReleases,
  type ReleaseHealth,
  type SyncOptions,
  type SyncResult,
} from './sync.js';
import { acquireLock, locksOf, type HeldLock, type LockOptions } from './lock.js';
import { withValuesFiles, type ValuesFiles } from './values-files.js';
import { releaseRecords } from './release-records.js';
import { storedObjects } from './stored-objects.js';
import { cachedKindsMemory, type KindsMemory } from './live-kinds.js';
import { objectsWithRules, waitForHealth } from './health-wait.js';

export interface ChangeOptions {
  concurrency: number;
  /** Make the cluster's inputs key when there is none (a sync: its revisions record hashes made with it). */
  createInputsKey?: boolean;
  /** Runs that ended cleanly (from the Leases, once held): what they left pending is recovered at once. */
  endedRuns?: ReadonlySet<string>;
  /** What each namespace's live objects were last time; the default keeps it in the cache folder. */
  kinds?: KindsMemory;
  /** destroy: nothing is rendered, so sops files are left encrypted (no key needed to uninstall). */
  sealed?: boolean;
}

/** The plan of what a sync would change, from a constant number of cluster reads, plus each release's stored manifest. */
export async function planChanges(
  unread: Plan,
  deps: ClusterDeps,
  options: ChangeOptions,
): Promise<{ syncPlan: SyncPlan; stored: Map<string, StoredRelease>; plan: Plan }> {
  // sops files are decrypted first, before anything is contacted: one that cannot be is an input error (exit 2).
  // Then values from cluster Secrets are read, once per plan, for everything that follows: the inputs hash, the
  // renders, the diff. A release whose Secret or key is missing is blocked alone (its dependents are skipped).
  const decrypted = options.sealed ? unread : withReleases(unread, await withSopsValues(unread.releases));
  const { plan, unresolved } = await withClusterSecrets(decrypted, deps);
  // Read only for releases with secret values: the others hash no secret.
  const withSecrets = plan.releases.some((release) => secretValuesOf(release).length > 0);
  const key = withSecrets
    ? await inputsKey(deps.kubectl, plan.environment.lockNamespace, { create: options.createInputsKey ?? false })
    : undefined;
  const { observations, stored, orphans } = await observeReleases(plan, deps, {
    concurrency: options.concurrency,
    kinds: options.kinds ?? cachedKindsMemory(plan.environment.name),
    inputsKey: key,
    unresolved,
  });
  return { syncPlan: { ...planSync(plan, observations, Date.now(), options.endedRuns), orphans }, stored, plan };
}

/** The plan with the values its releases take from cluster Secrets (secrets/sources.ts), and the releases that lack one. */
async function withClusterSecrets(
  plan: Plan,
  deps: ClusterDeps,
): Promise<{ plan: Plan; unresolved: Map<string, Error> }> {
  if (!plan.releases.some((release) => release.set.some((entry) => entry.unresolved)))
    return { plan, unresolved: new Map() };
  const { releases, errors } = await resolveClusterSecrets(plan.releases, deps.kubectl);
  return { plan: withReleases(plan, releases), unresolved: errors };
}

export interface SavePlanOptions {
  /** Write what a sync would do to this file (diff --save-plan, sync --dry-run --save-plan). */
  savePlanTo?: string;
}

async function writeSavedPlan(
  plan: Plan,
  syncPlan: SyncPlan,
  stored: ReadonlyMap<string, StoredRelease>,
  deps: ClusterDeps,
  options: ChangeOptions & { savePlanTo?: string },
): Promise<void> {
  const saved = await withValuesFiles((valuesFiles) =>
    savePlan(plan, syncPlan, stored, deps, valuesFiles, options.concurrency),
  );
  await writeFile(options.savePlanTo!, writePlanFile(saved));
}

/** `boutique sync --dry-run`: the plan, saved to a file when asked. */
export async function dryRunSync(
  plan: Plan,
  deps: ClusterDeps,
  options: ChangeOptions & SavePlanOptions,
): Promise<SyncPlan> {
  const { syncPlan, stored } = await planChanges(plan, deps, options);
  if (options.savePlanTo) await writeSavedPlan(plan, syncPlan, stored, deps, options);
  return syncPlan;
}

/** How a run that writes waits for another one working on the same target (see lock.ts). */
export interface WriteOptions
  extends ChangeOptions, Pick<SyncOptions, 'onProgress' | 'mayStart' | 'now' | 'allowUnsafeCrdChanges'> {
  lockTimeoutMs: number;
  onLockWait?: LockOptions['onWait'];
  /** Asked before the first write, with the plan: throws to stop (a production environment, destroy). */
  confirm?: (syncPlan: SyncPlan) => Promise<void>;
  /** A saved plan (sync --plan): applied only if a sync now would write exactly that, checked again under the lock. */
  planFile?: string;
  /** sync --prune: uninstall the orphans, after asking (destroy's rules), once the selected releases are done. */
  prune?: { confirm: (orphans: readonly ReleaseRecord[]) => Promise<void> };
  /** --take-over: write over releases another environment deployed last. */
  takeOver?: boolean;
  /** The kube context, as a refused takeover names it. */
  kubeContext?: string;
}

/** Stops a run that would write over another environment's releases, unless told to take them over (see takeovers). */
function guardTakeover(
  operation: string,
  writes: readonly PlannedChange[],
  environment: string,
  options: WriteOptions,
): void {
  refuseTakeover(operation, takeovers(writes, environment), environment, options);
}

/** The refusal of sync, destroy and rollback to write over releases another environment deployed last. */
export function refuseTakeover(
  operation: string,
  foreign: readonly { release: Release; owner: string }[],
  environment: string,
  options: Pick<WriteOptions, 'takeOver' | 'kubeContext'>,
): void {
  if (foreign.length === 0 || options.takeOver) return;
  const owners = [...new Set(foreign.map(({ owner }) => owner))];
  const listed = foreign.map(({ release, owner }) => `${release.id} (${owner})`).join(', ');
  throw new RefusedError(
    'TAKEOVER',
    `${operation} of environment ${environment} would take over ${foreign.length} release${foreign.length === 1 ? '' : 's'} last deployed by environment ${owners.join(', ')} in kube context ${options.kubeContext ?? '(current)'}: ${listed}; nothing was changed`,
    {
      suggestions: [
        ...owners.map((owner) => `to work on them as ${owner}: -e ${owner}`),
        `to make ${environment} their owner from now on: --take-over`,
      ],
    },
  );
}

/** What a run that writes did, release by release, and what failed the run as a whole once it had started (a lost lock). */
export interface ReleaseRun {
  results: SyncResult[];
  failure?: Error;
}

/** The Leases of every namespace the selected releases live in (lock.ts), taken before the first write. */
const takeLocks = (plan: Plan, deps: ClusterDeps, options: WriteOptions): Promise<HeldLock> =>
  acquireLock(
    deps.kubectl,
    locksOf(
      plan.environment,
      plan.releases.map((release) => release.namespace),
    ),
    { timeoutMs: options.lockTimeoutMs, onWait: options.onLockWait },
  );

/** Nothing new starts once the lock is lost, and what did not start says why. */
const underLock = (
  lock: HeldLock,
  options: Pick<SyncOptions, 'mayStart'>,
): Pick<SyncOptions, 'mayStart' | 'stopped'> => ({
  mayStart: () => !lock.lost() && (options.mayStart?.() ?? true),
  stopped: () => lock.lost()?.message,
});

/** A release blocked by a pending revision of a run the Leases say ended cleanly: planned again, it is recovered. */
const leftByEndedRun = (syncPlan: SyncPlan, lock: HeldLock) =>
  syncPlan.changes.some(
    (change) => change.action === 'blocked' && lock.endedRuns.has(change.record?.labels[runLabel] ?? ''),
  );

/**
 * A plan that writes, or that another boutique run's pending revision blocks (that run may still be applying it):
 * either way the lock is taken, which waits for that run and plans again.
 */
const needsLock = (syncPlan: SyncPlan, prune: boolean) =>
  (prune && (syncPlan.orphans?.length ?? 0) > 0) ||
  syncPlan.changes.some(
    (change) =>
      isChange(change.action) || (change.action === 'blocked' && change.record?.labels[runLabel] !== undefined),
  );

/** A release's custom resources, read from the manifest the render check made, waited for by their health rules. */
function releaseHealth(
  deps: ClusterDeps,
  rendered: ReadonlyMap<string, string>,
  deployed: () => ReadonlyMap<string, StoredRelease>,
  options: Pick<SyncOptions, 'onProgress'>,
): ReleaseHealth {
  const objects = (release: Release) => {
    const manifest = rendered.get(release.id);
    if (manifest !== undefined) return parseManifests(manifest);
    const stored = deployed().get(release.id);
    return stored ? storedObjects(release, stored.manifest) : [];
  };
  return {
    waitsFor: (release) => objectsWithRules(release, objects(release)).length > 0,
    wait: (release) =>
      waitForHealth(release, objects(release), deps.kubectl, {
        onWaiting: (detail) => options.onProgress?.(release, 'readying', detail),
      }),
  };
}

/**
 * `boutique sync`: plan; confirm where asked; render every release to install or upgrade (one that does not render
 * stops the run with nothing written, not even the lock); take the target's lock, planning and rendering afresh when
 * another run held it first; then carry the plan out. A plan with nothing to write takes no lock and starts no helm.
 */
export async function sync(
  plan: Plan,
  deps: ClusterDeps,
  options: WriteOptions,
): Promise<ReleaseRun & { syncPlan: SyncPlan; waitedForLock: boolean }> {
  const saved = options.planFile === undefined ? undefined : await readSavedPlan(options.planFile);
  if (saved) checkPlanTarget(saved, plan, options.planFile!);
  deps.helm.checkDependencies(plan.releases);
  return withValuesFiles(async (valuesFiles) => {
    const rendered = new Map<string, string>();
    // Its revisions record inputs hashes: made with the cluster's key, which the first sync that needs it makes.
    const planning = { ...options, createInputsKey: true };
    const guard = (planned: SyncPlan) =>
      guardTakeover(
        'sync',
        planned.changes.filter((change) => isChange(change.action)),
        planned.environment,
        options,
      );
    const unmoved = async (observed: Awaited<ReturnType<typeof planChanges>>) => {
      guard(observed.syncPlan);
      const moves = saved
        ? await planMoves(saved, observed.syncPlan, observed.stored, deps, valuesFiles, options.concurrency)
        : [];
      if (moves.length > 0) throw new PlanMovedError(options.planFile!, moves);
      return observed;
    };
    let planned = await unmoved(await planChanges(plan, deps, planning));
    let { syncPlan } = planned;
    const health = releaseHealth(deps, rendered, () => planned.stored, options);
    const syncOptions = {
      ...options,
      valuesFiles,
      records: await releaseRecords(deps),
      runId: '',
      actor: runActor(),
      rendered,
      health,
    };
    if (!needsLock(syncPlan, options.prune !== undefined))
      return { syncPlan, results: await applySyncPlan(plan, syncPlan, deps, syncOptions), waitedForLock: false };
    // Asked before the render check, whose progress would draw over the question.
    await options.confirm?.(syncPlan);
    if (options.prune && syncPlan.orphans?.length) await options.prune.confirm(syncPlan.orphans);
    let unrenderable = await unrenderableReleases(syncPlan, deps, syncOptions);
    if (unrenderable.size > 0)
      return { syncPlan, results: rejectAll(syncPlan, unrenderable, options), waitedForLock: false };
    const lock = await takeLocks(plan, deps, options);
    let ended = false;
    try {
      // A saved plan is checked again just before the first write: the server enforces no resourceVersion on helm's
      // applies. What another run did is in the cluster now, and what a run that ended left pending is free.
      if (lock.waited || saved || leftByEndedRun(syncPlan, lock)) {
        planned = await unmoved(await planChanges(plan, deps, { ...planning, endedRuns: lock.endedRuns }));
        syncPlan = planned.syncPlan;
        unrenderable = await unrenderableReleases(syncPlan, deps, syncOptions);
        if (unrenderable.size > 0)
          return { syncPlan, results: rejectAll(syncPlan, unrenderable, options), waitedForLock: true };
      }
      // Watched from before the first write, so each write is confirmed by the record change helm makes.
      const written = syncPlan.changes.filter((change) => isApply(change.action));
      const records = await releaseRecords(deps, [...new Set(written.map((change) => change.release.namespace))]);
      try {
        const results = await applySyncPlan(plan, syncPlan, deps, {
          ...syncOptions,
          ...underLock(lock, options),
          records,
          runId: lock.runId,
        });
        const pruned =
          options.prune && !lock.lost()
            ? await pruneOrphans(syncPlan.orphans ?? [], deps, { ...syncOptions, ...underLock(lock, options) })
            : [];
        ended = true;
        return { syncPlan, results: [...results, ...pruned], waitedForLock: lock.waited, failure: lock.lost() };
      } finally {
        records.stop();
      }
    } finally {
      await lock.release(ended);
    }
  });
}

/** Uninstalls the orphans, a few at a time: nothing declares their needs any more, so there is no order to keep. */
async function pruneOrphans(
  orphans: readonly ReleaseRecord[],
  deps: ClusterDeps,
  options: Pick<SyncOptions, 'concurrency' | 'mayStart' | 'now'>,
): Promise<SyncResult[]> {
  const now = options.now ?? Date.now;
  return mapInOrder(orphans, options.concurrency, async (record): Promise<SyncResult> => {
    const release = orphanRelease(record);
    if (options.mayStart && !options.mayStart())
      return { release, state: 'skipped', detail: 'interrupted before pruning', durationMs: 0 };
    const started = now();
    try {
      const { kept } = await deps.helm.uninstall(release, true);
      return {
        release,
        state: 'uninstalled',
        detail: `pruned: no longer in releases.yaml${kept.length > 0 ? `; helm kept ${kept.join(', ')}` : ''}`,
        durationMs: now() - started,
      };
    } catch (error) {
      if (isRunError(error)) throw error;
      return { release, state: 'failed', error: error as Error, durationMs: now() - started };
    }
  });
}

/**
 * `boutique destroy`: what helm has a record of is uninstalled, dependents first, under the target's lock. A
 * release whose uninstall deletes a CRD that still has objects is refused first, unless `deleteCrds` says so.
 */
export async function destroy(
  plan: Plan,
  deps: ClusterDeps,
  options: WriteOptions & { deleteCrds?: boolean },
): Promise<ReleaseRun> {
  const deployedIn = (syncPlan: SyncPlan) =>
    new Set(syncPlan.changes.filter((change) => change.record).map((change) => change.release.id));
  const guard = (planned: SyncPlan) =>
    guardTakeover(
      'destroy',
      planned.changes.filter((change) => change.record),
      planned.environment,
      options,
    );
  const planning = { ...options, sealed: true };
  let { syncPlan, stored } = await planChanges(plan, deps, planning);
  if (deployedIn(syncPlan).size === 0) return { results: await destroyReleases(plan, new Set(), deps, options) };
  guard(syncPlan);
  if (!options.deleteCrds) {
    const doomed = syncPlan.changes.flatMap(({ release }) =>
      stored.has(release.id) ? [{ release, manifest: stored.get(release.id)!.manifest }] : [],
    );
    const deletions = await crdDeletions(doomed, deps);
    if (deletions.length > 0) throw new CrdDeletionError(deletions);
  }
  await options.confirm?.(syncPlan);
  const lock = await takeLocks(plan, deps, options);
  let ended = false;
  try {
    if (lock.waited) guard((syncPlan = (await planChanges(plan, deps, planning)).syncPlan));
    const results = await destroyReleases(plan, deployedIn(syncPlan), deps, {
      ...options,
      ...underLock(lock, options),
    });
    ended = true;
    return { results, failure: lock.lost() };
  } finally {
    await lock.release(ended);
  }
}

/**
 * The release's secret values, which no output may show: the ones about to be applied, and the ones the deployed
 * release holds at the same paths, since the live objects still carry those.
 */
async function secretsOf(release: Release, deps: ClusterDeps, deployed: boolean): Promise<SecretValue[]> {
  const secrets = secretValuesOf(release);
  if (secrets.length === 0) return [];
  const deployedValues = deployed ? await deps.helm.values(release) : {};
  const previous = secrets
    .map(({ path }) => ({ path, value: valueAtSetPath(deployedValues, path) }))
    .filter(({ value }) => ['string', 'number', 'boolean'].includes(typeof value));
  return [...secrets, ...previous];
}

/** helm stamps these on every object it applies; the rendered chart does not carry them. */
function withHelmOwnership(obj: KubeObject, release: Release): KubeObject {
  const { metadata } = obj;
  return {
    ...obj,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        ...metadata.annotations,
        'meta.helm.sh/release-name': release.name,
        'meta.helm.sh/release-namespace': release.namespace,
      },
    },
  };
}

/**
 * The object-level diff of one planned change: the manifest helm would apply (helm's own server dry run, so
 * capabilities and lookups resolve as they will), as the API server would store it (a server-side dry-run apply,
 * so defaults make no noise), against the live objects; what the deployed release has that is no longer rendered;
 * and drift between the deployed manifest and the live objects. A release whose CRDs are not installed yet is
 * previewed from helm's client-side render instead (previewWithCrds).
 */
async function diffChange(
  change: PlannedChange,
  plan: Plan,
  stored: StoredRelease | undefined,
  deps: ClusterDeps,
  valuesFiles: ValuesFiles,
): Promise<ReleaseDiff> {
  const { release } = change;
  const deployed = stored ? storedObjects(release, stored.manifest) : [];
  let desired: KubeObject[] = [];
  let listed: KubeObject[] = [];
  let plannedHooks: HelmHook[] = [];
  let previewed: Map<string, string> | undefined;
  if (release.installed) {
    try {
      const planned = await deps.helm.plannedManifest(release, valuesFiles.argsFor(release));
      plannedHooks = planned.hooks;
      const rendered = parseManifests(planned.manifest).map((obj) => withHelmOwnership(obj, release));
      desired = (await deps.kubectl.dryRunApply(rendered, release.namespace)) ?? rendered;
      listed = desired;
    } catch (error) {
      if (isRunError(error) || !unmappedKind(error as Error)) throw error;
      const preview = await previewWithCrds(change, plan, deps, valuesFiles, {
        cause: error as Error,
        own: (obj) => withHelmOwnership(obj, release),
      });
      ({ desired, previewed } = preview);
      listed = preview.served;
      plannedHooks = preview.hooks;
    }
  }
  // Kinds the cluster does not serve yet have no live objects, and cannot be listed.
  const live = await deps.kubectl.listKinds(kindsByScope([...listed, ...deployed], release.namespace));
  const secrets = await secretsOf(release, deps, change.record !== undefined);
  const secretPlaces = release.installed ? await shortSecretPlaces(release, deps.helm, valuesFiles) : new Set<string>();
  const deployedHooks = stored ? (stored.hooks ?? (await deps.helm.hooks(release))) : [];
  const releaseDiff = diffRelease({
    release: release.id,
    namespace: release.namespace,
    desired,
    live,
    deployed,
    secrets,
    secretPlaces,
    hooks: { deployed: deployedHooks, planned: plannedHooks },
    ignoreDifferences: release.ignoreDifferences,
    previewed,
  });
  return withCrdImpacts(releaseDiff, await crdUpgrades(listed, deps));
}

export interface DiffOutcome {
  syncPlan: SyncPlan;
  /** Object diffs of the releases a sync would change, in plan order. */
  diffs: ReleaseDiff[];
  failed: { release: Release; error: Error }[];
}

/** `boutique diff`: the sync plan, and for each release it would change, what changes object by object. */
export async function diff(
  unread: Plan,
  deps: ClusterDeps,
  options: ChangeOptions & SavePlanOptions,
): Promise<DiffOutcome> {
  deps.helm.checkDependencies(unread.releases);
  // The plan with its values from cluster Secrets: a release's needs are rendered too (previewWithCrds).
  const { syncPlan, stored, plan } = await planChanges(unread, deps, options);
  if (options.savePlanTo) await writeSavedPlan(plan, syncPlan, stored, deps, options);
  const changed = syncPlan.changes.filter((change) => isChange(change.action));
  const failed = syncPlan.changes
    .filter((change) => change.action === 'blocked')
    .map((change) => ({ release: change.release, error: change.error ?? new Error(change.reasons.join(', ')) }));
  const results = await withValuesFiles((valuesFiles) =>
    mapInOrder(changed, options.concurrency, (change) =>
      diffChange(change, plan, stored.get(change.release.id), deps, valuesFiles).then(
        (releaseDiff) => ({ diff: releaseDiff }),
        (error: Error) => {
          if (isRunError(error)) throw error;
          // kubectl's and the API server's words may quote a rendered object; helm's are masked already.
          return { failure: { release: change.release, error: maskError(maskerOf(change.release), error) } };
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

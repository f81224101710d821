import type { Release } from '../config/types.js';
import { parseManifests } from '../kube/objects.js';
import { diffRelease } from '../diff/release-diff.js';
import { ReleaseStateError } from '../errors.js';
import { plannedNeeds, type Plan } from '../plan/plan.js';
import { runInDependencyOrder } from '../plan/schedule.js';
import type { ClusterDeps } from './deps.js';
import { environmentLabel, inputsLabel } from './inputs-hash.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles, type ValuesFiles } from './values-files.js';

/** Where a release is in a run: four transient states, then one final state. */
export type SyncState =
  | 'waiting' | 'checking' | 'applying' | 'uninstalling'
  | 'installed' | 'upgraded' | 'unchanged' | 'uninstalled' | 'absent' | 'failed' | 'skipped';

export interface SyncResult {
  release: Release;
  state: SyncState;
  /** Why a release was skipped, what drift was repaired, what an uninstall removed. */
  detail?: string;
  durationMs: number;
  error?: Error;
}

type Outcome = Omit<SyncResult, 'durationMs' | 'release'>;

export interface SyncProgress {
  (release: Release, state: SyncState, detail?: string, durationMs?: number): void;
}

export interface SyncOptions {
  concurrency: number;
  environment: string;
  /** Hash of a release's inputs (see inputs-hash.ts); injected so tests need no chart on disk. */
  inputsHash: (release: Release) => string;
  onProgress?: SyncProgress;
  now?: () => number;
}

/** Refs of the objects whose live state differs from what the deployed release applied (or that are gone). */
async function driftedObjects(release: Release, deps: ClusterDeps): Promise<string[]> {
  const deployed = parseManifests(await deps.helm.manifest(release));
  const live = await deps.kubectl.liveObjects(deployed, release.namespace);
  const diff = diffRelease({ release: release.id, namespace: release.namespace, desired: deployed, live, deployed });
  return [...diff.drift.map((drift) => drift.ref), ...diff.changes.filter((change) => change.action === 'add').map((change) => `${change.ref} (deleted)`)];
}

/** What a release needs. Decided for every release up front, in parallel: no release's decision depends on another's sync. */
type Decision =
  | { action: 'none'; outcome: Outcome }
  | { action: 'upgrade'; installed: boolean; hash: string; detail?: string }
  | { action: 'uninstall' }
  | { action: 'fail'; error: Error }
  /** The release does not render: bad input, so the whole sync stops before anything is applied. */
  | { action: 'reject'; error: Error };

/**
 * helm's pending states are its lock: another helm may be working on the release right now, so boutique does not
 * force its way through; it says how to unlock one that an interrupted helm left behind.
 */
function pendingError(release: Release, status: string): ReleaseStateError {
  const unlock =
    status === 'pending-install'
      ? `helm uninstall ${release.name} --namespace ${release.namespace}, then sync again`
      : `boutique rollback ${release.id}, then sync again`;
  return new ReleaseStateError(`release ${release.id} is ${status}: another helm operation is in progress, or one was interrupted`, {
    suggestions: [`if no other helm is working on it: ${unlock}`],
  });
}

async function decide(release: Release, deps: ClusterDeps, valuesFiles: ValuesFiles, options: SyncOptions): Promise<Decision> {
  options.onProgress?.(release, 'checking');
  const info = await deps.helm.find(release);
  if (!release.installed) return info ? { action: 'uninstall' } : { action: 'none', outcome: { state: 'absent', detail: 'installed: false, and not in the cluster' } };

  if (info?.status.startsWith('pending-')) return { action: 'fail', error: pendingError(release, info.status) };

  const hash = options.inputsHash(release);
  // A failed release is always retried; a deployed one only when its inputs or the cluster changed.
  const labels = info?.labels ?? (info ? await deps.kubectl.releaseStorageLabels(release.name, release.namespace) : {});
  if (info?.status !== 'deployed' || labels[inputsLabel] !== hash || labels[environmentLabel] !== options.environment) {
    try {
      // helm's own server dry run: it renders and validates against the cluster as the upgrade will, writing nothing.
      await deps.helm.plannedManifest(release, valuesFiles.for(release));
    } catch (error) {
      return { action: 'reject', error: error as Error };
    }
    return { action: 'upgrade', installed: info !== undefined, hash };
  }
  const drifted = await driftedObjects(release, deps);
  if (drifted.length === 0) return { action: 'none', outcome: { state: 'unchanged' } };
  return { action: 'upgrade', installed: true, hash, detail: `repairing drift in ${drifted.join(', ')}` };
}

async function carryOut(release: Release, decision: Decision, deps: ClusterDeps, valuesFiles: ValuesFiles, options: SyncOptions): Promise<Outcome> {
  switch (decision.action) {
    case 'none':
      return decision.outcome;
    case 'fail':
    case 'reject':
      throw decision.error;
    case 'uninstall':
      options.onProgress?.(release, 'uninstalling');
      await deps.helm.uninstall(release, release.wait);
      return { state: 'uninstalled', detail: 'installed: false' };
    case 'upgrade':
      options.onProgress?.(release, 'applying', decision.detail);
      await deps.helm.upgrade(release, valuesFiles.for(release), { [inputsLabel]: decision.hash, [environmentLabel]: options.environment });
      return { state: decision.installed ? 'upgraded' : 'installed', detail: decision.detail };
  }
}

/** Runs one piece of work per release in dependency order, timing it and turning errors into failed results. */
async function runReleaseTasks(
  tasks: { id: string; needs: string[]; release: Release }[],
  options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now'>,
  work: (release: Release) => Promise<Outcome>,
  skipDetail: (blockedBy: string, blocker: SyncResult | undefined) => string,
): Promise<Map<string, SyncResult>> {
  const now = options.now ?? Date.now;
  const results = new Map<string, SyncResult>();
  const record = (result: SyncResult) => {
    results.set(result.release.id, result);
    options.onProgress?.(result.release, result.state, result.detail ?? result.error?.message, result.durationMs);
  };
  await runInDependencyOrder(
    tasks,
    options.concurrency,
    async ({ release }) => {
      const started = now();
      try {
        record({ release, ...(await work(release)), durationMs: now() - started });
        return 'succeeded';
      } catch (error) {
        record({ release, state: 'failed', error: error as Error, durationMs: now() - started });
        return 'failed';
      }
    },
    { onSkipped: ({ release }, blockedBy) => record({ release, state: 'skipped', detail: skipDetail(blockedBy, results.get(blockedBy)), durationMs: 0 }) },
  );
  return results;
}

/**
 * Converges the cluster to the plan. First every release is checked (in parallel) for what it needs, and every
 * release to upgrade goes through helm's server dry run: if one does not render, nothing is applied at all. Then
 * each release that needs work starts as soon as the releases it needs are done (and, with wait, ready), bounded
 * by concurrency. A failure skips what needs it; independent releases finish.
 */
export async function syncReleases(plan: Plan, deps: ClusterDeps, options: SyncOptions): Promise<SyncResult[]> {
  const tasks = plan.releases.map((release) => ({ id: release.id, needs: plannedNeeds(plan, release), release }));
  return withValuesFiles(async (valuesFiles) => {
    const decisions = await mapInOrder(plan.releases, options.concurrency, (release) =>
      decide(release, deps, valuesFiles, options).catch((error: Error): Decision => ({ action: 'fail', error })),
    );
    const decisionOf = new Map(plan.releases.map((release, index) => [release.id, decisions[index]!]));
    const rejected = plan.releases.filter((release) => decisionOf.get(release.id)!.action === 'reject');
    if (rejected.length > 0) return rejectAll(plan, decisionOf, rejected, options);
    for (const { release, needs } of tasks) {
      const action = decisionOf.get(release.id)!.action;
      if (needs.length > 0 && (action === 'upgrade' || action === 'uninstall')) options.onProgress?.(release, 'waiting', `waiting on ${needs.join(', ')}`);
    }
    const results = await runReleaseTasks(
      tasks,
      options,
      (release) => carryOut(release, decisionOf.get(release.id)!, deps, valuesFiles, options),
      (blockedBy, blocker) => `needs ${blockedBy}, which ${blocker?.state === 'failed' ? 'failed' : 'was skipped'}`,
    );
    return plan.releases.map((release) => results.get(release.id)!);
  });
}

/** Some releases do not render: report them failed and every release untouched, having applied nothing. */
function rejectAll(plan: Plan, decisionOf: Map<string, Decision>, rejected: Release[], options: SyncOptions): SyncResult[] {
  const detail = `nothing was applied: ${rejected.map((release) => release.id).join(', ')} ${rejected.length === 1 ? 'does' : 'do'} not render`;
  return plan.releases.map((release) => {
    const decision = decisionOf.get(release.id)!;
    const result: SyncResult =
      decision.action === 'reject' ? { release, state: 'failed', error: decision.error, durationMs: 0 } : { release, state: 'skipped', detail, durationMs: 0 };
    options.onProgress?.(release, result.state, result.detail ?? result.error?.message);
    return result;
  });
}

/**
 * Uninstalls the selected releases in reverse dependency order: a release goes once every selected release that
 * needs it is gone. helm waits for the objects to be deleted.
 */
export async function destroyReleases(plan: Plan, deps: ClusterDeps, options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now'>): Promise<SyncResult[]> {
  const dependents = (release: Release) => plan.releases.filter((other) => plannedNeeds(plan, other).includes(release.id)).map((other) => other.id);
  const tasks = [...plan.releases].reverse().map((release) => ({ id: release.id, needs: dependents(release), release }));
  const results = await runReleaseTasks(
    tasks,
    options,
    async (release): Promise<Outcome> => {
      options.onProgress?.(release, 'checking');
      if (!(await deps.helm.find(release))) return { state: 'absent' };
      options.onProgress?.(release, 'uninstalling');
      await deps.helm.uninstall(release, true);
      return { state: 'uninstalled' };
    },
    (blockedBy) => `${blockedBy} needs it and was not uninstalled`,
  );
  return plan.releases.map((release) => results.get(release.id)!);
}

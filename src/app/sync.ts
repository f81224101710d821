import type { Release } from '../config/types.js';
import { isRunError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { runInDependencyOrder } from '../plan/schedule.js';
import { environmentLabel, inputsLabel, type PlannedChange, type SyncPlan } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import type { ValuesFiles } from './values-files.js';

/** Where a release is in a run: transient states, then one final state. */
export type SyncState =
  | 'queued' | 'waiting' | 'checking' | 'applying' | 'uninstalling'
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
  valuesFiles: ValuesFiles;
  onProgress?: SyncProgress;
  /** False once the run is interrupted: nothing new starts, running releases finish. */
  mayStart?: () => boolean;
  now?: () => number;
}

/** Runs one piece of work per release in dependency order, timing it and turning errors into failed results. */
async function runReleaseTasks(
  tasks: { id: string; needs: readonly string[]; priority: number; release: Release }[],
  options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now' | 'mayStart'>,
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
    {
      mayStart: options.mayStart,
      onSkipped: ({ release }, blockedBy) => record({ release, state: 'skipped', detail: skipDetail(blockedBy, results.get(blockedBy)), durationMs: 0 }),
    },
  );
  for (const { release } of tasks) {
    if (!results.has(release.id)) record({ release, state: 'skipped', detail: 'not started: the run was interrupted', durationMs: 0 });
  }
  return results;
}

const keptNote = (kept: readonly string[]) => (kept.length > 0 ? [`helm kept ${kept.join(', ')} (helm.sh/resource-policy: keep)`] : []);

const labelsOf = (change: PlannedChange, environment: string) => ({ [inputsLabel]: change.inputsHash, [environmentLabel]: environment });

async function carryOut(change: PlannedChange, environment: string, deps: ClusterDeps, options: SyncOptions): Promise<Outcome> {
  const { release } = change;
  switch (change.action) {
    case 'unchanged':
      return { state: 'unchanged' };
    case 'absent':
      return { state: 'absent', detail: change.reasons[0] };
    case 'blocked':
      throw change.error ?? new Error(change.reasons.join(', '));
    case 'uninstall':
      options.onProgress?.(release, 'uninstalling');
      const { kept } = await deps.helm.uninstall(release, release.wait);
      return { state: 'uninstalled', detail: ['installed: false', ...keptNote(kept)].join('; ') };
    case 'install':
    case 'upgrade': {
      const files = options.valuesFiles.for(release);
      const detail = change.action === 'upgrade' ? change.reasons.join(', ') : undefined;
      if (change.changingNeeds.length > 0) {
        options.onProgress?.(release, 'checking', 'server dry run');
        // Its needs (CRDs, namespaces) are in place by now; a refusal fails this release alone.
        await deps.helm.plannedManifest(release, files);
      }
      options.onProgress?.(release, 'applying', detail);
      await deps.helm.upgrade(release, files, labelsOf(change, environment));
      return { state: change.action === 'install' ? 'installed' : 'upgraded', detail };
    }
  }
}

/**
 * The checks made before anything is applied. Every release to install or upgrade must render: bad input applies
 * nothing. A release whose needs do not change in this run gets the API server's dry run now; one whose needs change
 * (an operator installing its CRDs, say) can only be checked by the server once they are in place, so it is rendered
 * client-side now and checked by the server right before its own apply.
 */
async function checkBeforeApplying(syncPlan: SyncPlan, deps: ClusterDeps, options: SyncOptions): Promise<{ unrenderable: Map<string, Error>; refused: Map<string, Error> }> {
  const toCheck = syncPlan.changes.filter((change) => change.action === 'install' || change.action === 'upgrade');
  const unrenderable = new Map<string, Error>();
  const refused = new Map<string, Error>();
  await mapInOrder(toCheck, options.concurrency, async ({ release, changingNeeds }) => {
    const files = options.valuesFiles.for(release);
    const failure = (error: Error) => {
      if (isRunError(error)) throw error;
      return error;
    };
    const render = () => deps.helm.template(release, files).then(() => undefined, failure);
    if (changingNeeds.length > 0) {
      options.onProgress?.(release, 'checking', 'rendering');
      const error = await render();
      if (error) unrenderable.set(release.id, error);
      return;
    }
    options.onProgress?.(release, 'checking', 'server dry run');
    const serverError = await deps.helm.plannedManifest(release, files).then(() => undefined, failure);
    if (!serverError) return;
    // Bad input, or a refusal by the API server? Only the first stops the whole run.
    if (await render()) unrenderable.set(release.id, serverError);
    else refused.set(release.id, serverError);
  });
  return { unrenderable, refused };
}

/**
 * Carries out a sync plan. First the checks (see checkBeforeApplying): if a release does not render, nothing is
 * applied at all. Then each release starts as soon as the releases it needs are done (and, with wait, ready), the
 * longest chain first, bounded by concurrency. A failure skips what needs it; independent releases finish.
 */
export async function syncReleases(plan: Plan, syncPlan: SyncPlan, deps: ClusterDeps, options: SyncOptions): Promise<SyncResult[]> {
  const { unrenderable, refused } = await checkBeforeApplying(syncPlan, deps, options);
  if (unrenderable.size > 0) return rejectAll(syncPlan, unrenderable, options);
  const changeOf = new Map(syncPlan.changes.map((change) => [change.release.id, change]));
  for (const change of syncPlan.changes) {
    if (change.changingNeeds.length > 0) options.onProgress?.(change.release, 'waiting', `waiting on ${change.changingNeeds.join(', ')}`);
  }
  const tasks = plan.releases.map((release) => ({ id: release.id, needs: plan.needs.get(release.id)!, priority: plan.chainLength.get(release.id)!, release }));
  const results = await runReleaseTasks(
    tasks,
    options,
    async (release) => {
      const serverRefusal = refused.get(release.id);
      if (serverRefusal) throw serverRefusal;
      return carryOut(changeOf.get(release.id)!, syncPlan.environment, deps, options);
    },
    (blockedBy, blocker) => `needs ${blockedBy}, which ${blocker?.state === 'failed' ? 'failed' : 'was skipped'}`,
  );
  return plan.releases.map((release) => results.get(release.id)!);
}

/** Some releases do not render: report them failed and every release untouched, having applied nothing. */
function rejectAll(syncPlan: SyncPlan, failures: Map<string, Error>, options: SyncOptions): SyncResult[] {
  const ids = [...failures.keys()];
  const detail = `nothing was applied: ${ids.join(', ')} ${ids.length === 1 ? 'does' : 'do'} not render`;
  return syncPlan.changes.map(({ release }) => {
    const error = failures.get(release.id);
    const result: SyncResult = error ? { release, state: 'failed', error, durationMs: 0 } : { release, state: 'skipped', detail, durationMs: 0 };
    options.onProgress?.(release, result.state, result.detail ?? result.error?.message);
    return result;
  });
}

/**
 * Uninstalls the selected releases in reverse dependency order: a release goes once every selected release that
 * needs it is gone. helm waits for the objects to be deleted.
 */
export async function destroyReleases(
  plan: Plan,
  deployed: ReadonlySet<string>,
  deps: ClusterDeps,
  options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now' | 'mayStart'>,
): Promise<SyncResult[]> {
  const tasks = [...plan.releases].reverse().map((release) => ({ id: release.id, needs: plan.dependents.get(release.id)!, priority: 0, release }));
  const results = await runReleaseTasks(
    tasks,
    options,
    async (release): Promise<Outcome> => {
      if (!deployed.has(release.id)) return { state: 'absent' };
      options.onProgress?.(release, 'uninstalling');
      const { kept } = await deps.helm.uninstall(release, true);
      return { state: 'uninstalled', ...(kept.length > 0 && { detail: keptNote(kept).join('') }) };
    },
    (blockedBy) => `${blockedBy} needs it and was not uninstalled`,
  );
  return plan.releases.map((release) => results.get(release.id)!);
}

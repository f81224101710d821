import type { Release } from '../config/types.js';
import { isRunError, ReleaseStateError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { runInDependencyOrder } from './schedule.js';
import {
  actorLabel,
  deadlineLabel,
  environmentLabel,
  inputsLabel,
  isApply,
  isChange,
  runLabel,
  type PlannedChange,
  type SyncPlan,
} from '../plan/sync-plan.js';
import { helmDeadline } from '../helm/helm.js';
import { parseManifests } from '../kube/objects.js';
import { crdUpgrades, refusedCrdUpgrades, UnsafeCrdChangeError } from './crd-preflight.js';
import { applyOnceCrdsEstablished } from './crds-established.js';
import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import type { ReleaseRecords } from './release-records.js';
import type { ValuesFiles } from './values-files.js';

/** Where a release is in a run: transient states, then one final state. */
export type SyncState =
  | 'queued'
  | 'waiting'
  | 'checking'
  | 'applying'
  | 'readying'
  | 'uninstalling'
  | 'installed'
  | 'upgraded'
  | 'unchanged'
  | 'uninstalled'
  | 'absent'
  | 'failed'
  | 'skipped';

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
  /** This run's id, recorded on every revision it starts, so a later run knows what an interrupted one left. */
  runId: string;
  /** Who started it (app/runs.ts runActor), recorded beside the run id. */
  actor?: string;
  /** helm's records of the releases: a write is reported only once its record confirms it. */
  records: ReleaseRecords;
  onProgress?: SyncProgress;
  /** False once the run is interrupted or lost its lock: nothing new starts, running releases finish. */
  mayStart?: () => boolean;
  /** Why nothing more starts, when it is not an interrupt (the lock was lost). */
  stopped?: () => string | undefined;
  now?: () => number;
  /** CRDs named by --allow-unsafe-crd-change: their upgrade goes ahead though it breaks stored objects or clients. */
  allowUnsafeCrdChanges?: readonly string[];
  /** Each release's manifest as the render check rendered it (unrenderableReleases fills it). */
  rendered?: Map<string, string>;
  /** The release's custom resources, which boutique waits for by their health rules after helm's wait (health-wait.ts). */
  health?: ReleaseHealth;
}

export interface ReleaseHealth {
  /** Whether the release has custom resources: then helm waits for the built-in kinds only, and boutique for them. */
  waitsFor(release: Release): boolean;
  /** Until its custom resources are current: those of its render, or of its deployed revision when it was not rendered. */
  wait(release: Release): Promise<void>;
}

/** How long the head of the longest changing chain runs alone before releases with slack join it (schedule.ts). */
const HEAD_START_MS = 250;

/** Runs one piece of work per release in dependency order, timing it and turning errors into failed results. */
async function runReleaseTasks(
  tasks: { id: string; needs: readonly string[]; priority: number; idle?: boolean; release: Release }[],
  options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now' | 'mayStart' | 'stopped'> & { headStartMs?: number },
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
      headStartMs: options.headStartMs,
      onSkipped: ({ release }, blockedBy) =>
        record({ release, state: 'skipped', detail: skipDetail(blockedBy, results.get(blockedBy)), durationMs: 0 }),
    },
  );
  for (const { release } of tasks) {
    if (!results.has(release.id))
      record({
        release,
        state: 'skipped',
        detail: `not started: ${options.stopped?.() ?? 'the run was interrupted'}`,
        durationMs: 0,
      });
  }
  return results;
}

const keptNote = (kept: readonly string[]) =>
  kept.length > 0 ? [`helm kept ${kept.join(', ')} (helm.sh/resource-policy: keep)`] : [];

/**
 * What a revision records: its inputs and environment, and which run started it with the last moment its helm can
 * write (helmDeadline; HelmCli stops every try of it before then).
 */
function labelsOf(change: PlannedChange, environment: string, options: SyncOptions): Record<string, string> {
  const deadline = helmDeadline(change.release, (options.now ?? Date.now)());
  return {
    [inputsLabel]: change.inputsHash,
    [environmentLabel]: environment,
    [runLabel]: options.runId,
    [deadlineLabel]: String(deadline),
    ...(options.actor && { [actorLabel]: options.actor }),
  };
}

/** helm said it succeeded; its record must agree before boutique says so. */
async function confirmDeployed(release: Release, previous: number | undefined, options: SyncOptions): Promise<void> {
  const confirmed = await options.records.deployedAfter(release, previous);
  if (confirmed.deployed) return;
  throw new ReleaseStateError(`helm reported success, but helm's record of ${release.id} is ${confirmed.seen}`, {
    suggestions: [
      `check it with helm history ${release.name} --namespace ${release.namespace}; the next sync tries again`,
    ],
  });
}

async function carryOut(
  change: PlannedChange,
  environment: string,
  deps: ClusterDeps,
  options: SyncOptions,
): Promise<Outcome> {
  const { release } = change;
  switch (change.action) {
    case 'unchanged':
      // Nothing to apply, but custom resources its rules do not call current: what needs it waits for them.
      if (release.wait && change.notReady && options.health) await options.health.wait(release);
      return { state: 'unchanged' };
    case 'absent':
      return { state: 'absent', detail: change.reasons[0] };
    case 'blocked':
      throw change.error ?? new Error(change.reasons.join(', '));
    case 'uninstall': {
      options.onProgress?.(release, 'uninstalling');
      const { kept } = await deps.helm.uninstall(release, release.wait);
      return { state: 'uninstalled', detail: ['installed: false', ...keptNote(kept)].join('; ') };
    }
    case 'install':
    case 'upgrade': {
      const values = options.valuesFiles.argsFor(release);
      const detail = change.action === 'upgrade' || change.recover ? change.reasons.join(', ') : undefined;
      let previous = change.record?.revision;
      if (change.recover) {
        options.onProgress?.(release, 'applying', change.reasons[0]);
        if (change.recover === 'uninstall') await deps.helm.uninstall(release, true);
        else await deps.helm.rollback(release, undefined);
        previous = (await options.records.current(release))?.revision;
      }
      // helm checks the release against the server before its first write (kinds known, OpenAPI schema, objects
      // it would take over), now that its needs are in place: a refusal fails this release alone, nothing written.
      options.onProgress?.(release, 'applying', detail);
      const healthWait = release.wait && options.health?.waitsFor(release) === true;
      const labels = labelsOf(change, environment, options);
      await applyOnceCrdsEstablished(
        () => deps.helm.upgrade(release, values, labels, { builtInKindsOnly: healthWait }),
        deps,
        (crds) =>
          options.onProgress?.(
            release,
            'applying',
            `waiting for ${crds.length === 1 ? 'its CRD' : `${crds.length} CRDs`} to be established`,
          ),
      );
      await confirmDeployed(release, previous, options);
      if (healthWait) await options.health!.wait(release);
      return { state: change.action === 'install' ? 'installed' : 'upgraded', detail };
    }
  }
}

/**
 * Before anything is applied, every release to install or upgrade must render (client-side, from the render cache
 * where its inputs were rendered before): bad input applies nothing, not even the lock. No server dry run is made
 * here: helm makes the same checks itself right before its first write, once the release's needs are applied (an
 * operator's CRDs, say), which a check made up front could not see.
 */
export async function unrenderableReleases(
  syncPlan: SyncPlan,
  deps: ClusterDeps,
  options: Pick<SyncOptions, 'concurrency' | 'valuesFiles' | 'onProgress' | 'allowUnsafeCrdChanges' | 'rendered'>,
): Promise<Map<string, Error>> {
  const toRender = syncPlan.changes.filter((change) => isApply(change.action));
  const unrenderable = new Map<string, Error>();
  await mapInOrder(toRender, options.concurrency, async ({ release }) => {
    options.onProgress?.(release, 'checking', 'rendering');
    try {
      const manifest = await deps.helm.template(release, options.valuesFiles.argsFor(release));
      options.rendered?.set(release.id, manifest);
      const refused = refusedCrdUpgrades(
        await crdUpgrades(parseManifests(manifest), deps),
        options.allowUnsafeCrdChanges ?? [],
      );
      if (refused.length > 0) unrenderable.set(release.id, new UnsafeCrdChangeError(refused));
    } catch (error) {
      if (isRunError(error)) throw error;
      unrenderable.set(release.id, error as Error);
    }
  });
  return unrenderable;
}

/**
 * Carries out a sync plan whose releases render (see unrenderableReleases; one that does not is rejected instead):
 * each release starts as soon as the releases it needs are done (and, with wait, ready), the longest chain first,
 * bounded by concurrency. A failure skips what needs it; independent releases finish.
 */
export async function applySyncPlan(
  plan: Plan,
  syncPlan: SyncPlan,
  deps: ClusterDeps,
  options: SyncOptions,
): Promise<SyncResult[]> {
  const changeOf = new Map(syncPlan.changes.map((change) => [change.release.id, change]));
  for (const change of syncPlan.changes) {
    if (change.changingNeeds.length > 0)
      options.onProgress?.(change.release, 'waiting', `waiting on ${change.changingNeeds.join(', ')}`);
  }
  const tasks = plan.releases.map((release) => ({
    id: release.id,
    needs: plan.needs.get(release.id)!,
    priority: plan.chainLength.get(release.id)!,
    idle: !isChange(changeOf.get(release.id)!.action),
    release,
  }));
  const results = await runReleaseTasks(
    tasks,
    { ...options, headStartMs: HEAD_START_MS },
    (release) => carryOut(changeOf.get(release.id)!, syncPlan.environment, deps, options),
    (blockedBy, blocker) => `needs ${blockedBy}, which ${blocker?.state === 'failed' ? 'failed' : 'was skipped'}`,
  );
  return plan.releases.map((release) => results.get(release.id)!);
}

/** Some releases do not render: report them failed and every release untouched, having applied nothing. */
export function rejectAll(
  syncPlan: SyncPlan,
  failures: ReadonlyMap<string, Error>,
  options: Pick<SyncOptions, 'onProgress'>,
): SyncResult[] {
  const ids = [...failures.keys()];
  const unsafe = [...failures.values()].every((error) => error instanceof UnsafeCrdChangeError);
  const detail = `nothing was applied: ${ids.join(', ')} ${unsafe ? `would make an unsafe CustomResourceDefinition change` : `${ids.length === 1 ? 'does' : 'do'} not render`}`;
  return syncPlan.changes.map(({ release }) => {
    const error = failures.get(release.id);
    const result: SyncResult = error
      ? { release, state: 'failed', error, durationMs: 0 }
      : { release, state: 'skipped', detail, durationMs: 0 };
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
  options: Pick<SyncOptions, 'concurrency' | 'onProgress' | 'now' | 'mayStart' | 'stopped'>,
): Promise<SyncResult[]> {
  const tasks = [...plan.releases]
    .reverse()
    .map((release) => ({ id: release.id, needs: plan.dependents.get(release.id)!, priority: 0, release }));
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

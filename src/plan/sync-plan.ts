import type { UnreadyObject } from '../health/evaluate.js';
import type { Release } from '../config/types.js';
import { ReleaseStateError } from '../errors.js';
import type { Plan } from './plan.js';

/** Release labels under which sync records what it applied, so the next run can tell nothing changed without rendering. */
export const inputsLabel = 'boutique.dev/inputs';
export const environmentLabel = 'boutique.dev/environment';
/** Set on every revision boutique starts: which run started it, and when helm will have given up on it (epoch s). */
export const runLabel = 'boutique.dev/run';
export const deadlineLabel = 'boutique.dev/deadline';
/** Who started the run (the CI's actor, or user.host): what `history --runs` shows. */
export const actorLabel = 'boutique.dev/actor';

/** helm's record of a release's latest revision: from its storage read in bulk, or from helm itself. */
export interface ReleaseRecord {
  name: string;
  namespace: string;
  revision: number;
  /** deployed, failed, pending-install, pending-upgrade, pending-rollback, superseded, uninstalling */
  status: string;
  chart: string;
  version: string;
  appVersion: string;
  deployedAt: string;
  /** Storage labels, with the ones boutique sets (inputsLabel, environmentLabel). */
  labels: Record<string, string>;
  /**
   * Read through a helm that shows no labels (helm 3's `helm get metadata`, for a storage driver boutique cannot
   * list itself): what boutique recorded on the revision is unknown, so the release is upgraded.
   */
  labelsUnread?: true;
}

/** What boutique saw of one release before deciding: helm's record and, where it matters, the live objects. */
export interface ReleaseObservation {
  /** The latest revision; undefined when helm has none (never installed, or uninstalled). */
  record?: ReleaseRecord;
  /** Hash of the release's inputs now (see app/inputs-hash.ts). */
  inputsHash: string;
  /** Objects that differ from what the deployed revision applied, or are gone; only looked at when nothing else decides. */
  drift?: string[];
  /** Why the release could not be observed (an unreadable record, a stored manifest that does not parse). */
  error?: Error;
  /** Custom resources its health rules do not call current (read with drift). */
  notReady?: UnreadyObject[];
}

export type ChangeAction = 'install' | 'upgrade' | 'unchanged' | 'uninstall' | 'absent' | 'blocked';

/** What a sync will do with one release, and why. sync carries it out; sync --dry-run, status and diff show it. */
export interface PlannedChange {
  release: Release;
  action: ChangeAction;
  /** Why, in words a user reads: "inputs changed", "drift in Deployment/web", "last attempt failed", "pending-upgrade". */
  reasons: string[];
  record?: ReleaseRecord;
  /** The inputs hash an install or upgrade records on the release. */
  inputsHash: string;
  /** Needs (within the selection) that change in this run: the release's server check waits for them. */
  changingNeeds: string[];
  /** Why a blocked release cannot be synced, with what to do. */
  error?: Error;
  /**
   * A revision an interrupted boutique run left pending, to undo before the install or upgrade: a first install is
   * uninstalled, an upgrade rolled back to the last deployed revision.
   */
  recover?: 'uninstall' | 'rollback';
  /** What a deployed release still waits on: custom resources its health rules do not call current. */
  notReady?: UnreadyObject[];
}

export interface SyncPlan {
  environment: string;
  changes: PlannedChange[];
  /**
   * Releases boutique deployed for this environment (their records say so) that releases.yaml no longer declares,
   * in the namespaces read: left running unless sync --prune uninstalls them.
   */
  orphans?: ReleaseRecord[];
}

export const pendingStatus = (status: string) => status.startsWith('pending-');

/**
 * helm's pending states are its lock: another helm may be working on the release right now, so boutique does not
 * force its way through; it says how to unlock one that an interrupted helm left behind.
 */
export function pendingError(release: Release, status: string): ReleaseStateError {
  const unlock =
    status === 'pending-install'
      ? `helm uninstall ${release.name} --namespace ${release.namespace}, then sync again`
      : `boutique rollback ${release.id}, then sync again`;
  return new ReleaseStateError(
    `release ${release.id} is ${status}: another helm operation is in progress, or one was interrupted`,
    {
      suggestions: [`if no other helm is working on it: ${unlock}`],
    },
  );
}

type Decision = Pick<PlannedChange, 'action' | 'reasons' | 'error' | 'recover'>;

/**
 * A pending revision that a boutique run started, on which no helm can work any more: past the deadline it recorded
 * (the last moment a helm of that run could write), or left by a run that ended cleanly (`endedRuns`: it waited for
 * every helm it started), so the next run may undo it. A pending revision boutique did not start stays a lock.
 */
function abandoned(record: ReleaseRecord, nowMs: number, endedRuns: ReadonlySet<string>): boolean {
  const run = record.labels[runLabel];
  const deadline = Number(record.labels[deadlineLabel]);
  return run !== undefined && (endedRuns.has(run) || (Number.isFinite(deadline) && deadline * 1000 < nowMs));
}

function decide(
  release: Release,
  observation: ReleaseObservation,
  environment: string,
  nowMs: number,
  endedRuns: ReadonlySet<string> = new Set(),
): Decision {
  const { record } = observation;
  if (observation.error)
    return { action: 'blocked', reasons: [observation.error.message.split('\n')[0]!], error: observation.error };
  if (!release.installed)
    return record
      ? { action: 'uninstall', reasons: ['installed: false'] }
      : { action: 'absent', reasons: ['installed: false, and not in the cluster'] };
  if (record && pendingStatus(record.status)) {
    if (!abandoned(record, nowMs, endedRuns))
      return { action: 'blocked', reasons: [record.status], error: pendingError(release, record.status) };
    const recover = record.status === 'pending-install' ? 'uninstall' : 'rollback';
    return {
      action: recover === 'uninstall' ? 'install' : 'upgrade',
      reasons: [`recovering ${record.status} left by an interrupted boutique run`],
      recover,
    };
  }
  if (!record) return { action: 'install', reasons: ['not installed'] };
  const recorded = record.labelsUnread
    ? ['inputs unknown: helm 3 shows no release labels']
    : [
        ...(record.labels[inputsLabel] === observation.inputsHash ? [] : ['inputs changed']),
        ...(ownerOf(record) === environment
          ? []
          : [ownerOf(record) ? `last deployed by environment ${ownerOf(record)}` : 'environment changed']),
      ];
  const reasons = [...(record.status === 'deployed' ? [] : [`last attempt ${record.status}`]), ...recorded];
  if (reasons.length === 0 && observation.drift?.length) reasons.push(`drift in ${observation.drift.join(', ')}`);
  return reasons.length > 0 ? { action: 'upgrade', reasons } : { action: 'unchanged', reasons: [] };
}

/** True when a release needs its live objects compared before the plan can say whether it changes (`nowMs`: the run's clock). */
export function needsDriftCheck(
  release: Release,
  observation: Omit<ReleaseObservation, 'drift'>,
  environment: string,
  nowMs: number,
): boolean {
  const { action } = decide(release, observation, environment, nowMs);
  return action === 'unchanged';
}

/**
 * The one model of what a sync would change, decided from observations alone (no helm, no cluster): a release is
 * installed when helm has no record of it, upgraded when its last attempt failed, its inputs or environment changed,
 * or its objects drifted, uninstalled when installed: false, and blocked while another helm operation holds it.
 */
export function planSync(
  plan: Plan,
  observations: ReadonlyMap<string, ReleaseObservation>,
  nowMs: number,
  endedRuns: ReadonlySet<string> = new Set(),
): SyncPlan {
  const changes = new Map<string, PlannedChange>();
  for (const release of plan.releases) {
    const observation = observations.get(release.id);
    if (!observation) throw new Error(`no observation of ${release.id}`);
    const decision = decide(release, observation, plan.environment.name, nowMs, endedRuns);
    // plan.releases is in apply order, so every need is decided before the releases that need it.
    const changingNeeds = plan.needs.get(release.id)!.filter((need) => isChange(changes.get(need)!.action));
    changes.set(release.id, {
      release,
      ...decision,
      record: observation.record,
      inputsHash: observation.inputsHash,
      changingNeeds,
      ...(observation.notReady?.length && { notReady: observation.notReady }),
    });
  }
  return { environment: plan.environment.name, changes: [...changes.values()] };
}

/** The environment whose boutique run last deployed the release, as its record says; undefined when no boutique run did. */
export const ownerOf = (record: ReleaseRecord | undefined): string | undefined =>
  record?.labels[environmentLabel] || undefined;

/**
 * The releases among `writes` that another environment's run deployed last: a run of this environment must not
 * upgrade or uninstall them unless told to take them over (two environments in one namespace, the implicit
 * `default` included, would otherwise replace each other's releases in turn).
 */
export function takeovers(
  writes: readonly PlannedChange[],
  environment: string,
): { release: Release; owner: string }[] {
  return writes.flatMap(({ release, record }) => {
    const owner = ownerOf(record);
    return owner !== undefined && owner !== environment ? [{ release, owner }] : [];
  });
}

/** An install or an upgrade: what helm applies from a render, so what must render before a sync writes anything. */
export const isApply = (action: ChangeAction) => action === 'install' || action === 'upgrade';

export const isChange = (action: ChangeAction) => isApply(action) || action === 'uninstall';

/** Whether a sync would write anything: a release to install, upgrade or uninstall. */
export const changesAnything = (syncPlan: SyncPlan): boolean =>
  syncPlan.changes.some((change) => isChange(change.action));

export function countChanges(syncPlan: SyncPlan): Record<ChangeAction, number> {
  const counts: Record<ChangeAction, number> = {
    install: 0,
    upgrade: 0,
    unchanged: 0,
    uninstall: 0,
    absent: 0,
    blocked: 0,
  };
  for (const change of syncPlan.changes) counts[change.action]++;
  return counts;
}

/** An orphan as a release to uninstall: its name and namespace from helm's record, nothing else to apply. */
export function orphanRelease(record: ReleaseRecord): Release {
  return {
    id: `${record.namespace}/${record.name}`,
    name: record.name,
    namespace: record.namespace,
    chart: { kind: 'local', path: '' },
    chartSource: `${record.chart}-${record.version}`,
    values: [],
    set: [],
    needs: [],
    labels: {},
    installed: false,
    createNamespace: false,
    wait: true,
    timeout: '300s',
    atomic: false,
    historyMax: 10,
    ignoreDifferences: [],
    lintRules: {},
    health: [],
  };
}

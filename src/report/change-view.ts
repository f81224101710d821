import { describeVerdict } from '../health/evaluate.js';
import type { ChangeAction, PlannedChange, ReleaseRecord, SyncPlan } from '../plan/sync-plan.js';
import { countChanges, isChange, ownerOf, takeovers } from '../plan/sync-plan.js';
import { renderTable } from './table.js';

/**
 * What `boutique status` says of a release, read off the same plan sync carries out: in sync, drifted (only drift
 * would be repaired), outdated (an upgrade is due), missing, to uninstall, not installed, or locked.
 */
export type SyncStatus = 'in sync' | 'drifted' | 'outdated' | 'missing' | 'to uninstall' | 'not installed' | 'blocked';

export function syncStatusOf(change: PlannedChange): SyncStatus {
  switch (change.action) {
    case 'unchanged':
      return 'in sync';
    case 'install':
      return 'missing';
    case 'uninstall':
      return 'to uninstall';
    case 'absent':
      return 'not installed';
    case 'blocked':
      return 'blocked';
    case 'upgrade':
      return change.reasons.every((reason) => reason.startsWith('drift in ')) ? 'drifted' : 'outdated';
  }
}

const ACTION_WORD: Record<ChangeAction, string> = {
  install: 'install',
  upgrade: 'upgrade',
  unchanged: 'unchanged',
  uninstall: 'uninstall',
  absent: 'absent',
  blocked: 'blocked',
};

/** `1 to install, 2 to upgrade, 8 unchanged, 1 to uninstall, 1 blocked` (zero counts left out, unchanged always said). */
export function changeCountsPhrase(syncPlan: SyncPlan): string {
  const counts = countChanges(syncPlan);
  const parts = [
    counts.install && `${counts.install} to install`,
    counts.upgrade && `${counts.upgrade} to upgrade`,
    counts.uninstall && `${counts.uninstall} to uninstall`,
    `${counts.unchanged} unchanged`,
    counts.absent && `${counts.absent} absent`,
    counts.blocked && `${counts.blocked} blocked`,
  ];
  return parts.filter(Boolean).join(', ');
}

/** The plan, one release a row, with why: what `sync --dry-run` prints, and what a confirmation shows above its question. */
export function renderPlanTable(syncPlan: SyncPlan): string {
  return renderTable(
    ['RELEASE', 'ACTION', 'WHY', 'WAITS FOR'],
    syncPlan.changes.map((change) => [
      change.release.id,
      ACTION_WORD[change.action],
      change.reasons.join(', ') || '-',
      change.changingNeeds.join(', ') || '-',
    ]),
  );
}

/** `sync --dry-run`: the plan, and that nothing was changed. */
export function renderSyncPlan(syncPlan: SyncPlan): string {
  return `${renderPlanTable(syncPlan)}\nPlan for ${syncPlan.environment}: ${changeCountsPhrase(syncPlan)}. Nothing was changed (dry run).\n${orphansNote(syncPlan)}`;
}

/** The plan as `--output json` lists it (sync --dry-run, status, diff), orphans last. */
export function syncPlanJson(syncPlan: SyncPlan): object[] {
  return [...releasesJson(syncPlan), ...orphansJson(syncPlan)];
}

function releasesJson(syncPlan: SyncPlan): object[] {
  return syncPlan.changes.map((change) => ({
    id: change.release.id,
    name: change.release.name,
    namespace: change.release.namespace,
    action: change.action,
    status: syncStatusOf(change),
    reasons: change.reasons,
    ...(change.changingNeeds.length > 0 && { waitsFor: change.changingNeeds }),
    ...(change.notReady && {
      notReady: change.notReady.map(({ ref, verdict }) => ({
        object: ref,
        state: verdict.state,
        reason: verdict.reason,
      })),
    }),
    ...(ownerOf(change.record) && { deployedBy: ownerOf(change.record) }),
    ...(change.record && {
      revision: change.record.revision,
      helmStatus: change.record.status,
      chart: change.record.chart,
      chartVersion: change.record.version,
      appVersion: change.record.appVersion,
      updated: change.record.deployedAt,
    }),
  }));
}

/** What a deployed release's custom resources say: `; failed: …` for those their rule calls failed, `; waiting for …`. */
function healthNote(change: PlannedChange): string {
  const notReady = change.notReady ?? [];
  const part = (words: string, state: string) => {
    const named = notReady
      .filter(({ verdict }) => verdict.state === state)
      .map(({ ref, verdict }) => describeVerdict(ref, verdict));
    return named.length > 0 ? `; ${words} ${named.join(', ')}` : '';
  };
  return `${part('failed:', 'failed')}${part('waiting for', 'inProgress')}`;
}

/** `boutique status`: helm's view of each release and whether the cluster is in sync with releases.yaml. */
export function renderStatus(syncPlan: SyncPlan): string {
  const row = (name: string, namespace: string, record: ReleaseRecord | undefined, sync: string) => [
    name,
    namespace,
    ownerOf(record) ?? '-',
    record ? String(record.revision) : '-',
    record?.status ?? '-',
    record?.chart || '-',
    record?.version || '-',
    record?.appVersion || '-',
    record?.deployedAt || '-',
    sync,
  ];
  return renderTable(
    ['NAME', 'NAMESPACE', 'DEPLOYED BY', 'REVISION', 'STATUS', 'CHART', 'VERSION', 'APP VERSION', 'UPDATED', 'SYNC'],
    [
      ...syncPlan.changes.map((change) => {
        const status = syncStatusOf(change);
        const why =
          status === 'in sync' || status === 'missing' || status === 'not installed'
            ? ''
            : `: ${change.reasons.join(', ')}`;
        return row(
          change.release.name,
          change.release.namespace,
          change.record,
          `${status}${why}${healthNote(change)}`,
        );
      }),
      ...(syncPlan.orphans ?? []).map((record) =>
        row(record.name, record.namespace, record, `orphaned: ${ORPHAN_WHY}`),
      ),
    ],
  );
}

const ORPHAN_WHY = 'no longer in releases.yaml (sync --prune uninstalls it)';

/** The line sync, diff and sync --dry-run end with when releases.yaml no longer declares releases of the environment. */
export function orphansNote(syncPlan: SyncPlan): string {
  const orphans = syncPlan.orphans ?? [];
  if (orphans.length === 0) return '';
  const names = orphans.map((record) => `${record.namespace}/${record.name}`).join(', ');
  return `orphaned: ${names} ${orphans.length === 1 ? 'was' : 'were'} deployed for ${syncPlan.environment} and ${orphans.length === 1 ? 'is' : 'are'} no longer in releases.yaml; sync --prune uninstalls ${orphans.length === 1 ? 'it' : 'them'}\n`;
}

/** The orphans as `--output json` lists them, beside the releases. */
export function orphansJson(syncPlan: SyncPlan): object[] {
  return (syncPlan.orphans ?? []).map((record) => ({
    id: `${record.namespace}/${record.name}`,
    name: record.name,
    namespace: record.namespace,
    action: 'orphaned',
    status: 'orphaned',
    reasons: [ORPHAN_WHY],
    revision: record.revision,
    helmStatus: record.status,
    chart: record.chart,
    chartVersion: record.version,
    appVersion: record.appVersion,
    updated: record.deployedAt,
  }));
}

/** diff's note for each release a sync of this environment would take over from another (sync needs --take-over). */
export function takeoverNotes(syncPlan: SyncPlan): string {
  return takeovers(
    syncPlan.changes.filter((change) => isChange(change.action)),
    syncPlan.environment,
  )
    .map(
      ({ release, owner }) =>
        `note: ${release.id} was last deployed by environment ${owner}: a sync of ${syncPlan.environment} needs --take-over\n`,
    )
    .join('');
}

import type { ChangeAction, PlannedChange, SyncPlan } from '../plan/sync-plan.js';
import { countChanges, ownerOf } from '../plan/sync-plan.js';
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
  install: 'install', upgrade: 'upgrade', unchanged: 'unchanged', uninstall: 'uninstall', absent: 'absent', blocked: 'blocked',
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
    syncPlan.changes.map((change) => [change.release.id, ACTION_WORD[change.action], change.reasons.join(', ') || '-', change.changingNeeds.join(', ') || '-']),
  );
}

/** `sync --dry-run`: the plan, and that nothing was changed. */
export function renderSyncPlan(syncPlan: SyncPlan): string {
  return `${renderPlanTable(syncPlan)}\nPlan for ${syncPlan.environment}: ${changeCountsPhrase(syncPlan)}. Nothing was changed (dry run).\n`;
}

/** The plan as `--output json` lists it (sync --dry-run, status). */
export function syncPlanJson(syncPlan: SyncPlan): object[] {
  return syncPlan.changes.map((change) => ({
    id: change.release.id,
    name: change.release.name,
    namespace: change.release.namespace,
    action: change.action,
    status: syncStatusOf(change),
    reasons: change.reasons,
    ...(change.changingNeeds.length > 0 && { waitsFor: change.changingNeeds }),
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

/** `boutique status`: helm's view of each release and whether the cluster is in sync with releases.yaml. */
export function renderStatus(syncPlan: SyncPlan): string {
  return renderTable(
    ['NAME', 'NAMESPACE', 'DEPLOYED BY', 'REVISION', 'STATUS', 'CHART', 'VERSION', 'APP VERSION', 'UPDATED', 'SYNC'],
    syncPlan.changes.map((change) => {
      const { record } = change;
      const status = syncStatusOf(change);
      const why = status === 'in sync' || status === 'missing' || status === 'not installed' ? '' : `: ${change.reasons.join(', ')}`;
      return [
        change.release.name, change.release.namespace, ownerOf(record) ?? '-', record ? String(record.revision) : '-', record?.status ?? '-', record?.chart || '-',
        record?.version || '-', record?.appVersion || '-', record?.deployedAt || '-', `${status}${why}`,
      ];
    }),
  );
}

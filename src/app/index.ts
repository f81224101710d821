/** The use cases, the only part of app/ that commands call. */
export { diffAgainstBase, type BaseDiffOutcome, type BaseReleaseChange } from './base-diff.js';
export { commentThread, upsertComment, type CommentHost } from './pr-comment.js';
export { destroy, diff, dryRunSync, planChanges, sync, type DiffOutcome, type ReleaseRun } from './changes.js';
export type { ClusterDeps } from './deps.js';
export type { SyncPlan } from '../plan/sync-plan.js';
export { listHealthRules, type ListedHealthRule } from './health-rules.js';
export { importHelmfile, type ImportResult } from './import.js';
export { configFindings, lintReleases } from './lint.js';
export { findRelease, rollback, rollbackTarget } from './rollback.js';
export type { SyncProgress, SyncResult } from './sync.js';
export { renderReleases, type RenderResult } from './template.js';
export { editVersions, promoteVersions, type VersionChange, type VersionsEdit } from './promote.js';
export { enforcePromotionGate, type GateOptions } from './promotion-gate.js';
export { promotionFindings } from './offline-gate.js';
export { setImages } from './set-image.js';
export { exportReleases, type ExportOptions } from './export.js';
export { listRuns, runUndo, undoRun, type Run, type RunUndo } from './runs.js';
export { unreadVersions, unreadVersionWarning } from './unread-versions.js';

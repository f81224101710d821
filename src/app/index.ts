/** The use cases, the only part of app/ that commands call. */
export { destroy, diff, planChanges, sync, type DiffOutcome, type ReleaseRun } from './changes.js';
export type { ClusterDeps } from './deps.js';
export type { SyncPlan } from '../plan/sync-plan.js';
export { importHelmfile, type ImportResult } from './import.js';
export { configFindings, lintReleases } from './lint.js';
export { findRelease, rollback } from './rollback.js';
export type { SyncProgress, SyncResult } from './sync.js';
export { renderReleases, type RenderResult } from './template.js';

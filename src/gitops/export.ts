/**
 * A door kept for commands/export.ts (changed by another branch today), which imports this path: the use case
 * lives in app/export.ts, the conversion in gitops/convert.ts, the view in gitops/export-view.ts. Remove it once the
 * command imports app/index.ts.
 */
export { exportReleases } from '../app/export.js';
export { engines } from './convert.js';
export { renderExportSummary } from './export-view.js';

import type { SyncResult } from '../app/sync.js';
import { describeState } from './release-state.js';
import { renderTable } from './table.js';

/** The table that ends a sync or destroy. */
export function renderSyncSummary(results: readonly SyncResult[]): string {
  return renderTable(
    ['RELEASE', 'RESULT', 'DURATION', 'DETAIL'],
    results.map((result) => [
      result.release.id,
      result.state,
      result.durationMs > 0 ? `${(result.durationMs / 1000).toFixed(1)}s` : '-',
      result.state === 'failed' ? 'see the error below' : (result.detail ?? '-'),
    ]),
  );
}

/** Whether a run wrote anything: a release installed, upgraded or uninstalled. */
export const changedAnything = (results: readonly SyncResult[]): boolean =>
  results.some(({ state }) => state === 'installed' || state === 'upgraded' || state === 'uninstalled');

export function countStates(results: readonly SyncResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) counts[result.state] = (counts[result.state] ?? 0) + 1;
  return counts;
}

/** Each release's result, as `--output json` lists them. */
export function syncResultsJson(results: readonly SyncResult[]): object[] {
  return results.map((result) => ({
    id: result.release.id,
    name: result.release.name,
    namespace: result.release.namespace,
    result: result.state,
    durationMs: result.durationMs,
    ...(result.detail && { detail: result.detail }),
    description: describeState(result.state, result.detail, result.durationMs),
  }));
}

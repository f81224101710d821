import type { SyncState } from '../app/sync.js';

// Apart from progress.ts, which loads listr2: the summary table says the same of each release without it.

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** One line about a release's state, as both renderers show it. */
export function describeState(state: SyncState, detail?: string, durationMs?: number): string {
  const took = durationMs === undefined ? '' : ` in ${seconds(durationMs)}`;
  switch (state) {
    case 'queued':
      return 'queued';
    case 'waiting':
      return detail ?? 'waiting';
    case 'checking':
      return 'checking the deployed release';
    case 'applying':
      return detail ? `applying (${detail})` : 'applying and waiting for readiness';
    case 'readying':
      return detail ?? 'waiting for custom resources';
    case 'uninstalling':
      return 'uninstalling';
    case 'installed':
    case 'upgraded':
    case 'uninstalled':
      return `${state}${took}${detail ? ` (${detail})` : ''}`;
    case 'unchanged':
      return 'unchanged';
    case 'absent':
      return detail ?? 'not installed';
    case 'failed':
      return `failed${took}`;
    case 'skipped':
      return `skipped: ${detail ?? ''}`;
  }
}

import type { ListrTaskWrapper } from 'listr2';
import type { SyncProgress, SyncState } from '../app/sync.js';
import type { Release } from '../config/types.js';

const finalStates: ReadonlySet<SyncState> = new Set(['installed', 'upgraded', 'unchanged', 'uninstalled', 'absent', 'failed', 'skipped']);

export type ProgressMode = 'interactive' | 'plain' | 'silent';

/** listr2 on a terminal; timestamped plain lines in CI or when piped; nothing when a test asks for silence. */
export function progressMode(options: { isTTY: boolean; ci: boolean; silent?: boolean }): ProgressMode {
  if (options.silent) return 'silent';
  return options.isTTY && !options.ci ? 'interactive' : 'plain';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

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

export interface ProgressReporter {
  update: SyncProgress;
  /** Waits for the renderer to draw the final state. */
  finish(): Promise<void>;
}

export async function createProgress(mode: ProgressMode, releases: readonly Release[], write: (line: string) => void = (line) => process.stderr.write(line)): Promise<ProgressReporter> {
  if (mode === 'silent') return { update: () => undefined, finish: async () => undefined };
  if (mode === 'plain') {
    return {
      update: (release, state, detail, durationMs) => write(`${new Date().toISOString()} ${release.id}: ${describeState(state, detail, durationMs)}\n`),
      finish: async () => undefined,
    };
  }
  return interactiveProgress(releases);
}

interface TaskHandle {
  task?: ListrTaskWrapper<unknown, never, never>;
  title: string;
  state?: SyncState;
  detail?: string;
  settle?: () => void;
}

/**
 * listr2 wants its tasks up front, while sync decides when each release runs; so each listr task only mirrors a
 * release, waiting until sync reports a final state for it.
 */
async function interactiveProgress(releases: readonly Release[]): Promise<ProgressReporter> {
  // listr2 is loaded only for a terminal: piped and CI runs, and every command without progress, start faster.
  const { Listr } = await import('listr2');
  const handles = new Map<string, TaskHandle>(releases.map((release) => [release.id, { title: `${release.id}: queued` }]));
  const apply = (handle: TaskHandle) => {
    if (!handle.task) return;
    handle.task.title = handle.title;
    if (handle.state && finalStates.has(handle.state)) {
      if (handle.state === 'skipped') handle.task.skip(handle.title);
      handle.settle?.();
    }
  };
  const list = new Listr(
    releases.map((release) => ({
      title: handles.get(release.id)!.title,
      task: (_context: unknown, task: ListrTaskWrapper<unknown, never, never>) =>
        new Promise<void>((resolve, reject) => {
          const handle = handles.get(release.id)!;
          handle.task = task;
          handle.settle = () => (handle.state === 'failed' ? reject(new Error(handle.title)) : resolve());
          apply(handle);
        }),
    })),
    { concurrent: true, exitOnError: false },
  );
  const running = list.run().catch(() => undefined);
  return {
    update: (release, state, detail, durationMs) => {
      const handle = handles.get(release.id);
      if (!handle) return;
      Object.assign(handle, { state, detail, title: `${release.id}: ${describeState(state, detail, durationMs)}` });
      apply(handle);
    },
    finish: async () => {
      await running;
    },
  };
}

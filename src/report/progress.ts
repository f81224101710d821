import { color, DefaultRenderer, Listr, ListrLogger, ListrTaskState, ProcessOutput } from 'listr2';
import type { SyncProgress, SyncResult, SyncState } from '../app/sync.js';
import type { Release } from '../config/types.js';
import { describeState, seconds } from './release-state.js';

const finalStates: ReadonlySet<SyncState> = new Set([
  'installed',
  'upgraded',
  'unchanged',
  'uninstalled',
  'absent',
  'failed',
  'skipped',
]);
const activeStates: ReadonlySet<SyncState> = new Set(['checking', 'applying', 'readying', 'uninstalling']);
const pendingStates: ReadonlySet<SyncState> = new Set(['queued', 'waiting']);

export type ProgressMode = 'interactive' | 'plain' | 'github' | 'silent';

/**
 * listr2 on a terminal; timestamped plain lines in CI or when piped, folded per release on GitHub Actions (whose log
 * is no terminal); nothing when a test asks for silence.
 */
export function progressMode(options: {
  isTTY: boolean;
  ci: boolean;
  github?: boolean;
  silent?: boolean;
}): ProgressMode {
  if (options.silent) return 'silent';
  if (options.github) return 'github';
  return options.isTTY && !options.ci ? 'interactive' : 'plain';
}

/** The mode for this process: progress goes to stderr. */
export function progressModeOfProcess(): ProgressMode {
  return progressMode({
    isTTY: process.stderr.isTTY === true,
    ci: Boolean(process.env.CI),
    github: process.env.GITHUB_ACTIONS === 'true',
  });
}

/**
 * The mark before a release in the terminal: pending and final states each have their own; active states have none
 * because the spinner stands there. Applied (✔) and unchanged (=) never look alike.
 */
export function stateMark(state: SyncState): string | undefined {
  switch (state) {
    case 'queued':
      return color.dim('·');
    case 'waiting':
      return color.dim('…');
    case 'installed':
    case 'upgraded':
    case 'uninstalled':
      return color.green('✔');
    case 'unchanged':
      return color.dim('=');
    case 'absent':
      return color.dim('○');
    case 'failed':
      return color.red('✖');
    case 'skipped':
      return color.yellow('↷');
    default:
      return undefined;
  }
}

/**
 * The line that ends a sync or destroy: `3 upgraded, 8 unchanged, 1 failed in 42.0s`, states in their life order,
 * then how many helm and kubectl commands were tried again after a transient API error.
 */
export function renderTotals(results: readonly SyncResult[], elapsedMs: number, retries = 0): string {
  const order = [...finalStates];
  const counts = new Map<SyncState, number>();
  for (const { state } of results) counts.set(state, (counts.get(state) ?? 0) + 1);
  const parts = order.filter((state) => counts.has(state)).map((state) => `${counts.get(state)} ${state}`);
  const retried =
    retries === 0 ? '' : ` (${retries} command${retries === 1 ? '' : 's'} retried after transient API errors)`;
  return `${parts.join(', ') || 'no releases'} in ${seconds(elapsedMs)}${retried}\n`;
}

export interface ProgressReporter {
  update: SyncProgress;
  /** Waits for the renderer to draw the final state. */
  finish(): Promise<void>;
}

export interface ProgressOptions {
  /** What each release waits for, so `waiting on` names only the needs not done yet. */
  needs?: ReadonlyMap<string, readonly string[]>;
  /** Where plain and GitHub lines go. */
  write?: (text: string) => void;
  /** Where the interactive list is drawn (a terminal). */
  stream?: NodeJS.WriteStream;
  now?: () => number;
}

/** Release states as reported so far, and the description each deserves now. */
class ReleaseStates {
  private readonly finished = new Set<string>();

  constructor(private readonly needs: ReadonlyMap<string, readonly string[]> | undefined) {}

  record(release: Release, state: SyncState): void {
    if (finalStates.has(state)) this.finished.add(release.id);
  }

  /** `waiting on` lists only needs still to finish; with none left, the release waits for a free slot: queued. */
  describe(
    release: Release,
    state: SyncState,
    detail?: string,
    durationMs?: number,
  ): { state: SyncState; text: string } {
    const needs = this.needs?.get(release.id);
    if (state !== 'waiting' || !needs) return { state, text: describeState(state, detail, durationMs) };
    const remaining = needs.filter((id) => !this.finished.has(id));
    if (remaining.length === 0) return { state: 'queued', text: describeState('queued') };
    return { state, text: describeState(state, `waiting on ${remaining.join(', ')}`) };
  }
}

export function createProgress(
  mode: ProgressMode,
  releases: readonly Release[],
  options: ProgressOptions = {},
): ProgressReporter {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const states = new ReleaseStates(options.needs);
  const line = (release: Release, state: SyncState, detail?: string, durationMs?: number) => {
    states.record(release, state);
    return `${new Date().toISOString()} ${release.id}: ${states.describe(release, state, detail, durationMs).text}\n`;
  };
  switch (mode) {
    case 'silent':
      return { update: () => undefined, finish: async () => undefined };
    case 'plain':
      return { update: (release, ...rest) => write(line(release, ...rest)), finish: async () => undefined };
    case 'github':
      return githubProgress(line, write);
    case 'interactive':
      return interactiveProgress(releases, states, options);
  }
}

/**
 * GitHub folds a log between `::group::` and `::endgroup::`, and folds cannot interleave: each release's lines are
 * kept until it ends, then printed as one fold titled with its outcome.
 */
function githubProgress(
  line: (release: Release, state: SyncState, detail?: string, durationMs?: number) => string,
  write: (text: string) => void,
): ProgressReporter {
  const kept = new Map<string, string[]>();
  return {
    update: (release, state, detail, durationMs) => {
      const lines = kept.get(release.id) ?? [];
      lines.push(line(release, state, detail, durationMs));
      kept.set(release.id, lines);
      if (!finalStates.has(state)) return;
      kept.delete(release.id);
      write(`::group::${release.id}: ${describeState(state, detail, durationMs)}\n${lines.join('')}::endgroup::\n`);
    },
    finish: async () => undefined,
  };
}

/** listr2 draws only on what it takes for a terminal (process.stdout); boutique decides that itself, for stderr. */
class TerminalRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

interface TaskHandle {
  release: Release;
  /** listr2's task for the release, whose title shows the state. */
  shown?: { title$: string; state: ListrTaskState; state$: ListrTaskState };
  state: SyncState;
  detail?: string;
  durationMs?: number;
  activeSince?: number;
  /** Callers waiting until sync makes the release active (or ends it), so listr2 starts its task then and not before. */
  waiting: (() => void)[];
  prechecked: boolean;
  /** listr2 has started the task; a release checked before the run may still go back to waiting. */
  begun?: boolean;
  /** Ends the listr task, once the release has a final state or the run is over. */
  settle: () => void;
  settled: Promise<void>;
}

function taskHandle(release: Release): TaskHandle {
  let settle = () => undefined as void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  return { release, state: 'queued', waiting: [], settled, settle, prechecked: false };
}

/**
 * listr2 wants its tasks up front, while sync decides when each release runs; so each listr task only mirrors a
 * release. A task starts (and spins) only once its release is active: listr2 asks every task's `enabled` once before
 * running any, then again right before starting it, and that second answer waits for sync. A release checked before
 * the run that then waits for its needs has its task set back to waiting. The marks are in the titles, so the icons
 * listr2 would put before a waiting or completed task are blank.
 */
function interactiveProgress(
  releases: readonly Release[],
  states: ReleaseStates,
  options: ProgressOptions,
): ProgressReporter {
  const now = options.now ?? Date.now;
  const handles = new Map(releases.map((release) => [release.id, taskHandle(release)]));
  const title = (handle: TaskHandle) => {
    const { state, text } = states.describe(handle.release, handle.state, handle.detail, handle.durationMs);
    const timer =
      activeStates.has(state) && handle.activeSince !== undefined
        ? color.dim(` ${Math.floor((now() - handle.activeSince) / 1000)}s`)
        : '';
    const mark = stateMark(state);
    return `${mark ? `${mark} ` : ''}${handle.release.id}: ${text}${timer}`;
  };
  const isPending = (handle: TaskHandle) => pendingStates.has(states.describe(handle.release, handle.state).state);
  const redraw = (handle: TaskHandle) => {
    const shown = handle.shown;
    if (!shown) return;
    // Checked before the run, a release then waits for its needs: its running task goes back to not spinning.
    // The title first: each change redraws, and a mark must never stand beside a spinner.
    shown.title$ = title(handle);
    const { state } = states.describe(handle.release, handle.state);
    if (shown.state === ListrTaskState.STARTED && pendingStates.has(state)) shown.state$ = ListrTaskState.WAITING;
    else if (shown.state === ListrTaskState.WAITING && activeStates.has(state) && handle.begun)
      shown.state$ = ListrTaskState.STARTED;
  };
  const list = new Listr(
    [...handles.values()].map((handle) => ({
      title: title(handle),
      enabled: () => {
        if (!handle.prechecked) return (handle.prechecked = true);
        return new Promise<boolean>((resolve) =>
          isPending(handle) ? handle.waiting.push(() => resolve(true)) : resolve(true),
        );
      },
      task: () => {
        handle.begun = true;
        redraw(handle);
        return handle.settled;
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: TerminalRenderer,
      rendererOptions: { icon: { WAITING: '', COMPLETED: '' }, logger: terminalLogger(options.stream) },
    },
  );
  [...handles.values()].forEach((handle, index) => (handle.shown = list.tasks[index]));
  const ticker = setInterval(() => {
    for (const handle of handles.values()) if (activeStates.has(handle.state)) redraw(handle);
  }, 1000);
  ticker.unref();
  // Drawn from the first update on: until then the terminal is free for a confirmation or the lock's wait.
  let running: Promise<unknown> | undefined;
  return {
    update: (release, state, detail, durationMs) => {
      const handle = handles.get(release.id);
      if (!handle) return;
      running ??= list.run().catch(() => undefined);
      states.record(release, state);
      if (activeStates.has(state)) handle.activeSince ??= now();
      Object.assign(handle, { state, detail, durationMs });
      redraw(handle);
      if (!isPending(handle)) handle.waiting.splice(0).forEach((start) => start());
      if (!finalStates.has(state)) return;
      handle.settle();
      // A release that finished may be the last need another waits on.
      for (const other of handles.values()) if (other.state === 'waiting') redraw(other);
    },
    finish: async () => {
      for (const handle of handles.values()) {
        handle.settle();
        handle.waiting.splice(0).forEach((start) => start());
      }
      await running;
      clearInterval(ticker);
    },
  };
}

/** listr2 writes its list to the terminal given, and holds back what others write to stdout meanwhile. */
const terminalLogger = (stream: NodeJS.WriteStream = process.stderr) =>
  new ListrLogger({ processOutput: new ProcessOutput(stream, process.stdout) });

/**
 * A spinner on stderr while a command reads the cluster (diff, status) on a terminal; elsewhere nothing, since logs
 * gain nothing from it. The spinner is cleared once the reading is done.
 */
export async function whileReading<T>(
  mode: ProgressMode,
  what: string,
  work: () => Promise<T>,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<T> {
  if (mode !== 'interactive') return work();
  let result: T | undefined;
  await new Listr([{ title: what, task: async () => void (result = await work()) }], {
    exitOnError: true,
    registerSignalListeners: false,
    renderer: TerminalRenderer,
    rendererOptions: { clearOutput: true, logger: terminalLogger(stream) },
  }).run();
  return result as T;
}

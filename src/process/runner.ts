import type { ExecaError } from 'execa';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExecError, ToolError } from '../errors.js';

export interface RunOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  /** Exit codes that are answers rather than failures (kubectl diff exits 1 when there are differences). */
  okExitCodes?: number[];
  /** What a trace or an error shows of a text: the caller's secret values masked (secrets/mask.ts). */
  mask?: (text: string) => string;
  /** The child is stopped past this (SIGTERM, then SIGKILL KILL_AFTER_MS later): no command may hang a run. */
  timeoutMs?: number;
  /**
   * The moment (epoch ms) by which every try must have been stopped, retries included: a helm whose revision records
   * a deadline is never left writing past it (its SIGKILL comes at most KILL_AFTER_MS later). Wins over timeoutMs.
   */
  until?: number;
  /**
   * Tried again with backoff: a `read` on any transient failure (the server unreachable, 5xx, 429); a `write` only
   * when helm failed before its first write (it could not reach or discover the cluster). A write that may have
   * landed is never repeated.
   */
  retry?: 'read' | 'write';
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The one door to child processes: argument arrays, never a shell. */
export interface Runner {
  run(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
}

/** A command that runs beside the run (a watch), its stdout handed over line by line until it is stopped. */
export interface LineStream {
  /** Stops the command; lines already read have been handed over. */
  stop(): void;
  /** Settles when the command has ended, for whatever reason (stopped, failed, the server closed the watch). */
  ended: Promise<void>;
}

export interface Streamer {
  stream(command: string, args: string[], onLine: (line: string) => void): LineStream;
}

/** A command's default bound; callers that wait for readiness pass the release's own timeout plus a margin. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** A child still running this long after its SIGTERM gets SIGKILL. */
export const KILL_AFTER_MS = 5_000;

/**
 * coreutils' `timeout` on PATH, or undefined (macOS without coreutils): the watchdog of a command bound by `until`.
 * Found once, on the first such command.
 */
let watchdog: string | null | undefined;
function findWatchdog(): string | undefined {
  if (watchdog === undefined) {
    watchdog = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      try {
        accessSync(join(dir, 'timeout'), constants.X_OK);
        watchdog = join(dir, 'timeout');
        break;
      } catch {
        // not in this folder
      }
    }
  }
  return watchdog ?? undefined;
}

/**
 * `command args` run under a watchdog that stops it by the bound whether or not boutique is still there to: when
 * boutique itself is killed (SIGKILL, a CI runner torn down), a helm in its own process group would go on writing
 * past the deadline its revision records, and race the recovery of the next run. `timeout` sends SIGTERM a second
 * after boutique's own stop would, and SIGKILL before the deadline's SIGKILL delay is over; boutique's own stop
 * comes first while it lives, so the command's error stays boutique's.
 */
function underWatchdog(command: string, args: string[], timeoutMs: number): [string, string[]] {
  const timeout = findWatchdog();
  if (!timeout) return [command, args];
  const seconds = (ms: number) => `${(ms / 1000).toFixed(3)}s`;
  return [timeout, ['--kill-after', seconds(KILL_AFTER_MS - 2_000), seconds(timeoutMs + 1_000), command, ...args]];
}

/** helm's own words when it could not reach or discover the cluster: it fails there before writing anything. */
const BEFORE_ANY_WRITE =
  /kubernetes cluster unreachable|could not get server version|couldn't get current server API group list|unable to retrieve the complete list of server APIs/i;
/**
 * The API server refused the connection, or answered that it could not handle the request now. Not a reset, a
 * timeout or a lost connection: client-go (helm, kubectl) has already tried those again for up to a minute, and a
 * second loop around its own would only multiply the wait.
 */
const TRANSIENT = new RegExp(
  `${BEFORE_ANY_WRITE.source}|connection refused|the server is currently unable to handle the request|an error on the server|\\(InternalError\\)|Internal error occurred|\\(ServiceUnavailable\\)|TooManyRequests|Too many requests`,
  'i',
);
/** A server whose certificate is not trusted stays untrusted: never tried again. */
const NEVER_AGAIN =
  /x509: |tls: failed to verify|certificate signed by unknown authority|certificate is not valid|certificate has expired/i;
/** client-go's words when it gave up after its own retries, or its request timeout. */
const CLIENT_GO_RETRIED = /error from a previous attempt|context deadline exceeded|Client\.Timeout exceeded/i;

export function isRetryable(kind: 'read' | 'write', stderr: string): boolean {
  if (NEVER_AGAIN.test(stderr) || CLIENT_GO_RETRIED.test(stderr)) return false;
  return (kind === 'read' ? TRANSIENT : BEFORE_ANY_WRITE).test(stderr);
}

/** The waits before each new try of a read that met a transient failure. */
const RETRY_DELAYS_MS = [200, 500, 1_000, 2_000];
/**
 * How many times a request is tried again while the server answers with a Retry-After (it is there, and asks to be
 * asked again later): client-go's own limit for such answers, so boutique gives up no sooner than helm and kubectl.
 */
const RETRY_AFTER_TRIES = 10;

const hide = (text: string, mask: ((text: string) => string) | undefined): string => (mask ? mask(text) : text);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a try met a transient failure, and how long the server asked to wait before the next (Retry-After). */
export interface Transient {
  why: string;
  /** Only when the server said (Retry-After): such a failure may be tried again up to RETRY_AFTER_TRIES times. */
  waitMs?: number;
}

/**
 * `once`, tried again after each of the backoff delays while `transient` says its outcome (a result, or an error)
 * was a transient failure; the last try's outcome stands. The one retry loop of boutique's, for child processes and
 * for its own requests alike.
 */
export async function withRetries<T>(
  once: () => Promise<T>,
  transient: (outcome: { value: T } | { error: unknown }) => Transient | undefined,
  onRetry: (delayMs: number, why: string) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = { value: await once() };
    } catch (error) {
      outcome = { error };
    }
    const failure = attempt < RETRY_AFTER_TRIES ? transient(outcome) : undefined;
    if (!failure || (failure.waitMs === undefined && attempt >= RETRY_DELAYS_MS.length)) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    const delay = Math.max(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!, failure.waitMs ?? 0);
    onRetry(delay, failure.why);
    await sleep(delay);
  }
}

export class ExecaRunner implements Runner, Streamer {
  /** How many commands were tried again after a transient failure, for the run's summary. */
  retries = 0;
  private readonly running = new Set<{ pid?: number; kill(signal?: NodeJS.Signals): boolean }>();

  /**
   * Stops every child now (a second interrupt), with whatever it started: helm runs as the leader of its own process
   * group, which gets SIGTERM, and SIGKILL 5 s later if it is still there. helm marks what it was doing as failed
   * (or leaves it pending), which the next run recovers.
   */
  killAll(): void {
    const signalGroup = (child: { pid?: number; kill(signal?: NodeJS.Signals): boolean }, signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal); // not a group leader (a watch, in boutique's own group), or already gone
      }
    };
    const children = [...this.running];
    for (const child of children) signalGroup(child, 'SIGTERM');
    setTimeout(() => {
      for (const child of children) if (this.running.has(child)) signalGroup(child, 'SIGKILL');
    }, KILL_AFTER_MS).unref();
  }

  /** `trace` sees every command line before it runs (for --debug): secret values never are in one, and are masked wherever they appear. */
  constructor(private readonly trace?: (line: string) => void) {}

  async run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return withRetries(
      () => this.runOnce(command, args, options),
      (outcome) => {
        const error = 'error' in outcome ? outcome.error : undefined;
        if (!options.retry || !(error instanceof ExecError) || !isRetryable(options.retry, error.stderr))
          return undefined;
        // No new try once what is left before `until` is hardly more than the wait for it.
        if (options.until !== undefined && options.until - Date.now() < 2 * RETRY_DELAYS_MS.at(-1)!) return undefined;
        return { why: error.stderr.trim().split('\n').at(-1) ?? '' };
      },
      (delay, why) => this.countRetry(delay, why),
    );
  }

  /** A try again after a transient failure: counted for the run's summary, and traced. */
  countRetry(delayMs: number, why: string): void {
    this.retries++;
    this.trace?.(`retrying in ${delayMs} ms after: ${why}`);
  }

  stream(command: string, args: string[], onLine: (line: string) => void): LineStream {
    this.trace?.(`$ ${[command, ...args].join(' ')} (in the background)`);
    let stopped = false;
    let stopChild = () => {
      stopped = true;
    };
    const ended = import('execa').then(async ({ execa }) => {
      if (stopped) return;
      // In boutique's process group, unlike helm: a watch has nothing to finish, so a Ctrl-C may stop it at once.
      const child = execa(command, args, { stdin: 'ignore', stderr: 'ignore', buffer: false, reject: false });
      this.running.add(child);
      stopChild = () => child.kill('SIGTERM');
      let pending = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
      await child;
      this.running.delete(child);
    });
    return { stop: () => stopChild(), ended: ended.catch(() => undefined) };
  }

  private async runOnce(command: string, args: string[], options: RunOptions): Promise<RunResult> {
    this.trace?.(`$ ${hide([command, ...args].join(' '), options.mask)}`);
    const timeoutMs =
      options.until !== undefined ? Math.max(1, options.until - Date.now()) : (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Loaded with the first process: a run answered from caches never loads execa's hundred modules.
    const { execa } = await import('execa');
    // A command bound by `until` writes what records that moment: its bound must hold even if boutique dies first.
    const watched = options.until !== undefined;
    const [file, argv] = watched ? underWatchdog(command, args, timeoutMs) : [command, args];
    try {
      const child = execa(file, argv, {
        env: options.env,
        // Never a terminal's stdin: a credential prompt must fail at once, not wait for a person who is not there.
        ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
        cwd: options.cwd,
        reject: false,
        stripFinalNewline: false,
        timeout: timeoutMs,
        forceKillAfterDelay: KILL_AFTER_MS,
        // Its own process group: a Ctrl-C in the terminal reaches boutique, which lets a running helm finish (or
        // roll back) rather than die halfway through a write.
        detached: true,
      });
      this.running.add(child);
      const result = await child.finally(() => this.running.delete(child));
      if (result.timedOut) {
        throw new ExecError(
          command,
          args.map((arg) => hide(arg, options.mask)),
          undefined,
          `${command} did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped\n${hide(String(result.stderr), options.mask)}`,
        );
      }
      if (result.failed && result.exitCode === undefined) throw result;
      const exitCode = result.exitCode ?? 1;
      // `timeout` could not start the command: as if execa had not found it.
      if (
        watched &&
        file !== command &&
        exitCode === 127 &&
        /^timeout: failed to run command/m.test(String(result.stderr))
      )
        throw Object.assign(new Error(String(result.stderr)), { code: 'ENOENT' });
      if (exitCode !== 0 && !(options.okExitCodes ?? []).includes(exitCode)) {
        throw new ExecError(
          command,
          args.map((arg) => hide(arg, options.mask)),
          exitCode,
          hide(String(result.stderr), options.mask),
        );
      }
      return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
    } catch (error) {
      if (error instanceof ExecError) throw error;
      const execaError = error as ExecaError;
      if (execaError.code === 'ENOENT')
        throw new ToolError(`${command}: not found`, {
          cause: error,
          suggestions: ['install it, or point boutique at it with --helm-binary or BOUTIQUE_HELM'],
        });
      throw new ExecError(
        command,
        args.map((arg) => hide(arg, options.mask)),
        undefined,
        hide(execaError.shortMessage ?? String(error), options.mask),
        { cause: error },
      );
    }
  }
}

/**
 * Typed errors. Every error a user can cause carries an exit code and, where we know one, what to do next;
 * the CLI prints them without a stack trace (`--debug` shows it).
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  /** releases.yaml or command-line input is invalid; nothing was sent to helm or the cluster. */
  config: 2,
  /** `diff --detailed-exitcode`: the run succeeded and there are changes. */
  changes: 2,
} as const;

export abstract class AppError extends Error {
  abstract readonly code: string;
  /** Most errors are failures of the run; input errors say ExitCode.config. */
  readonly exitCode: number = ExitCode.failure;
  readonly suggestions: string[];

  constructor(message: string, options: { cause?: unknown; suggestions?: string[] } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.suggestions = options.suggestions ?? [];
  }
}

/** One problem in a config file, located by line and column (1-based). */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** JSON path inside the document, e.g. `/releases/3/needs/0`; empty for the whole file. */
  path: string;
  message: string;
  hint?: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.hint ? `${where}: ${issue.message}\n  hint: ${issue.hint}` : `${where}: ${issue.message}`;
}

/** Every problem found in releases.yaml, reported at once. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG';
  override readonly exitCode = ExitCode.config;

  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** Bad command-line input (an unknown environment, a malformed selector…). */
export class UsageError extends AppError {
  readonly code = 'USAGE';
  override readonly exitCode = ExitCode.config;
}

/** A child process (helm, kubectl) failed. Its arguments as given: secret values never are among them (they go to helm in files). */
export class ExecError extends AppError {
  readonly code = 'EXEC';

  constructor(
    readonly command: string,
    readonly args: string[],
    readonly exitStatus: number | undefined,
    readonly stderr: string,
    options: { cause?: unknown } = {},
  ) {
    super(stderr.trim() || `${command} exited with status ${exitStatus ?? 'unknown'}`, options);
  }
}

/** The API server refused a request boutique sent itself: said as kubectl says it (`Error from server (Reason): …`). */
export class ApiStatusError extends AppError {
  readonly code = 'API_STATUS';

  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(`Error from server (${reason}): ${message}`);
  }
}

/** The code host (GitHub, GitLab) refused or failed a request about a pull request's comment. */
export class CommentError extends AppError {
  readonly code = 'COMMENT';
}

/** helm or kubectl could not be found, or is too old. */
export class ToolError extends AppError {
  readonly code = 'TOOL';
}

/** A release is in a state boutique must not act on by itself (a helm operation in progress or interrupted). */
export class ReleaseStateError extends AppError {
  readonly code = 'RELEASE_STATE';
}

/** A custom resource of a release failed by its health rule, or was not ready by the release's timeout. */
export class UnhealthyError extends AppError {
  readonly code = 'UNHEALTHY';
}

/** One or more releases failed; each failure has already been reported. */
export class ReleasesFailedError extends AppError {
  readonly code = 'RELEASES_FAILED';
}

/** The cluster could not be reached; nothing was applied. */
export class ClusterUnreachableError extends AppError {
  readonly code = 'CLUSTER_UNREACHABLE';
}

/** The run was interrupted (SIGINT, SIGTERM): what was running finished, nothing new started. */
export class InterruptedError extends AppError {
  readonly code = 'INTERRUPTED';

  constructor(
    message: string,
    override readonly exitCode: number,
  ) {
    super(message, { suggestions: ['run the same command again: it picks up where this one stopped'] });
  }
}

/**
 * A run that stopped before its first write: a confirmation refused or interrupted at its prompt (NOT_CONFIRMED;
 * Ctrl-C exits as an interrupt does, 130), or releases another environment deployed, without --take-over (TAKEOVER).
 */
export class RefusedError extends AppError {
  override readonly exitCode: number;

  constructor(
    readonly code: 'NOT_CONFIRMED' | 'TAKEOVER',
    message: string,
    options: { exitCode?: number; suggestions?: string[] } = {},
  ) {
    super(message, options);
    this.exitCode = options.exitCode ?? ExitCode.config;
  }
}

/** An error about the whole run (no helm to run, no cluster to reach), not one release: it stops the run, once. */
export function isRunError(error: unknown): boolean {
  return error instanceof ToolError || error instanceof ClusterUnreachableError;
}

/** A bug in boutique, not in the user's input. */
export class InternalError extends AppError {
  readonly code = 'INTERNAL';
}

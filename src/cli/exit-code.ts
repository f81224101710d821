import { AppError, ExitCode } from '../errors.js';

/** How a run ended, as far as its exit code cares. */
export interface RunOutcome {
  error?: Error;
  /** The plan would change something (or the run changed something): releases to install, upgrade or uninstall. */
  changes?: boolean;
  /** A verdict the command reached without failing (lint's findings, import --strict): the exit code it names. */
  verdict?: number;
}

/**
 * The one rule for boutique's exit codes, whatever the output format: 0 done, 1 failed, 2 bad input (nothing
 * contacted or written), 130/143 interrupted. Under --detailed-exitcode, 2 means "the plan changes something" and
 * nothing else, so bad input exits 1 there.
 */
export function exitCodeOf(outcome: RunOutcome, options: { detailedExitcode: boolean }): number {
  if (outcome.error) {
    const code = outcome.error instanceof AppError ? outcome.error.exitCode : ExitCode.failure;
    return options.detailedExitcode && code === ExitCode.changes ? ExitCode.failure : code;
  }
  if (outcome.verdict !== undefined) return outcome.verdict;
  return options.detailedExitcode && outcome.changes ? ExitCode.changes : ExitCode.ok;
}

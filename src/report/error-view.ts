import { AppError, ConfigError, ExecError, formatIssue } from '../errors.js';

/** How an error reads on stderr: what went wrong, where, and what to do. Stacks only with --debug. */
export function renderError(error: unknown, options: { debug: boolean }): string {
  const lines: string[] = [];
  if (error instanceof ConfigError) {
    lines.push(...error.issues.map(formatIssue));
    const count = error.issues.length;
    lines.push(
      `Error: ${count} problem${count === 1 ? '' : 's'} in ${error.issues[0]?.file ?? 'releases.yaml'}; nothing was sent to helm or the cluster`,
    );
  } else if (error instanceof ExecError) {
    // helm and kubectl start their messages with "Error: " already.
    lines.push(`Error: ${error.message.replace(/^Error: /, '')}`);
    lines.push(`  command: ${[error.command, ...error.args].join(' ')}`);
  } else if (error instanceof AppError) {
    lines.push(`Error: ${error.message}`);
  } else {
    lines.push(`Error: ${error instanceof Error ? error.message : String(error)}`);
    lines.push('  This is a bug in boutique: please report it with the output of --debug.');
  }
  if (error instanceof AppError) lines.push(...error.suggestions.map((suggestion) => `  hint: ${suggestion}`));
  if (options.debug && error instanceof Error && error.stack) lines.push(error.stack);
  return `${lines.join('\n')}\n`;
}

/** Releases that failed, with how each failure reads (renderReleaseErrors). */
export interface ReleaseErrors {
  /** run: sync and destroy, whose errors are helm's own words; check: diff and template, whose errors read as renderError puts them. */
  as: 'run' | 'check';
  releases: readonly { release: string; error: Error }[];
}

/**
 * Each failed release's error under its name: a run's as `release X failed:` and helm's message below it, with the
 * command and hints; a check's as `release X: ` and the error as renderError puts it.
 */
export function renderReleaseErrors(failed: ReleaseErrors, options: { debug: boolean }): string {
  return failed.releases
    .map(({ release, error }) => {
      if (failed.as === 'check') return `release ${release}: ${renderError(error, options)}`;
      const command = error instanceof ExecError ? `\n  command: ${[error.command, ...error.args].join(' ')}` : '';
      const hints =
        error instanceof AppError ? error.suggestions.map((suggestion) => `\n  hint: ${suggestion}`).join('') : '';
      return `release ${release} failed:\n${error.message.trimEnd()}${command}${hints}\n`;
    })
    .join('');
}

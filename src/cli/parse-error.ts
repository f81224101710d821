import { UsageError } from '../errors.js';
import { closest } from '../text/suggest.js';

/** What boutique needs to know about the command whose argv failed to parse. */
export interface ParsedCommand {
  /** As typed: `lint`, `rollback`. */
  id: string;
  /** Long flag names without dashes, with their one-letter forms. */
  flags: Record<string, { char?: string }>;
}

/**
 * oclif's parse errors (unknown flag, bad option, missing argument) end with "See more help with --help" and
 * oclif prints the whole help after some of them; an argument's own parser throws a plain Error, which would read as
 * a bug in boutique. Either way it is bad input: one plain UsageError (exit 2) with a did-you-mean and where to look.
 */
export function usageErrorFromParse(error: unknown, command: ParsedCommand): UsageError {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/\n*See more help with --help\s*$/, '').trim();
  const suggestions: string[] = [];
  const unknownFlags = (error as { flags?: unknown }).flags;
  if (Array.isArray(unknownFlags)) {
    const known = Object.entries(command.flags).flatMap(([name, flag]) => [
      `--${name}`,
      ...(flag.char ? [`-${flag.char}`] : []),
    ]);
    for (const typed of unknownFlags.map(String)) {
      const match = closest(
        typed.split('=')[0]!,
        known.filter((flag) => flag.startsWith('--')),
      );
      if (match) suggestions.push(`${typed}: did you mean ${match}?`);
    }
  }
  suggestions.push(`boutique ${command.id} --help lists its arguments and flags`);
  return new UsageError(message, { cause: error, suggestions });
}

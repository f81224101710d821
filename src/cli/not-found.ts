import type { Hook } from '@oclif/core';
import { closest } from '../text/suggest.js';

/** helmfile's verbs that boutique names otherwise, for users who come from helmfile. */
const helmfileVerbs: Record<string, string> = {
  apply: 'sync',
  delete: 'destroy',
  destroy: 'destroy',
  build: 'template',
  charts: 'sync',
};

/**
 * A command that does not exist: the closest one (or boutique's name for a helmfile verb) is named with or without a
 * terminal; a terminal is asked whether to run it. Otherwise exit 127, having run nothing.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const commands = options.config.commands.filter((command) => !command.hidden).map((command) => command.id);
  const typed = options.id;
  const suggestion = helmfileVerbs[typed] ?? closest(typed, commands);
  const helmfile = helmfileVerbs[typed] ? ` (helmfile's ${typed} is boutique's ${suggestion})` : '';
  process.stderr.write(
    `${typed} is not a boutique command.${suggestion ? ` Did you mean ${suggestion}?${helmfile}` : ''}\n`,
  );
  if (suggestion && process.stdin.isTTY && process.stderr.isTTY) {
    const { ask } = await import('./prompt.js');
    const answer = await ask(`Run boutique ${[suggestion, ...(options.argv ?? [])].join(' ')}? [y/N] `);
    if (answer === 'y' || answer === 'yes') return this.config.runCommand(suggestion, options.argv);
  }
  this.error(`${options.config.bin} --help lists the commands`, { exit: 127 });
};

export default hook;

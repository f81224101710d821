import { Args, Command } from '@oclif/core';
import { bashCompletionScript, completions, type CompletionCommands } from '../cli/completion.js';

export default class Completion extends Command {
  static override description =
    'Print the bash completion of boutique (and of npx boutique): commands, flags, environment names after -e, release names after -l and for rollback and history. Add eval "$(boutique completion bash)" to ~/.bashrc.';

  static override strict = false;
  static override args = {
    shell: Args.string({ description: 'the shell', options: ['bash', 'words'], required: true }),
  };

  async run(): Promise<void> {
    // `completion words -- WORD…` is what the script asks; the words are read as typed, never as boutique's flags.
    if (this.argv[0] === 'words') {
      const words = this.argv.slice(this.argv[1] === '--' ? 2 : 1);
      const commands: CompletionCommands = Object.fromEntries(
        this.config.commands
          .filter((command) => !command.hidden)
          .map((command) => [
            command.id,
            {
              flags: Object.entries(command.flags)
                .flatMap(([name, flag]) => [`--${name}`, ...(flag.char ? [`-${flag.char}`] : [])])
                .sort(),
              releaseArgument: 'release' in command.args,
            },
          ]),
      );
      process.stdout.write(
        completions(words, commands)
          .map((word) => `${word}\n`)
          .join(''),
      );
      return;
    }
    await this.parse(Completion);
    process.stdout.write(bashCompletionScript());
  }
}

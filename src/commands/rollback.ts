import { Args } from '@oclif/core';
import { BoutiqueCommand } from '../cli/base-command.js';
import { UsageError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { parseRevision } from '../config/arguments.js';

export default class Rollback extends BoutiqueCommand {
  static override description = 'Roll a release back to a previous revision (default: the one before the current), waiting for readiness.';

  static override args = {
    release: Args.string({ description: 'release name or namespace/name', required: true }),
    revision: Args.string({ description: 'revision to roll back to (see helm history)' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parseFlags(Rollback);
    const revision = parseRevision(args.revision);
    const config = this.loadConfig();
    const matches = config.releases.filter((release) => release.id === args.release || release.name === args.release);
    if (matches.length !== 1) {
      const suggestion = closest(args.release, config.releases.map((release) => release.name));
      throw new UsageError(
        matches.length === 0 ? `no release "${args.release}" in ${config.file}` : `"${args.release}" names releases in several namespaces: ${matches.map((release) => release.id).join(', ')}`,
        { suggestions: [matches.length === 0 ? (suggestion ? `did you mean "${suggestion}"?` : 'run boutique list') : 'write namespace/name'] },
      );
    }
    const release = matches[0]!;
    const helm = await this.createHelm(config);
    await helm.rollback(release, revision);
    const [current] = (await helm.history(release)).slice(-1);
    if (this.outputFormat === 'json') this.printJson({ ok: true, release: release.id, revision: current?.revision, description: current?.description });
    else process.stdout.write(`${release.id} rolled back: revision ${current?.revision} (${current?.description})\n`);
  }
}

import { Args, Flags } from '@oclif/core';
import { importHelmfile } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { renderImport } from '../report/import-view.js';

export default class Import extends BoutiqueCommand {
  static override description = 'Convert a helmfile.yaml into releases.yaml (written to --file), listing by line everything that has no equivalent.';

  static override examples = ['<%= config.bin %> import helmfile.yaml', '<%= config.bin %> import deploy/helmfile.yaml -f releases.yaml --force'];

  static override args = {
    helmfile: Args.string({ description: 'the helmfile to convert', default: 'helmfile.yaml' }),
  };

  static override flags = {
    force: Flags.boolean({ description: 'replace --file when it exists', default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseFlags(Import);
    const result = importHelmfile({ helmfile: args.helmfile, output: this.globalFlags.file, force: flags.force });
    this.envelope.summary = { releases: result.releases, environments: result.environments, notes: result.notes.length, issues: result.issues.length };
    this.envelope.results = [result];
    if (!this.json) process.stdout.write(renderImport(result));
  }
}

import { Args, Flags } from '@oclif/core';
import { importHelmfile } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { ExitCode } from '../errors.js';
import { renderImport } from '../report/import-view.js';

export default class Import extends BoutiqueCommand {
  static override description =
    'Convert a helmfile.yaml into releases.yaml (written to --file), listing by line everything that has no equivalent. With --strict, exit 1 unless everything was converted and the written file checks clean.';

  static override examples = [
    '<%= config.bin %> import helmfile.yaml',
    '<%= config.bin %> import deploy/helmfile.yaml.gotmpl -f releases.yaml --force --strict',
  ];

  static override args = {
    helmfile: Args.string({
      description: 'the helmfile to convert (a .gotmpl one is read as a template, as helmfile v1 does)',
      default: 'helmfile.yaml',
    }),
  };

  static override flags = {
    force: Flags.boolean({
      description: 'replace --file (and the values files the import writes) when they exist',
      default: false,
    }),
    strict: Flags.boolean({
      description: 'exit 1 when anything was left out or the written file does not check clean',
      default: false,
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { args, flags } = await this.parseFlags(Import);
    const result = importHelmfile({
      helmfile: args.helmfile,
      output: this.globalFlags.file,
      force: flags.force,
      allowDuplicateKeys: this.globalFlags['allow-duplicate-keys'],
    });
    return {
      summary: {
        releases: result.releases,
        environments: result.environments,
        notes: result.notes.length,
        issues: result.issues.length,
      },
      results: [result],
      text: renderImport(result),
      verdict: flags.strict ? (result.clean ? ExitCode.ok : ExitCode.failure) : undefined,
    };
  }
}

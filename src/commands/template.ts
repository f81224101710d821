import { Flags } from '@oclif/core';
import { resolve } from 'node:path';
import { renderReleases, type RenderResult } from '../app/index.js';
import { checkOutputDir } from '../cli/arguments.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { chartLabel } from '../report/plan-view.js';

export default class Template extends BoutiqueCommand {
  static override description = 'Render every selected release with helm template, in plan order. Needs no cluster.';

  static override flags = {
    'output-dir': Flags.string({
      description: 'write each release to <dir>/<namespace>/<name>/ (helm template --output-dir) instead of stdout',
    }),
    'include-secrets': Flags.boolean({
      description:
        'with --output-dir: write releases with secret values, in clear, in files only you can read (0600); without it they are refused',
      dependsOn: ['output-dir'],
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Template);
    const outputDir = flags['output-dir'] === undefined ? undefined : checkOutputDir(flags['output-dir']);
    const { config, plan } = this.loadPlan();
    const releases = plan.releases.filter((release) => release.installed);
    const helm = (await this.wiring(config)).helm();
    let text = '';
    const results = await renderReleases(releases, helm, {
      concurrency: this.globalFlags.concurrency,
      outputDir,
      includeSecrets: flags['include-secrets'],
      onRendered: (result) => {
        if ('error' in result) return;
        if ('secretsInClear' in result)
          process.stderr.write(
            `warning: ${resolve(outputDir!, result.release.namespace, result.release.name)} holds secret values of ${result.release.id} in clear (files 0600): never commit it\n`,
          );
        if (this.json) return;
        if (outputDir)
          process.stderr.write(
            `wrote ${result.release.id} to ${resolve(outputDir, result.release.namespace, result.release.name)}\n`,
          );
        else
          text += `# boutique: release ${result.release.id} (chart ${chartLabel(result.release)})\n${result.manifest}`;
      },
    });
    const failed = results.filter((result): result is Extract<RenderResult, { error: Error }> => 'error' in result);
    return {
      results: results.flatMap((result): object[] => {
        if ('error' in result) return [];
        // With --output-dir helm wrote the manifests itself and printed only "wrote <file>" lines.
        if (outputDir)
          return [
            { id: result.release.id, outputDir: resolve(outputDir, result.release.namespace, result.release.name) },
          ];
        return [{ id: result.release.id, manifest: result.manifest }];
      }),
      summary: { rendered: results.length - failed.length, failed: failed.length },
      text,
      ...this.releaseErrors(
        failed,
        `${failed.length} of ${results.length} releases failed to render: ${failed.map((result) => result.release.id).join(', ')}`,
      ),
    };
  }
}

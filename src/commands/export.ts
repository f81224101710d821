import { Args, Flags } from '@oclif/core';
import { BoutiqueCommand } from '../cli/base-command.js';
import { engines, exportReleases, renderExportSummary } from '../gitops/export.js';

export default class Export extends BoutiqueCommand {
  static override description =
    "Hand an environment's releases to a GitOps controller: Flux HelmReleases with their chart sources and a kustomization.yaml, or Argo CD Applications with sync waves and an app-of-apps root. Says per release what the target cannot express. Secret values are never written.";

  static override args = {
    engine: Args.string({ description: 'the controller', options: [...engines], required: true }),
  };

  static override flags = {
    'output-dir': Flags.string({ description: 'folder to write (replaced), inside the platform repository', required: true }),
    'repo-url': Flags.string({ description: 'git URL of the platform repository the controller reads charts and values from', required: true }),
    revision: Flags.string({ description: 'branch the controller follows', default: 'main' }),
    'repo-path': Flags.string({ description: 'folder of releases.yaml inside that repository', default: '.' }),
    namespace: Flags.string({ description: "namespace of the controller's objects (default: flux-system, argocd)" }),
    interval: Flags.string({ description: 'Flux reconcile interval', default: '10m' }),
  };

  static override examples = ['<%= config.bin %> export flux -e prod --output-dir clusters/prod/boutique --repo-url https://github.com/acme/platform'];

  async run(): Promise<void> {
    const { args, flags } = await this.parseFlags(Export);
    const { config, plan } = this.loadPlan();
    const summary = exportReleases(config, plan, {
      engine: args.engine as (typeof engines)[number],
      outputDir: flags['output-dir'],
      git: { url: flags['repo-url'], revision: flags.revision, path: flags['repo-path'] },
      namespace: flags.namespace,
      interval: flags.interval,
    });
    this.envelope.summary = { releases: plan.releases.length, files: summary.files.length, notes: summary.notes.length };
    this.envelope.results = [summary];
    if (!this.json) process.stdout.write(renderExportSummary(summary));
  }
}

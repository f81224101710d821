import { Args, Flags } from '@oclif/core';
import { engines, exportReleases, type Engine } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { UsageError } from '../errors.js';
import { renderExportSummary } from '../report/export-view.js';

export default class Export extends BoutiqueCommand {
  static override description =
    "Hand an environment's releases to a GitOps controller: Flux HelmReleases with their chart sources and a kustomization.yaml, or Argo CD Applications with sync waves and an app-of-apps root. Says per release what the target cannot express. Secret values are never written.";

  static override args = {
    engine: Args.string({ description: 'the controller', options: [...engines], required: true }),
  };

  static override flags = {
    'output-dir': Flags.string({
      description: 'folder to write (replaced), inside the platform repository',
      required: true,
    }),
    'repo-url': Flags.string({
      description:
        "git URL of the platform repository the controller reads charts and values from (default: the remote origin of releases.yaml's checkout)",
    }),
    revision: Flags.string({ description: 'branch the controller follows', default: 'main' }),
    'repo-path': Flags.string({
      description:
        "folder of releases.yaml inside that repository (default: its folder in releases.yaml's checkout, else .)",
    }),
    'prefix-names': Flags.boolean({
      description:
        'flux: put the environment before every object name (prod-frontend), so exports of several environments share one cluster (argocd names always carry it)',
      default: false,
    }),
    namespace: Flags.string({ description: "namespace of the controller's objects (default: flux-system, argocd)" }),
    interval: Flags.string({ description: 'Flux reconcile interval', default: '10m' }),
  };

  static override examples = [
    '<%= config.bin %> export flux -e prod --output-dir clusters/prod/boutique',
    '<%= config.bin %> export flux -e prod --prefix-names --output-dir clusters/shared/prod --repo-url https://github.com/acme/platform',
  ];

  protected async outcome(): Promise<Outcome> {
    const { args, flags } = await this.parseFlags(Export);
    const { config, plan } = this.loadPlan();
    const checkout =
      flags['repo-url'] && flags['repo-path'] ? undefined : await (await this.wiring()).gitCheckout(config.baseDir);
    const url = flags['repo-url'] ?? checkout?.url;
    if (!url)
      throw new UsageError(
        `export needs the git URL the controller reads ${config.file} from, and ${config.baseDir} is in no checkout with a remote origin`,
        { suggestions: ['pass --repo-url URL'] },
      );
    if (!flags['repo-url'])
      process.stderr.write(`repository: ${url} (git remote origin; --repo-url to choose another)\n`);
    const summary = exportReleases(config, plan, {
      engine: args.engine as Engine,
      outputDir: flags['output-dir'],
      git: { url, revision: flags.revision, path: flags['repo-path'] ?? checkout?.path ?? '.' },
      namespace: flags.namespace,
      interval: flags.interval,
      prefixNames: flags['prefix-names'],
    });
    return {
      summary: { releases: plan.releases.length, files: summary.files.length, notes: summary.notes.length },
      results: [summary],
      text: renderExportSummary(summary),
    };
  }
}

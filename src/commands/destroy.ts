import { destroyReleases } from '../app/sync.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { ReleasesFailedError } from '../errors.js';
import { createProgress, progressMode } from '../report/progress.js';
import { countStates, renderFailures, renderSyncSummary, syncReport } from '../report/sync-view.js';

export default class Destroy extends BoutiqueCommand {
  static override description = 'Uninstall the selected releases in reverse dependency order, waiting for their objects to be deleted.';

  async run(): Promise<void> {
    await this.parseFlags(Destroy);
    const { config, plan } = this.loadPlan();
    const deps = await this.createClusterDeps(config);
    const progress = createProgress(progressMode({ isTTY: process.stderr.isTTY === true, ci: Boolean(process.env.CI) }), [...plan.releases].reverse());
    const results = await destroyReleases(plan, deps, { concurrency: this.globalFlags.concurrency, onProgress: progress.update });
    await progress.finish();
    if (this.outputFormat === 'json') this.printJson(syncReport(results, config.environment.name));
    else process.stdout.write(renderSyncSummary(results));
    process.stderr.write(renderFailures(results));
    const counts = countStates(results);
    if (counts.failed || counts.skipped) throw new ReleasesFailedError(`destroy failed: ${counts.failed ?? 0} failed, ${counts.skipped ?? 0} skipped`);
  }
}

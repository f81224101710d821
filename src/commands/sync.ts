import { Flags } from '@oclif/core';
import { inputsHash } from '../app/inputs-hash.js';
import { syncReleases } from '../app/sync.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { ReleasesFailedError } from '../errors.js';
import { createProgress, progressMode } from '../report/progress.js';
import { countStates, renderFailures, renderSyncSummary, syncReport } from '../report/sync-view.js';
import Diff from './diff.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    'dry-run': Flags.boolean({ description: 'print the plan and the diff without changing anything (same as boutique diff)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Sync);
    if (flags['dry-run']) {
      await Diff.run(this.argv.filter((arg) => arg !== '--dry-run'), this.config);
      return;
    }
    const { config, plan } = this.loadPlan();
    const deps = await this.createClusterDeps(config);
    const progress = createProgress(progressMode({ isTTY: process.stderr.isTTY === true, ci: Boolean(process.env.CI) }), plan.releases);
    const results = await syncReleases(plan, deps, {
      concurrency: this.globalFlags.concurrency,
      environment: config.environment.name,
      inputsHash,
      onProgress: progress.update,
    });
    await progress.finish();
    if (this.outputFormat === 'json') this.printJson(syncReport(results, config.environment.name));
    else process.stdout.write(renderSyncSummary(results));
    process.stderr.write(renderFailures(results));
    const counts = countStates(results);
    if (counts.failed || counts.skipped) {
      throw new ReleasesFailedError(`sync failed: ${counts.failed ?? 0} failed, ${counts.skipped ?? 0} skipped, ${results.length - (counts.failed ?? 0) - (counts.skipped ?? 0)} done`);
    }
  }
}

import { Flags } from '@oclif/core';
import { planChanges, sync } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { renderSyncPlan, syncPlanJson } from '../report/change-view.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    'dry-run': Flags.boolean({ description: 'print what sync would do with each release, and why, without changing anything', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Sync);
    const { config, plan } = this.loadPlan();
    const deps = this.wiring(config).cluster();
    const options = { concurrency: this.globalFlags.concurrency };
    if (flags['dry-run']) {
      const { syncPlan } = await planChanges(plan, deps, options);
      this.envelope.results = syncPlanJson(syncPlan);
      if (!this.json) process.stdout.write(renderSyncPlan(syncPlan));
      return;
    }
    await this.runReleaseOperation('sync', plan.releases, async (onProgress) => (await sync(plan, deps, { ...options, onProgress })).results);
  }
}

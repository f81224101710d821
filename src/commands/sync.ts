import { Flags } from '@oclif/core';
import { planChanges, sync } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { promotionGateFlags } from '../cli/promotion.js';
import type { SyncPlan } from '../app/index.js';
import { changeCountsPhrase, renderSyncPlan, syncPlanJson } from '../report/change-view.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    ...promotionGateFlags,
    'dry-run': Flags.boolean({ description: 'print what sync would do with each release, and why, without changing anything', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Sync);
    const { config, plan } = this.loadPlan();
    this.noteSelection(plan);
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const deps = (await this.wiring(config)).cluster();
    const options = { concurrency: this.globalFlags.concurrency };
    if (flags['dry-run']) {
      const { syncPlan } = await planChanges(plan, deps, options);
      this.envelope.results = syncPlanJson(syncPlan);
      if (!this.json) process.stdout.write(renderSyncPlan(syncPlan));
      return;
    }
    const confirm = config.environment.production
      ? (syncPlan: SyncPlan) => this.confirm(`sync of production environment ${config.environment.name}: ${changeCountsPhrase(syncPlan)}`, renderSyncPlan(syncPlan))
      : undefined;
    await this.runReleaseOperation('sync', plan.releases, (onProgress, mayStart) => sync(plan, deps, { ...this.writeOptions(), onProgress, mayStart, confirm }), plan.needs);
  }
}

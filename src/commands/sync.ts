import { Flags } from '@oclif/core';
import { planChanges, sync } from '../app/index.js';
import { BoutiqueCommand, detailedExitcodeFlags, takeOverFlags } from '../cli/base-command.js';
import { changesAnything, countChanges } from '../plan/sync-plan.js';
import { changedAnything } from '../report/sync-view.js';
import { promotionGateFlags } from '../cli/promotion.js';
import type { SyncPlan } from '../app/index.js';
import { changeCountsPhrase, renderPlanTable, renderSyncPlan, syncPlanJson } from '../report/change-view.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    ...promotionGateFlags,
    ...takeOverFlags,
    ...detailedExitcodeFlags,
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
      this.envelope.summary = countChanges(syncPlan);
      this.envelope.results = syncPlanJson(syncPlan);
      if (!this.json) process.stdout.write(renderSyncPlan(syncPlan));
      return this.endWith(changesAnything(syncPlan));
    }
    const target = await this.targetOf(config);
    const kubeContext = (await this.wiring(config)).kubeContextName();
    const confirm = config.environment.production
      ? (syncPlan: SyncPlan) => this.confirm(`sync of ${target}: ${changeCountsPhrase(syncPlan)}`, renderPlanTable(syncPlan))
      : undefined;
    const results = await this.runReleaseOperation('sync', plan.releases, async (onProgress, mayStart) => (await sync(plan, deps, { ...this.writeOptions(), onProgress, mayStart, confirm, takeOver: flags['take-over'], kubeContext })).results, plan.needs);
    this.endWith(changedAnything(results));
  }
}

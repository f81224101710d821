import { Flags } from '@oclif/core';
import { changesAnything, countChanges, dryRunSync, sync, type SyncPlan } from '../app/index.js';
import { BoutiqueCommand, detailedExitcodeFlags, takeOverFlags } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { promotionGateFlags } from '../cli/promotion.js';
import {
  changeCountsPhrase,
  orphansNote,
  renderPlanTable,
  renderSyncPlan,
  syncPlanJson,
} from '../report/change-view.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    ...promotionGateFlags,
    ...takeOverFlags,
    ...detailedExitcodeFlags,
    'dry-run': Flags.boolean({
      description: 'print what sync would do with each release, and why, without changing anything',
      default: false,
    }),
    'save-plan': Flags.string({
      description: 'with --dry-run: write what sync would do to FILE, for sync --plan FILE',
      helpValue: 'FILE',
      dependsOn: ['dry-run'],
    }),
    plan: Flags.string({
      description:
        'apply exactly the plan saved in FILE (diff --save-plan), or nothing when the inputs, a revision or a live object moved since',
      helpValue: 'FILE',
      exclusive: ['dry-run'],
    }),
    prune: Flags.boolean({
      description:
        'uninstall releases deployed for this environment that releases.yaml no longer declares (asks first, as destroy does)',
      default: false,
    }),
    'allow-unsafe-crd-change': Flags.string({
      description:
        'apply this CustomResourceDefinition change although it breaks stored objects or clients (repeatable; name the CRD)',
      multiple: true,
      default: [],
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Sync);
    const { config, plan } = this.loadPlan();
    this.noteSelection(plan);
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const deps = (await this.wiring(config)).cluster();
    const options = { concurrency: this.globalFlags.concurrency };
    if (flags['dry-run']) {
      const syncPlan = await dryRunSync(plan, deps, { ...options, savePlanTo: flags['save-plan'] });
      return {
        summary: countChanges(syncPlan),
        results: syncPlanJson(syncPlan),
        text: renderSyncPlan(syncPlan),
        changes: changesAnything(syncPlan),
      };
    }
    const target = await this.targetOf(config);
    const kubeContext = (await this.wiring(config)).kubeContextName();
    const confirm = config.environment.production
      ? (syncPlan: SyncPlan) =>
          this.confirm(`sync of ${target}: ${changeCountsPhrase(syncPlan)}`, renderPlanTable(syncPlan))
      : undefined;
    const prune = flags.prune
      ? {
          confirm: (orphans: readonly { name: string; namespace: string }[]) =>
            this.confirm(
              `prune of ${orphans.length} release${orphans.length === 1 ? '' : 's'} in ${config.environment.name}`,
              `to uninstall, no longer in releases.yaml: ${orphans.map((orphan) => `${orphan.namespace}/${orphan.name}`).join(', ')}`,
            ),
        }
      : undefined;
    let synced: SyncPlan | undefined;
    const outcome = await this.runReleaseOperation(
      'sync',
      plan.releases,
      async (onProgress, mayStart) => {
        const outcome = await sync(plan, deps, {
          ...this.writeOptions(),
          onProgress,
          mayStart,
          confirm,
          prune,
          takeOver: flags['take-over'],
          kubeContext,
          allowUnsafeCrdChanges: flags['allow-unsafe-crd-change'],
          planFile: flags.plan,
        });
        synced = outcome.syncPlan;
        return outcome;
      },
      plan.needs,
    );
    if (synced && !flags.prune && !outcome.failure) process.stderr.write(orphansNote(synced));
    return outcome;
  }
}

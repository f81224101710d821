import { Flags } from '@oclif/core';
import { createInputsHash } from '../app/inputs-hash.js';
import { syncReleases } from '../app/sync.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { promotionGateFlags } from '../cli/promotion.js';
import Diff from './diff.js';

export default class Sync extends BoutiqueCommand {
  static override description =
    'Converge the cluster: helm upgrade --install every selected release once the releases it needs are ready; unchanged releases are left alone, installed: false ones are uninstalled.';

  static override flags = {
    ...promotionGateFlags,
    'dry-run': Flags.boolean({ description: 'print the plan and the diff without changing anything (same as boutique diff)', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Sync);
    if (flags['dry-run']) {
      await Diff.run(this.argv.filter((arg) => arg !== '--dry-run'), this.config);
      return;
    }
    const { config, plan } = this.loadPlan();
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const deps = await this.createClusterDeps(config);
    await this.runReleaseOperation('sync', config, plan.releases, (onProgress) =>
      syncReleases(plan, deps, { concurrency: this.globalFlags.concurrency, environment: config.environment.name, inputsHash: createInputsHash(), onProgress }),
    );
  }
}

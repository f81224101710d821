import { Flags } from '@oclif/core';
import { destroy, type SyncPlan } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';

export default class Destroy extends BoutiqueCommand {
  static override description = 'Uninstall the selected releases in reverse dependency order, waiting for their objects to be deleted.';

  static override flags = {
    'delete-crds': Flags.boolean({ description: 'also when an uninstall deletes CustomResourceDefinitions that still have objects, which go with them', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Destroy);
    const { config, plan } = this.loadPlan();
    this.noteSelection(plan);
    const deps = (await this.wiring(config)).cluster();
    const confirm = (syncPlan: SyncPlan) => {
      const doomed = syncPlan.changes.filter((change) => change.record).map((change) => change.release.id);
      return this.confirm(`destroy of ${doomed.length} release${doomed.length === 1 ? '' : 's'} in ${config.environment.name}`, `to uninstall: ${doomed.join(', ')}`);
    };
    await this.runReleaseOperation('destroy', [...plan.releases].reverse(), (onProgress, mayStart) => destroy(plan, deps, { ...this.writeOptions(), onProgress, mayStart, confirm, deleteCrds: flags['delete-crds'] }));
  }
}

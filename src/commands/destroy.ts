import { destroy, type SyncPlan } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';

export default class Destroy extends BoutiqueCommand {
  static override description = 'Uninstall the selected releases in reverse dependency order, waiting for their objects to be deleted.';

  async run(): Promise<void> {
    await this.parseFlags(Destroy);
    const { config, plan } = this.loadPlan();
    this.noteSelection(plan);
    const deps = (await this.wiring(config)).cluster();
    const target = await this.targetOf(config);
    const confirm = (syncPlan: SyncPlan) => {
      const doomed = syncPlan.changes.filter((change) => change.record).map((change) => change.release.id);
      return this.confirm(`destroy of ${doomed.length} release${doomed.length === 1 ? '' : 's'} in ${target}`, `to uninstall: ${doomed.join(', ')}`);
    };
    await this.runReleaseOperation('destroy', [...plan.releases].reverse(), (onProgress, mayStart) => destroy(plan, deps, { ...this.writeOptions(), onProgress, mayStart, confirm }));
  }
}

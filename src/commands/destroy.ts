import { Flags } from '@oclif/core';
import { destroy, type SyncPlan } from '../app/index.js';
import { BoutiqueCommand, takeOverFlags } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';

export default class Destroy extends BoutiqueCommand {
  static override description =
    'Uninstall the selected releases in reverse dependency order, waiting for their objects to be deleted.';

  static override flags = {
    ...takeOverFlags,
    'delete-crds': Flags.boolean({
      description:
        'also when an uninstall deletes CustomResourceDefinitions that still have objects, which go with them',
      default: false,
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Destroy);
    const { config, plan } = this.loadPlan();
    this.noteSelection(plan);
    const deps = (await this.wiring(config)).cluster();
    const target = await this.targetOf(config);
    const kubeContext = (await this.wiring(config)).kubeContextName();
    const confirm = (syncPlan: SyncPlan) => {
      const doomed = syncPlan.changes.filter((change) => change.record).map((change) => change.release.id);
      return this.confirm(
        `destroy of ${doomed.length} release${doomed.length === 1 ? '' : 's'} in ${target}`,
        `to uninstall: ${doomed.join(', ')}`,
      );
    };
    return this.runReleaseOperation('destroy', [...plan.releases].reverse(), (onProgress, mayStart) =>
      destroy(plan, deps, {
        ...this.writeOptions(),
        onProgress,
        mayStart,
        confirm,
        takeOver: flags['take-over'],
        kubeContext,
        deleteCrds: flags['delete-crds'],
      }),
    );
  }
}

import { destroy } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';

export default class Destroy extends BoutiqueCommand {
  static override description = 'Uninstall the selected releases in reverse dependency order, waiting for their objects to be deleted.';

  async run(): Promise<void> {
    await this.parseFlags(Destroy);
    const { config, plan } = this.loadPlan();
    const deps = this.wiring(config).cluster();
    await this.runReleaseOperation('destroy', [...plan.releases].reverse(), (onProgress) => destroy(plan, deps, { concurrency: this.globalFlags.concurrency, onProgress }));
  }
}

import { changesAnything, countChanges, planChanges } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderStatus, syncPlanJson } from '../report/change-view.js';

export default class Status extends BoutiqueCommand {
  static override description =
    'Show each selected release as deployed (revision, helm status, chart, version) and what a sync would do with it: in sync, drifted, outdated, missing, blocked.';

  protected async outcome(): Promise<Outcome> {
    await this.parseFlags(Status);
    const { config, plan } = this.loadPlan();
    const { syncPlan } = await this.readingCluster(async () =>
      planChanges(plan, (await this.wiring(config)).cluster(), { concurrency: this.globalFlags.concurrency }),
    );
    return {
      summary: countChanges(syncPlan),
      results: syncPlanJson(syncPlan),
      text: renderStatus(syncPlan),
      changes: changesAnything(syncPlan),
    };
  }
}

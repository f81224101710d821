import { planChanges } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { changesAnything, countChanges } from '../plan/sync-plan.js';
import { renderStatus, syncPlanJson } from '../report/change-view.js';

export default class Status extends BoutiqueCommand {
  static override description =
    'Show each selected release as deployed (revision, helm status, chart, version) and what a sync would do with it: in sync, drifted, outdated, missing, blocked.';

  async run(): Promise<void> {
    await this.parseFlags(Status);
    const { config, plan } = this.loadPlan();
    const { syncPlan } = await this.readingCluster(async () => planChanges(plan, (await this.wiring(config)).cluster(), { concurrency: this.globalFlags.concurrency }));
    this.envelope.summary = countChanges(syncPlan);
    this.envelope.results = syncPlanJson(syncPlan);
    if (!this.json) process.stdout.write(renderStatus(syncPlan));
    this.endWith(changesAnything(syncPlan));
  }
}

import { BoutiqueCommand } from '../cli/base-command.js';
import { renderReleaseList } from '../report/plan-view.js';

export default class List extends BoutiqueCommand {
  static override description = 'List the selected releases of an environment in apply order.';

  async run(): Promise<void> {
    await this.parseFlags(List);
    const { plan } = this.loadPlan();
    this.envelope.summary = { releases: plan.releases.length };
    this.envelope.results = plan.releases.map(({ id, name, namespace, chartSource, installed, labels }) => ({ id, name, namespace, chart: chartSource, installed, labels, needs: plan.needs.get(id) }));
    if (!this.json) process.stdout.write(renderReleaseList(plan));
  }
}

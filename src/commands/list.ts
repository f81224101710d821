import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderReleaseList } from '../report/plan-view.js';

export default class List extends BoutiqueCommand {
  static override description = 'List the selected releases of an environment in apply order.';

  protected async outcome(): Promise<Outcome> {
    await this.parseFlags(List);
    const { plan } = this.loadPlan();
    return {
      summary: { releases: plan.releases.length },
      results: plan.releases.map(({ id, name, namespace, chartSource, installed, labels }) => ({
        id,
        name,
        namespace,
        chart: chartSource,
        installed,
        labels,
        needs: plan.needs.get(id),
      })),
      text: renderReleaseList(plan),
    };
  }
}

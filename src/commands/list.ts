import { BoutiqueCommand } from '../cli/base-command.js';
import { renderReleaseList } from '../report/plan-view.js';

export default class List extends BoutiqueCommand {
  static override description = 'List the selected releases of an environment in apply order.';

  async run(): Promise<void> {
    await this.parseFlags(List);
    const { plan } = this.loadPlan();
    if (this.outputFormat === 'json') {
      this.printJson(plan.releases.map(({ id, name, namespace, chartSource, installed, labels, needs }) => ({ id, name, namespace, chart: chartSource, installed, labels, needs })));
      return;
    }
    process.stdout.write(renderReleaseList(plan));
  }
}

import { Flags } from '@oclif/core';
import { BoutiqueCommand } from '../cli/base-command.js';
import { renderGraph, type GraphFormat } from '../report/plan-view.js';

export default class Graph extends BoutiqueCommand {
  static override description = 'Print the needs graph of the selected releases (edges point in apply order).';

  static override flags = {
    format: Flags.string({ description: 'graph format', options: ['text', 'mermaid', 'dot'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Graph);
    const { plan } = this.loadPlan();
    if (this.outputFormat === 'json') {
      this.printJson({ levels: plan.levels.map((level) => level.map((release) => ({ id: release.id, needs: release.needs }))) });
      return;
    }
    process.stdout.write(renderGraph(plan, flags.format as GraphFormat));
  }
}

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
    this.envelope.summary = { releases: plan.releases.length, levels: plan.levels.length };
    this.envelope.results = plan.levels.map((level, index) => ({ level: index, releases: level.map((release) => ({ id: release.id, needs: plan.needs.get(release.id) })) }));
    if (!this.json) process.stdout.write(renderGraph(plan, flags.format as GraphFormat));
  }
}

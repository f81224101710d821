import { Flags } from '@oclif/core';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderGraph, type GraphFormat } from '../report/plan-view.js';

export default class Graph extends BoutiqueCommand {
  static override description = 'Print the needs graph of the selected releases (edges point in apply order).';

  static override flags = {
    format: Flags.string({ description: 'graph format', options: ['text', 'mermaid', 'dot'], default: 'text' }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Graph);
    const { plan } = this.loadPlan();
    return {
      summary: { releases: plan.releases.length, levels: plan.levels.length },
      results: plan.levels.map((level, index) => ({
        level: index,
        releases: level.map((release) => ({ id: release.id, needs: plan.needs.get(release.id) })),
      })),
      text: renderGraph(plan, flags.format as GraphFormat),
    };
  }
}

import { Flags } from '@oclif/core';
import { diff } from '../app/index.js';
import { BoutiqueCommand, detailedExitcodeFlags } from '../cli/base-command.js';
import { promotionGateFlags } from '../cli/promotion.js';
import { hasChanges } from '../diff/release-diff.js';
import { changesAnything, isChange, takeovers } from '../plan/sync-plan.js';
import { changeCountsPhrase, syncPlanJson } from '../report/change-view.js';
import { diffSummary, renderDiffMarkdown, renderDiffText } from '../report/diff-view.js';

export default class Diff extends BoutiqueCommand {
  static override description =
    'Show what a sync would change in the cluster (server-side dry run), and drift between the cluster and the last sync. Secrets are masked.';

  static override flags = {
    ...promotionGateFlags,
    output: Flags.string({ char: 'o', description: 'output format', options: ['text', 'json', 'markdown'], default: 'text', helpGroup: 'GLOBAL' }),
    context: Flags.integer({ description: 'unchanged lines around each change', default: 3, min: 0 }),
    ...detailedExitcodeFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Diff);
    const { config, plan } = this.loadPlan();
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const { syncPlan, diffs, failed } = await this.readingCluster(async () => diff(plan, (await this.wiring(config)).cluster(), { concurrency: this.globalFlags.concurrency }));
    const changes = changesAnything(syncPlan) || hasChanges(diffs);
    const scope = { releases: changeCountsPhrase(syncPlan), failed: failed.map(({ release }) => release.id), changes };
    this.envelope.summary = diffSummary(diffs, scope);
    this.envelope.results = [{ releases: syncPlanJson(syncPlan), diffs }];
    if (flags.output === 'markdown') process.stdout.write(renderDiffMarkdown(diffs, { context: flags.context, scope }));
    else if (flags.output === 'text') process.stdout.write(renderDiffText(diffs, { color: this.colorEnabled(), context: flags.context, scope }));
    for (const { release, owner } of takeovers(syncPlan.changes.filter((change) => isChange(change.action)), syncPlan.environment)) {
      process.stderr.write(`note: ${release.id} was last deployed by environment ${owner}: a sync of ${syncPlan.environment} needs --take-over\n`);
    }
    this.failOnReleaseErrors(failed, `could not diff ${failed.length} of ${plan.releases.length} releases`);
    this.endWith(changes);
  }
}

import { Flags } from '@oclif/core';
import { diff } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { promotionGateFlags } from '../cli/promotion.js';
import { hasChanges } from '../diff/release-diff.js';
import { ExitCode } from '../errors.js';
import { isChange, takeovers } from '../plan/sync-plan.js';
import { changeCountsPhrase, syncPlanJson } from '../report/change-view.js';
import { diffSummary, renderDiffMarkdown, renderDiffText } from '../report/diff-view.js';

export default class Diff extends BoutiqueCommand {
  static override description =
    'Show what a sync would change in the cluster (server-side dry run), and drift between the cluster and the last sync. Secrets are masked.';

  static override flags = {
    ...promotionGateFlags,
    output: Flags.string({ char: 'o', description: 'output format', options: ['text', 'json', 'markdown'], default: 'text', helpGroup: 'GLOBAL' }),
    context: Flags.integer({ description: 'unchanged lines around each change', default: 3, min: 0 }),
    'detailed-exitcode': Flags.boolean({ description: 'exit 2 when there are changes, 0 when none, 1 on any error', default: false }),
  };

  private detailedExitCode = false;

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Diff);
    this.detailedExitCode = flags['detailed-exitcode'];
    const { config, plan } = this.loadPlan();
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const { syncPlan, diffs, failed } = await this.readingCluster(async () => diff(plan, (await this.wiring(config)).cluster(), { concurrency: this.globalFlags.concurrency }));
    const scope = { releases: changeCountsPhrase(syncPlan), failed: failed.map(({ release }) => release.id) };
    this.envelope.summary = diffSummary(diffs, scope);
    this.envelope.results = [{ releases: syncPlanJson(syncPlan), diffs }];
    if (flags.output === 'markdown') process.stdout.write(renderDiffMarkdown(diffs, { context: flags.context, scope }));
    else if (flags.output === 'text') process.stdout.write(renderDiffText(diffs, { color: this.colorEnabled(), context: flags.context, scope }));
    for (const { release, owner } of takeovers(syncPlan.changes.filter((change) => isChange(change.action)), syncPlan.environment)) {
      process.stderr.write(`note: ${release.id} was last deployed by environment ${owner}: a sync of ${syncPlan.environment} needs --take-over\n`);
    }
    this.failOnReleaseErrors(failed, `could not diff ${failed.length} of ${plan.releases.length} releases`);
    if (this.detailedExitCode && hasChanges(diffs)) this.exit(ExitCode.changes);
  }

  // Under --detailed-exitcode, 2 means "changes", so every error exits 1.
  protected override exitCodeFor(error: Error): number {
    return this.detailedExitCode ? ExitCode.failure : super.exitCodeFor(error);
  }
}

import { Flags } from '@oclif/core';
import { diffReleases, type ReleaseDiffResult } from '../app/diff.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { promotionGateFlags } from '../cli/promotion.js';
import { ExitCode } from '../errors.js';
import { hasChanges } from '../diff/release-diff.js';
import { diffReport, planSummary, renderDiffMarkdown, renderDiffText } from '../report/diff-view.js';

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
    const deps = await this.createClusterDeps(config);
    const results = await diffReleases(plan.releases, deps, { concurrency: this.globalFlags.concurrency });
    const diffs = results.flatMap((result) => ('diff' in result ? [result.diff] : []));
    const failed = results.filter((result): result is Extract<ReleaseDiffResult, { error: Error }> => 'error' in result);

    if (flags.output === 'json') {
      this.printJson({ ...diffReport(diffs), errors: failed.map((result) => ({ release: result.release.id, error: result.error.message })) });
    } else if (flags.output === 'markdown') {
      process.stdout.write(renderDiffMarkdown(diffs, { context: flags.context }));
    } else {
      process.stdout.write(renderDiffText(diffs, { color: this.colorEnabled(), context: flags.context }));
    }
    this.failOnReleaseErrors(failed, `could not diff ${failed.length} of ${results.length} releases`);
    if (flags.output === 'text' && !diffs.length) process.stdout.write(`${planSummary(diffs)}\n`);
    if (this.detailedExitCode && hasChanges(diffs)) this.exit(ExitCode.changes);
  }

  // Under --detailed-exitcode, 2 means "changes", so every error exits 1.
  protected override exitCodeFor(error: Error): number {
    return this.detailedExitCode ? ExitCode.failure : super.exitCodeFor(error);
  }
}

import { Flags } from '@oclif/core';
import {
  changesAnything,
  commentThread,
  diff,
  diffAgainstBase,
  hasChanges,
  upsertComment,
  type CommentHost,
} from '../app/index.js';
import { BoutiqueCommand, detailedExitcodeFlags } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { promotionGateFlags } from '../cli/promotion.js';
import { changeCountsPhrase, orphansNote, syncPlanJson, takeoverNotes } from '../report/change-view.js';
import {
  baseDiffJson,
  basePlanCounts,
  commentMarker,
  renderBaseDiffMarkdown,
  renderBaseDiffText,
} from '../report/base-diff-view.js';
import { diffSummary, GITHUB_COMMENT_LIMIT, renderDiffMarkdown, renderDiffText } from '../report/diff-view.js';

export default class Diff extends BoutiqueCommand {
  static override description =
    'Show what a sync would change in the cluster (server-side dry run), and drift between the cluster and the last sync; with --base REF, what a change to the repository would change, from two git revisions and no cluster. Secrets are masked.';

  static override flags = {
    ...promotionGateFlags,
    output: Flags.string({
      char: 'o',
      description: 'output format',
      options: ['text', 'json', 'markdown'],
      default: 'text',
      helpGroup: 'GLOBAL',
    }),
    context: Flags.integer({ description: 'unchanged lines around each change', default: 3, min: 0 }),
    ...detailedExitcodeFlags,
    'save-plan': Flags.string({
      description: 'write what a sync would do to FILE, for sync --plan FILE to apply exactly that',
      helpValue: 'FILE',
    }),
    base: Flags.string({
      description:
        'compare with this git ref (branch, tag, commit) instead of the cluster: both sides rendered with helm template, no cluster contacted',
      helpGroup: 'BASE DIFF',
    }),
    head: Flags.string({
      description: 'with --base: the other side, a git ref (default: the working tree)',
      dependsOn: ['base'],
      helpGroup: 'BASE DIFF',
    }),
    // No default: oclif checks dependsOn against any value, a default false included.
    'all-environments': Flags.boolean({
      description: 'with --base: every environment either side declares, instead of -e',
      dependsOn: ['base'],
      helpGroup: 'BASE DIFF',
    }),
    comment: Flags.string({
      description:
        'also post the diff as one pull-request comment, updated in place on the next run (GitHub: GITHUB_TOKEN; GitLab: GITLAB_TOKEN)',
      options: ['github', 'gitlab'],
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Diff);
    // Checked before anything runs: a job that cannot comment fails at once.
    const thread = flags.comment ? commentThread(flags.comment as CommentHost, process.env) : undefined;
    const post = async (render: (marker: string) => string) => {
      if (!thread) return;
      const marker = commentMarker(
        `${this.globalFlags.file} ${flags.base === undefined ? 'cluster' : 'base'} ${flags['all-environments'] ? 'all environments' : this.globalFlags.environment}`,
      );
      const posted = await upsertComment(thread, marker, render(marker));
      process.stderr.write(`comment ${posted.id} on ${posted.where}: ${posted.action}\n`);
    };
    if (flags.base !== undefined)
      return this.baseDiff(
        {
          base: flags.base,
          head: flags.head,
          'all-environments': flags['all-environments'] ?? false,
          output: flags.output,
          context: flags.context,
        },
        post,
      );
    const { config, plan } = this.loadPlan();
    await this.enforcePromotionGate(config, plan, flags['override-promotion-gate']);
    const { syncPlan, diffs, failed } = await this.readingCluster(async () =>
      diff(plan, (await this.wiring(config)).cluster(), {
        concurrency: this.globalFlags.concurrency,
        savePlanTo: flags['save-plan'],
      }),
    );
    const changes = changesAnything(syncPlan) || hasChanges(diffs);
    const scope = { releases: changeCountsPhrase(syncPlan), failed: failed.map(({ release }) => release.id), changes };
    await post(
      (marker) =>
        `${marker}\n${renderDiffMarkdown(diffs, { context: flags.context, scope, maxLength: GITHUB_COMMENT_LIMIT - marker.length - 1 })}`,
    );
    process.stderr.write(takeoverNotes(syncPlan));
    return {
      summary: diffSummary(diffs, scope),
      results: [{ releases: syncPlanJson(syncPlan), diffs }],
      text:
        flags.output === 'markdown'
          ? renderDiffMarkdown(diffs, { context: flags.context, scope })
          : renderDiffText(diffs, { color: this.colorEnabled(), context: flags.context, scope }) +
            orphansNote(syncPlan),
      ...this.releaseErrors(failed, `could not diff ${failed.length} of ${plan.releases.length} releases`),
      changes,
    };
  }

  /** `diff --base REF`: two revisions compared with helm template alone (app/base-diff.ts). */
  private async baseDiff(
    flags: { base: string; head?: string; 'all-environments': boolean; output: string; context: number },
    post: (render: (marker: string) => string) => Promise<void>,
  ): Promise<Outcome> {
    const wiring = await this.wiring();
    const outcome = await diffAgainstBase(
      {
        file: this.globalFlags.file,
        base: flags.base,
        head: flags.head,
        environments: flags['all-environments'] ? 'all' : [this.globalFlags.environment],
        selectors: this.selectors(),
        includeNeeds: this.globalFlags['include-needs'],
        set: this.setValues(),
        concurrency: this.globalFlags.concurrency,
      },
      { git: wiring.git(), helm: wiring.helm() },
    );
    const counts = basePlanCounts(outcome);
    await post((marker) => renderBaseDiffMarkdown(outcome, { context: flags.context, marker }));
    return {
      summary: { ...counts },
      results: [baseDiffJson(outcome)],
      text:
        flags.output === 'markdown'
          ? renderBaseDiffMarkdown(outcome, { context: flags.context })
          : renderBaseDiffText(outcome, { color: this.colorEnabled(), context: flags.context }),
      ...this.releaseErrors(outcome.failed, `could not render ${outcome.failed.length} releases`),
      changes: counts.hasChanges > 0,
    };
  }
}

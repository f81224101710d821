import { Args, Flags } from '@oclif/core';
import { listRuns, releaseHistory } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../report/table.js';

export default class History extends BoutiqueCommand {
  static override description =
    'Show the revisions helm keeps of a release (helm history): the numbers boutique rollback takes; or, with --runs, the boutique runs that changed the environment.';

  static override args = {
    release: Args.string({ description: 'release name or namespace/name (not with --runs)' }),
  };

  static override flags = {
    runs: Flags.boolean({
      description: 'list the runs that wrote revisions in the environment, newest first: the ids rollback --run takes',
      default: false,
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { args, flags } = await this.parseFlags(History);
    if (flags.runs) return this.runs();
    if (!args.release)
      throw new UsageError('history needs a release, or --runs', {
        suggestions: ['boutique history frontend', 'boutique history --runs'],
      });
    const config = this.loadConfig();
    const { release, revisions } = await releaseHistory(config, args.release, async (release) =>
      (await this.wiring(config)).helm().history(release),
    );
    return {
      summary: { revisions: revisions.length },
      results: [{ id: release.id, revisions }],
      text: renderTable(
        ['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'],
        revisions.map((revision) => [
          String(revision.revision),
          revision.updated,
          revision.status,
          revision.chart,
          revision.app_version || '-',
          revision.description,
        ]),
      ),
    };
  }

  private async runs(): Promise<Outcome> {
    const { config, plan } = this.loadPlan();
    const runs = await this.readingCluster(async () => listRuns(plan, (await this.wiring(config)).cluster()));
    return {
      summary: { runs: runs.length },
      results: runs,
      text: renderTable(
        ['RUN', 'STARTED', 'ENVIRONMENT', 'BY', 'CHANGED'],
        runs.map((run) => [
          run.id,
          run.startedAt,
          run.environment,
          run.actor ?? '-',
          run.releases
            .map((release) => `${release.id} ${release.action} (r${release.revision}, ${release.status})`)
            .join(', '),
        ]),
      ),
    };
  }
}

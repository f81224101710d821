import type { ReleaseRun } from '../app/changes.js';
import type { SyncProgress, SyncResult } from '../app/sync.js';
import type { Release } from '../config/types.js';
import { InterruptedError, ReleasesFailedError } from '../errors.js';
import { changedAnything, countStates, renderSyncSummary, syncResultsJson } from '../report/sync-view.js';
import { exitCodeForSignal, Interrupts } from './interrupts.js';
import type { Outcome } from './outcome.js';
import type { Adapters } from './wiring.js';

export interface ReleaseOperation {
  /** sync or destroy, as the interrupt and failure messages name it. */
  operation: string;
  /** The releases in the order progress lists them. */
  displayOrder: readonly Release[];
  run: (onProgress: SyncProgress, mayStart: () => boolean) => Promise<ReleaseRun>;
  /** What each release waits on, for progress to say so. */
  waitsOn?: ReadonlyMap<string, readonly string[]>;
  /** The totals line on stderr (not under --output json). */
  totals: boolean;
  /** Time spent at confirmation prompts, which the totals leave out (the user's time, not the run's). */
  promptedMs: { total: number };
  /** The run's adapters once built: a second signal stops their processes, and their retries are counted. */
  adapters: () => Pick<Adapters, 'stopAll' | 'retries'> | undefined;
}

/**
 * Runs a release-by-release operation (sync, destroy) with progress and the totals line on stderr. Its outcome is
 * the summary table (or the JSON results) and every failure with helm's own message, and it fails when any release
 * failed or was skipped. The table repeats what an interactive list already shows, so after one it is printed only
 * on failure. The first SIGINT or SIGTERM starts nothing new; the second stops helm (cli/interrupts.ts).
 */
export async function runReleaseOperation(options: ReleaseOperation): Promise<Outcome> {
  const { operation } = options;
  const started = Date.now();
  // The progress views load listr2: imported on first use, so list, graph and --help start without it.
  const { createProgress, progressModeOfProcess, renderTotals } = await import('../report/progress.js');
  const mode = progressModeOfProcess();
  const progress = createProgress(mode, options.displayOrder, { needs: options.waitsOn });
  const interrupts = new Interrupts(
    (signal) =>
      process.stderr.write(
        `\nboutique: ${signal}: starting nothing new, letting running releases finish (${signal === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to stop them at once)\n`,
      ),
    (signal) => {
      process.stderr.write(
        `\nboutique: ${signal} again: stopping helm now; the summary follows (a third signal exits at once)\n`,
      );
      options.adapters()?.stopAll();
    },
  );
  let results: SyncResult[];
  let failure: Error | undefined;
  try {
    ({ results, failure } = await options.run(progress.update, interrupts.mayStart));
  } finally {
    interrupts.dispose();
    await progress.finish();
  }
  const retries = options.adapters()?.retries ?? 0;
  const { failed = 0, skipped = 0 } = countStates(results);
  if (options.totals)
    process.stderr.write(renderTotals(results, Date.now() - started - options.promptedMs.total, retries));
  const tally = `${failed} failed, ${skipped} skipped, ${results.length - failed - skipped} done`;
  return {
    summary: { ...countStates(results), ...(retries > 0 ? { retries } : {}) },
    results: syncResultsJson(results),
    text: mode !== 'interactive' || failed || skipped || interrupts.signal ? renderSyncSummary(results) : undefined,
    failed: {
      as: 'run',
      releases: results.flatMap(({ release, state, error }) =>
        state === 'failed' && error ? [{ release: release.id, error }] : [],
      ),
    },
    failure:
      failure ??
      (interrupts.signal
        ? new InterruptedError(
            `${operation} interrupted by ${interrupts.signal}: ${tally}`,
            exitCodeForSignal(interrupts.signal),
          )
        : undefined) ??
      (failed || skipped ? new ReleasesFailedError(`${operation} failed: ${tally}`) : undefined),
    changes: changedAnything(results),
  };
}

import { Args, Flags } from '@oclif/core';
import { findRelease, prepareRollback, rollback, runUndo, undoRun } from '../app/index.js';
import { parseRevision } from '../cli/arguments.js';
import { BoutiqueCommand, takeOverFlags } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { UsageError } from '../errors.js';

export default class Rollback extends BoutiqueCommand {
  static override description =
    'Roll a release back to a previous revision (default: the one before the current), waiting for readiness; or, with --run, undo everything one boutique run changed.';

  static override args = {
    release: Args.string({ description: 'release name or namespace/name (not with --run)' }),
    revision: Args.string({ description: 'revision to roll back to (see helm history)' }),
  };

  static override flags = {
    ...takeOverFlags,
    run: Flags.string({
      description:
        'undo the run with this id (history --runs): every release it upgraded goes back, every one it installed is uninstalled, dependents first',
      helpValue: 'ID',
    }),
    // No default: oclif checks dependsOn against any value, a default false included.
    'dry-run': Flags.boolean({
      description: 'with --run: say what would be rolled back and uninstalled, and change nothing',
      dependsOn: ['run'],
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { args, flags } = await this.parseFlags(Rollback);
    if (flags.run !== undefined) return this.undoRun(flags.run, flags['dry-run'] ?? false, args.release);
    if (!args.release)
      throw new UsageError('rollback needs a release, or --run ID', {
        suggestions: ['boutique rollback frontend', 'boutique history --runs'],
      });
    const revision = parseRevision(args.revision);
    const { config, plan } = this.loadPlan();
    const release = findRelease(config, args.release);
    const wiring = await this.wiring(config);
    const deps = wiring.cluster();
    const target = await prepareRollback(plan, release, revision, deps, {
      takeOver: flags['take-over'],
      kubeContext: wiring.kubeContextName(),
    });
    if (config.environment.production)
      await this.confirm(
        `rollback of ${release.id} to revision ${target} in ${await this.targetOf(config)}`,
        `helm rollback ${release.name} ${target}`,
      );
    const { lockTimeoutMs, onLockWait } = this.writeOptions();
    const current = await rollback(plan, release, target, deps, { timeoutMs: lockTimeoutMs, onWait: onLockWait });
    return {
      summary: { revision: current?.revision },
      results: [{ id: release.id, revision: current?.revision, description: current?.description }],
      text: `${release.id} rolled back: revision ${current?.revision} (${current?.description})\n`,
    };
  }

  private async undoRun(runId: string, dryRun: boolean, release: string | undefined): Promise<Outcome> {
    if (release)
      throw new UsageError('rollback --run undoes a whole run: name no release', {
        suggestions: [`boutique rollback --run ${runId}`],
      });
    const { config, plan } = this.loadPlan();
    const deps = (await this.wiring(config)).cluster();
    const undo = await this.readingCluster(() => runUndo(plan, runId, deps));
    const lines = undo.map(
      (step) =>
        `${step.release.id}: ${step.action === 'uninstall' ? 'uninstall (the run installed it)' : `roll back to revision ${step.toRevision}`}`,
    );
    if (dryRun) {
      return {
        results: undo.map((step) => ({
          id: step.release.id,
          action: step.action,
          ...(step.action === 'rollback' && { toRevision: step.toRevision }),
        })),
        text: `${lines.join('\n')}\nNothing was changed (dry run).\n`,
      };
    }
    // destroy's rules: a terminal is asked, anything else needs --yes.
    await this.confirm(
      `undo of run ${runId} in ${config.environment.name}: ${undo.length} release${undo.length === 1 ? '' : 's'}`,
      lines.join('\n'),
    );
    const { lockTimeoutMs, onLockWait } = this.writeOptions();
    const done = await undoRun(plan, undo, deps, { timeoutMs: lockTimeoutMs, onWait: onLockWait });
    return {
      summary: { undone: done.length },
      results: done,
      text: done.map((step) => `${step.release}: ${step.done}\n`).join(''),
    };
  }
}

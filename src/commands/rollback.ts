import { Args } from '@oclif/core';
import { findRelease, rollback, rollbackTarget } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { parseRevision } from '../config/arguments.js';

export default class Rollback extends BoutiqueCommand {
  static override description = 'Roll a release back to a previous revision (default: the one before the current), waiting for readiness.';

  static override args = {
    release: Args.string({ description: 'release name or namespace/name', required: true }),
    revision: Args.string({ description: 'revision to roll back to (see helm history)' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parseFlags(Rollback);
    const revision = parseRevision(args.revision);
    const { config, plan } = this.loadPlan();
    const release = findRelease(config, args.release);
    const deps = (await this.wiring(config)).cluster();
    const target = rollbackTarget(release, revision, await deps.helm.history(release));
    if (config.environment.production) await this.confirm(`rollback of ${release.id} to revision ${target} in ${await this.targetOf(config)}`, `helm rollback ${release.name} ${target}`);
    const { lockTimeoutMs, onLockWait } = this.writeOptions();
    const current = await rollback(plan, release, target, deps, { timeoutMs: lockTimeoutMs, onWait: onLockWait });
    this.envelope.summary = { revision: current?.revision };
    this.envelope.results = [{ id: release.id, revision: current?.revision, description: current?.description }];
    if (!this.json) process.stdout.write(`${release.id} rolled back: revision ${current?.revision} (${current?.description})\n`);
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;
const selection = ['-l', 'tier=infra'];

// The shipped releases.yaml deploys prod and the implicit default environment into the same namespace.
describe('a release another environment deployed', () => {
  let cluster: ControlPlane;
  let run: (args: string[]) => ReturnType<typeof boutique>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    const system = copyShippedSystem();
    run = (args) => boutique(args, { cwd: system.dir, env: emulatorEnv(cluster) });
    const prod = await run(['sync', '-e', 'prod', '--yes', ...selection]);
    expect(prod.exitCode, prod.stderr).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('is neither upgraded nor uninstalled by a run of the default environment: exit 2, both environments and the kube context named, nothing written', async () => {
    const before = cluster.requests.length;
    for (const args of [['sync'], ['sync', '-o', 'json'], ['destroy', '--yes']]) {
      const refused = await run([...args, ...selection]);
      expect(refused.exitCode, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(
        `Error: ${args[0]} of environment default would take over 1 release last deployed by environment prod in kube context boutique-test: boutique/redis-cart (prod); nothing was changed\n  hint: to work on them as prod: -e prod\n  hint: to make default their owner from now on: --take-over\n`,
      );
    }
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);
    expect(cluster.requests.slice(before).length).toBeGreaterThan(0);
  });

  it('shows its owner in status, and changes hands with --take-over', async () => {
    expect((await run(['status', ...selection])).stdout).toMatch(/^redis-cart +boutique +prod +1 +deployed /m);
    const diff = await run(['diff', ...selection]);
    expect(diff.stderr).toContain(
      'note: boutique/redis-cart was last deployed by environment prod: a sync of default needs --take-over\n',
    );
    const taken = await run(['sync', '--take-over', ...selection]);
    expect(taken.exitCode, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^boutique\/redis-cart +upgraded .*last deployed by environment prod/m);
    const status = JSON.parse((await run(['status', '-o', 'json', ...selection])).stdout);
    expect(status.results.map((result: { deployedBy: string }) => result.deployedBy)).toEqual(['default']);
    const back = await run(['sync', '-e', 'prod', '--yes', ...selection]);
    expect(back.exitCode).toBe(2);
    expect(back.stderr).toContain(
      'sync of environment prod would take over 1 release last deployed by environment default',
    );
  });

  it('is not rolled back by another environment without --take-over, as sync and destroy refuse it', async () => {
    // redis-cart now has revision 1 (prod) and 2 (default, taken over above).
    const before = cluster.requests.length;
    const refused = await run(['rollback', 'redis-cart', '-e', 'prod', '--yes']);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      'Error: rollback of environment prod would take over 1 release last deployed by environment default in kube context boutique-test: boutique/redis-cart (default); nothing was changed\n',
    );
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);
    const taken = await run(['rollback', 'redis-cart', '-e', 'prod', '--yes', '--take-over']);
    expect(taken.exitCode, taken.stderr).toBe(0);
    expect(taken.stdout).toContain('boutique/redis-cart rolled back: revision 3');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWrite, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { helm3Binary, kubectlBinary } from '../support/tools.js';

// boutique supports helm 3.14+ as well as helm 4: the same flow with the pinned helm 3.18.
describe('boutique with helm 3', () => {
  let cluster: ControlPlane;
  let run: (args: string[]) => ReturnType<typeof boutique>;
  let system: ReturnType<typeof copyShippedSystem>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    system = copyShippedSystem();
    const env = { ...cluster.env, BOUTIQUE_HELM: helm3Binary(), BOUTIQUE_KUBECTL: kubectlBinary() };
    run = (args) => boutique(args, { cwd: system.dir, env });
  });
  afterAll(() => cluster?.stop());

  it('installs, then leaves unchanged releases alone, then upgrades only what changed', async () => {
    const selection = ['-l', 'name=cartservice', '--include-needs'];
    const version = JSON.parse((await run(['version', '-o', 'json'])).stdout);
    expect(version.results[1]).toMatchObject({ name: 'helm', version: 'v3.18.0', source: 'env' });

    const first = await run(['sync', ...selection]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^boutique\/redis-cart +installed /m);
    expect(first.stdout).toMatch(/^boutique\/cartservice +installed /m);

    const before = cluster.requests.length;
    const second = await run(['sync', ...selection]);
    expect(second.stdout).toMatch(/^boutique\/redis-cart +unchanged /m);
    expect(second.stdout).toMatch(/^boutique\/cartservice +unchanged /m);
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);

    system.edit('values/cartservice.yaml', (text) => text.replace('memory: 128Mi', 'memory: 160Mi'));
    expect((await run(['diff', ...selection])).stdout).toContain(
      'Plan: 0 to add, 1 to change, 0 to destroy, 2 unchanged. Releases: 1 to upgrade, 1 unchanged.',
    );
    const third = await run(['sync', ...selection]);
    expect(third.stdout).toMatch(/^boutique\/redis-cart +unchanged /m);
    expect(third.stdout).toMatch(/^boutique\/cartservice +upgraded /m);
  });
});

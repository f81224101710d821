import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isWrite, mergedKubeconfig, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

const imageOf = (cluster: ControlPlane, namespace: string, name: string) =>
  (
    cluster.store.get('apps/v1', 'Deployment', namespace, name)?.spec as
      { template: { spec: { containers: { image: string }[] } } } | undefined
  )?.template.spec.containers[0]?.image;

describe('promotion from staging to prod, with the gate', () => {
  let staging: ControlPlane;
  let prod: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let run: (args: string[]) => ReturnType<typeof boutique>;
  const selection = ['-l', 'name=adservice', '-l', 'name=emailservice'];
  const prodWritesSince = (index: number) => prod.requests.slice(index).filter(isWrite);

  beforeAll(async () => {
    [staging, prod] = await Promise.all([
      startControlPlane({ readyDelayMs: 100 }),
      startControlPlane({ readyDelayMs: 100 }),
    ]);
    system = copyShippedSystem();
    system.edit('releases.yaml', (text) =>
      text
        .replace(
          '  staging:\n    namespace: boutique-staging\n',
          '  staging:\n    namespace: boutique-staging\n    kubeContext: staging\n',
        )
        .replace(
          '  prod:\n    namespace: boutique\n',
          '  prod:\n    namespace: boutique\n    kubeContext: prod\n    promotedFrom: staging\n',
        )
        // adservice's readiness probe waits 20 s before its first check, as the node agent honours; emailservice,
        // the release a test holds back, has none and fails fast.
        .replace('  timeout: 300\n', '  timeout: 60\n')
        .replace('  - name: emailservice\n', '  - name: emailservice\n    timeout: 10\n'),
    );
    const config = join(system.dir, 'kubeconfig');
    writeFileSync(config, mergedKubeconfig({ staging, prod }), { mode: 0o600 });
    const env = { ...emulatorEnv(staging), KUBECONFIG: config };
    run = (args) => boutique(args, { cwd: system.dir, env });
  });
  afterAll(async () => {
    await Promise.all([staging?.stop(), prod?.stop()]);
  });

  it('promotes the SHA that runs in staging into prod, and sync -e prod installs exactly that tag', async () => {
    const pin = await run(['set-image', '-e', 'staging', 'adservice=3f2a1c9', 'emailservice=3f2a1c9']);
    expect(pin.exitCode, pin.stderr).toBe(0);
    const sync = await run(['sync', '-e', 'staging', ...selection]);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(imageOf(staging, 'boutique-staging', 'adservice')).toMatch(/\/adservice:3f2a1c9$/);

    const promote = await run(['promote', '--from', 'staging', '--to', 'prod', ...selection, '-o', 'json']);
    expect(promote.exitCode, promote.stderr).toBe(0);
    expect(JSON.parse(promote.stdout).results).toEqual([
      {
        from: 'staging',
        to: 'prod',
        file: 'versions/prod.yaml',
        changes: [
          { release: 'adservice', to: '3f2a1c9' },
          { release: 'emailservice', to: '3f2a1c9' },
        ],
      },
    ]);
    expect(readFileSync(join(system.dir, 'versions/prod.yaml'), 'utf8')).toBe(
      'adservice: "3f2a1c9"\nemailservice: "3f2a1c9"\n',
    );
    expect(prod.requests.filter(isWrite)).toEqual([]);

    const prodSync = await run(['sync', '-e', 'prod', '--yes', ...selection]);
    expect(prodSync.exitCode, prodSync.stderr).toBe(0);
    expect(imageOf(prod, 'boutique', 'adservice')).toMatch(/\/adservice:3f2a1c9$/);
    expect(imageOf(prod, 'boutique', 'emailservice')).toMatch(/\/emailservice:3f2a1c9$/);
  });

  it('refuses in sync and diff a tag that never ran in staging, applying nothing', async () => {
    expect((await run(['set-image', '-e', 'prod', 'adservice=9d8c7b6'])).exitCode).toBe(0);
    const before = prod.requests.length;
    const sync = await run(['sync', '-e', 'prod', '--yes', ...selection]);
    expect(sync.exitCode).toBe(1);
    expect(sync.stderr).toContain(
      'promotion gate: 1 release(s) would run a version that is not deployed and ready in staging; nothing was applied',
    );
    expect(sync.stderr).toContain('  boutique/adservice: 9d8c7b6 has not run in staging (it runs 3f2a1c9)');
    expect(sync.stderr).not.toContain('boutique/emailservice');
    const diff = await run(['diff', '-e', 'prod', ...selection]);
    expect(diff.exitCode).toBe(1);
    expect(diff.stderr).toContain('  boutique/adservice: 9d8c7b6 has not run in staging');
    expect(prodWritesSince(before)).toEqual([]);
    expect(prod.requests.length).toBe(before);
    expect(imageOf(prod, 'boutique', 'adservice')).toMatch(/:3f2a1c9$/);
  });

  it('refuses a tag that failed in staging, in sync and in promote, naming it', async () => {
    staging.faults.neverReady({
      kind: 'Deployment',
      name: 'emailservice',
      where: (object) => JSON.stringify(object.spec).includes(':bad0001'),
    });
    expect((await run(['set-image', '-e', 'staging', 'emailservice=bad0001'])).exitCode).toBe(0);
    const failed = await run(['sync', '-e', 'staging', '-l', 'name=emailservice']);
    expect(failed.exitCode).toBe(1);

    const promote = await run(['promote', '--from', 'staging', '--to', 'prod', ...selection]);
    expect(promote.exitCode).toBe(1);
    expect(promote.stderr).toContain('  boutique/emailservice: is failed in staging');
    expect(readFileSync(join(system.dir, 'versions/prod.yaml'), 'utf8')).toBe(
      'adservice: "9d8c7b6"\nemailservice: "3f2a1c9"\n',
    );

    expect((await run(['set-image', '-e', 'prod', 'emailservice=bad0001'])).exitCode).toBe(0);
    const before = prod.requests.length;
    const sync = await run(['sync', '-e', 'prod', '--yes', ...selection]);
    expect(sync.exitCode).toBe(1);
    expect(sync.stderr).toContain('promotion gate: 2 release(s)');
    expect(sync.stderr).toContain('  boutique/adservice: 9d8c7b6 has not run in staging');
    expect(sync.stderr).toContain('  boutique/emailservice: is failed in staging');
    expect(prodWritesSince(before)).toEqual([]);
  });

  it('lets an emergency through with --override-promotion-gate, and says what it let through', async () => {
    const sync = await run(['sync', '-e', 'prod', '--yes', ...selection, '--override-promotion-gate', 'INC-42 hotfix']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stderr).toContain(
      'Warning: promotion gate staging -> prod overridden (reason: INC-42 hotfix); letting through:\n  boutique/adservice: 9d8c7b6 has not run in staging',
    );
    expect(sync.stderr).toContain('  boutique/emailservice: is failed in staging');
    expect(sync.stdout).toMatch(/^boutique\/adservice +upgraded /m);
    expect(imageOf(prod, 'boutique', 'adservice')).toMatch(/\/adservice:9d8c7b6$/);
    expect(imageOf(prod, 'boutique', 'emailservice')).toMatch(/\/emailservice:bad0001$/);
  });
});

import { execa } from 'execa';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

// docs/coming-from-helmfile.md, "Taking over a cluster helmfile deployed": the release helmfile installed is kept,
// the first sync upgrades it once, the next one not at all.
const helmfile = `releases:
  - name: web
    namespace: shop
    chart: ./charts/echo
    values:
      - replicaCount: 2
    set:
      - name: message
        value: hello
`;

describe('taking over a release helmfile deployed', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: dir, env });
  const revisions = async () =>
    JSON.parse((await run(['history', 'shop/web', '-o', 'json'])).stdout).results[0].revisions.map(
      (each: { revision: number }) => each.revision,
    );
  const values = () =>
    JSON.parse(
      (
        cluster.store.list('v1', 'ConfigMap', 'shop').find((object) => object.metadata.name === 'web-values')!
          .data as Record<string, string>
      )['values.json']!,
    );

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    env = emulatorEnv(cluster);
    dir = mkdtempSync(join(tmpdir(), 'boutique-adopt-'));
    cpSync(join(repoRoot, 'test/fixtures/import/corpus/charts'), join(dir, 'charts'), { recursive: true });
    writeFileSync(join(dir, 'helmfile.yaml'), helmfile);
    // What helmfile sync runs for this release (its inline values in a file of their own, --reset-values, no --wait).
    writeFileSync(join(dir, 'inline.yaml'), 'replicaCount: 2\n');
    const helmfileSync = await execa(
      helmBinary(),
      [
        'upgrade',
        '--install',
        'web',
        './charts/echo',
        '--namespace',
        'shop',
        '--create-namespace',
        '--reset-values',
        '--values',
        'inline.yaml',
        '--set',
        'message=hello',
      ],
      { cwd: dir, env, reject: false },
    );
    expect(helmfileSync.exitCode, helmfileSync.stderr).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('keeps the release: one upgrade on the first sync, none after, the same values throughout', async () => {
    const before = values();
    expect(before).toMatchObject({ replicaCount: 2, message: 'hello' });
    const imported = await run(['import', '--strict']);
    expect(imported.exitCode, imported.stdout + imported.stderr).toBe(0);

    const status = await run(['status', '-o', 'json']);
    expect(JSON.parse(status.stdout).results).toEqual([
      expect.objectContaining({
        id: 'shop/web',
        revision: 1,
        status: 'outdated',
        reasons: ['inputs changed', 'environment changed'],
      }),
    ]);
    const first = await run(['sync']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(await revisions()).toEqual([1, 2]);
    expect(values()).toEqual(before);

    const second = await run(['sync']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await revisions()).toEqual([1, 2]);
  });
});

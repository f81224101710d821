import { execa } from 'execa';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

/** helm reuses the last revision's values when an upgrade is given none; releases.yaml must win anyway. */
describe('a release whose values were all removed', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: dir, env });

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    env = emulatorEnv(cluster);
    dir = mkdtempSync(join(tmpdir(), 'boutique-values-reset-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'values-reset'), dir, { recursive: true });
  });
  afterAll(() => cluster.stop());

  it('is upgraded to no values, not to the ones it had', async () => {
    expect((await run(['sync'])).exitCode).toBe(0);
    writeFileSync(
      join(dir, 'releases.yaml'),
      'releases:\n  - name: echo\n    namespace: shop\n    chart: ./charts/echo\n    createNamespace: true\n',
    );
    const second = await run(['sync', '-o', 'json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).summary).toEqual({ upgraded: 1, changes: true });
    const values = await execa(helmBinary(), ['get', 'values', 'echo', '--namespace', 'shop', '-o', 'json'], { env });
    expect(JSON.parse(values.stdout)).toBeNull();
    const rendered = cluster.store.get('v1', 'ConfigMap', 'shop', 'echo-values')!.data as Record<string, string>;
    expect(JSON.parse(rendered['values.json']!)).toEqual({});
  });
});

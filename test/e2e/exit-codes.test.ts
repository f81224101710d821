import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

const selection = ['-l', 'tier=infra'];

describe('one rule for exit codes', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let run: (args: string[]) => ReturnType<typeof boutique>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    system = copyShippedSystem();
    run = (args) => boutique(args, { cwd: system.dir, env: emulatorEnv(cluster) });
  });
  afterAll(() => cluster.stop());

  it('--detailed-exitcode is 2 for a release plain helm installed, which the plan upgrades though no object changes, in text and JSON', async () => {
    await execa(
      helmBinary(),
      [
        'install',
        'redis-cart',
        './charts/redis',
        '--namespace',
        'boutique',
        '--create-namespace',
        '--values',
        'values/redis-cart.yaml',
      ],
      { cwd: system.dir, env: emulatorEnv(cluster) },
    );
    const text = await run(['diff', '--detailed-exitcode', ...selection]);
    expect(text.stdout).toContain('Releases: 1 to upgrade, 0 unchanged.');
    expect(text.exitCode, text.stderr).toBe(2);
    const json = await run(['diff', '--detailed-exitcode', '-o', 'json', ...selection]);
    expect(json.exitCode, json.stderr).toBe(2);
    expect(JSON.parse(json.stdout).summary).toMatchObject({ change: 0, hasChanges: 1, changes: true });
    const dryRun = await run(['sync', '--dry-run', '--detailed-exitcode', ...selection]);
    expect(dryRun.exitCode, dryRun.stderr).toBe(2);
    expect(JSON.parse((await run(['status', '-o', 'json', ...selection])).stdout).summary).toMatchObject({
      upgrade: 1,
      changes: true,
    });
  });

  it('says 0 and changes: false once synced, and 1 for an error under --detailed-exitcode', async () => {
    expect((await run(['sync', '--detailed-exitcode', ...selection])).exitCode).toBe(2);
    const json = await run(['diff', '--detailed-exitcode', '-o', 'json', ...selection]);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).summary).toMatchObject({ hasChanges: 0, changes: false });
    expect((await run(['sync', '--dry-run', '--detailed-exitcode', ...selection])).exitCode).toBe(0);
    expect((await run(['diff', '--detailed-exitcode', '-l', 'name=nosuch'])).exitCode).toBe(1);
    expect((await run(['diff', '-l', 'name=nosuch'])).exitCode).toBe(2);
  });

  it('gives every command a summary in its JSON envelope', async () => {
    const out = mkdtempSync(join(tmpdir(), 'boutique-export-'));
    const commands = [
      ['list'],
      ['graph'],
      ['template', ...selection],
      ['lint', '--list-rules'],
      ['version'],
      ['history', 'redis-cart'],
      ['status', ...selection],
      ['diff', ...selection],
      ['sync', '--dry-run', ...selection],
      ['sync', ...selection],
      ['set-image', '-e', 'staging', 'frontend=3f2a1c9'],
      ['export', 'argocd', '--output-dir', out, '--repo-url', 'https://example.com/platform.git'],
    ];
    for (const args of commands) {
      const result = await run([...args, '-o', 'json']);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      const { summary } = JSON.parse(result.stdout);
      expect(Object.keys(summary ?? {}).length, `summary of ${args.join(' ')}`).toBeGreaterThan(0);
    }
  });
});

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutiqueBin } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

describe('--output json through a pipe', () => {
  let cluster: ControlPlane;

  beforeAll(async () => {
    cluster = await startControlPlane({});
  });
  afterAll(() => cluster.stop());

  it('arrives whole from a failing run when the reader is slow: one document, larger than a pipe holds', async () => {
    const system = copyShippedSystem();
    // One release that does not render fails the run; another whose ConfigMap holds 100 kB makes the document large.
    system.edit(
      'charts/redis/templates/service.yaml',
      (text) => `${text}\n{{ required "redis needs .Values.nowhere" .Values.nowhere }}\n`,
    );
    system.edit('values/frontend.yaml', (text) => `${text}\nconfig:\n  PADDING: "${'x'.repeat(100_000)}"\n`);
    // The reader starts two seconds late: by then a process that exits without waiting has left the pipe's 64 KiB.
    const piped = await execa('sh', ['-c', '"$0" "$1" diff -o json | (sleep 2; cat)', process.execPath, boutiqueBin], {
      cwd: system.dir,
      env: { ...emulatorEnv(cluster), NO_COLOR: '1', CI: 'true' },
      reject: false,
    });
    expect(piped.stdout.length).toBeGreaterThan(2 * 65_536);
    const report = JSON.parse(piped.stdout);
    expect(report).toMatchObject({ command: 'diff', ok: false });
    expect(report.errors.map((error: { release?: string }) => error.release)).toEqual(['boutique/redis-cart']);
    expect(JSON.stringify(report.results)).toContain('x'.repeat(100_000));
  });
});

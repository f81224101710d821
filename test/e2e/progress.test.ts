import { execa } from 'execa';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, boutiqueBin } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

const releaseCount = 12;

/** The built CLI in a pseudo-terminal (util-linux script), outside CI: what a user at a terminal sees. */
async function inTerminal(args: string[], cwd: string, env: Record<string, string>): Promise<string> {
  const command = [process.execPath, boutiqueBin, ...args].map((word) => `'${word}'`).join(' ');
  // A fresh pseudo-terminal has no size; listr2 wraps its lines to the terminal's width.
  const result = await execa(
    'script',
    ['--quiet', '--return', '--command', `stty cols 160 rows 50; ${command}`, '/dev/null'],
    {
      cwd,
      env: { ...env, CI: '', GITHUB_ACTIONS: '', NO_COLOR: '1', TERM: 'xterm' },
      reject: false,
    },
  );
  expect(result.exitCode, String(result.stdout)).toBe(0);
  return stripVTControlCharacters(String(result.stdout)).replaceAll('\r', '');
}

describe('progress of the shipped Online Boutique', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    system = copyShippedSystem();
    env = emulatorEnv(cluster);
  });
  afterAll(() => cluster?.stop());

  it('shows a terminal each outcome as it happens with its mark and the totals, without repeating them as a table', async () => {
    const screen = await inTerminal(['sync'], system.dir, env);
    // The pseudo-terminal keeps every redraw; the distinct lines are what the list showed.
    expect(new Set(screen.match(/^✔ boutique\/\S+: installed in \d+\.\ds$/gm)).size, screen).toBe(releaseCount);
    expect(screen).not.toMatch(/^= /m);
    // Queued releases were drawn, and never with a spinner before them.
    expect(screen).toMatch(/^· boutique\/frontend: queued$/m);
    expect(screen.match(/^\S+ · .*$/gm)).toBeNull();
    expect(screen).toMatch(new RegExp(`^${releaseCount} installed in \\d+\\.\\ds$`, 'm'));
    expect(screen).not.toContain('RELEASE');
  });

  it('folds each release into a GitHub Actions group and ends with the totals and the table', async () => {
    const result = await boutique(['sync'], { cwd: system.dir, env: { ...env, GITHUB_ACTIONS: 'true' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.match(/^::group::boutique\/\S+: unchanged\n/gm)).toHaveLength(releaseCount);
    expect(result.stderr.match(/^::endgroup::$/gm)).toHaveLength(releaseCount);
    expect(result.stderr).toMatch(
      /::group::boutique\/frontend: unchanged\n(\S+ boutique\/frontend: [^\n]*\n)+::endgroup::\n/,
    );
    expect(result.stderr).toMatch(new RegExp(`^${releaseCount} unchanged in \\d+\\.\\ds$`, 'm'));
    expect(result.stdout).toMatch(/^RELEASE +RESULT +DURATION +DETAIL$/m);
  });

  it('notes unselected needs once, and only where they change what runs', async () => {
    const status = await boutique(['status', '-l', 'name=loadgenerator'], { cwd: system.dir, env });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stderr).toBe('');
    const sync = await boutique(['sync', '-l', 'name=checkoutservice'], { cwd: system.dir, env });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stderr.match(/not selected/g)).toHaveLength(1);
    expect(sync.stderr).toContain(
      'not selected, so neither applied nor waited for: boutique/productcatalogservice (needed by boutique/checkoutservice), ',
    );
    expect(sync.stderr).toMatch(/^1 unchanged in \d+\.\ds$/m);
  });
});

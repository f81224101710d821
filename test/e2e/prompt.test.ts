import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { copyShippedSystem } from '../support/system.js';
import { Terminal } from '../support/terminal.js';
import { emulatorEnv } from '../support/tools.js';

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;
const question = 'Type yes to continue: ';
/** What listr2 draws: a spinner frame, or a release's progress line. */
const progressDrawn = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]|: (checking|applying|queued)/;

describe('the production prompt at a terminal', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    system = copyShippedSystem();
  });
  afterAll(() => cluster.stop());

  const terminal = (args: string[]) => new Terminal(args, { cwd: system.dir, env: emulatorEnv(cluster) });

  it('is on screen before any progress, names the environment, the kube context and the plan; Ctrl-C stops at once with nothing written', async () => {
    const sync = terminal(['sync', '-e', 'prod', '-l', 'tier=infra']);
    const before = await sync.waitFor(question);
    expect(before).not.toMatch(progressDrawn);
    expect(before).toMatch(/^boutique\/redis-cart +install +not installed +-$/m);
    expect(before).not.toContain('Nothing was changed (dry run)');
    expect(before).toContain(
      'sync of production environment prod (kube context boutique-test): 1 to install, 0 unchanged.\n',
    );
    sync.type('\x03');
    const { exitCode, screen } = await sync.exit();
    expect(exitCode, screen).toBe(130);
    expect(screen).toContain(
      'Error: sync of production environment prod (kube context boutique-test): 1 to install, 0 unchanged: interrupted at the prompt; nothing was changed',
    );
    expect(screen).not.toContain('starting nothing new');
    expect(screen).not.toMatch(progressDrawn);
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });

  it('draws the progress only once the answer is yes', async () => {
    const sync = terminal(['sync', '-e', 'prod', '-l', 'tier=infra']);
    expect(await sync.waitFor(question)).not.toMatch(progressDrawn);
    sync.type('yes\r');
    const { exitCode, screen } = await sync.exit();
    expect(exitCode, screen).toBe(0);
    const after = screen.slice(screen.indexOf(question));
    expect(after).toMatch(/^✔ boutique\/redis-cart: installed in \d+\.\ds$/m);
    expect(cluster.requests.filter(isWrite).length).toBeGreaterThan(0);
  });

  it('says a rollback has nothing to roll back to before asking anything', async () => {
    const rollback = terminal(['rollback', 'redis-cart', '-e', 'prod']);
    const { exitCode, screen } = await rollback.exit();
    expect(exitCode, screen).toBe(2);
    expect(screen).toContain(
      'Error: boutique/redis-cart has only revision 1: there is nothing to roll back to\n  hint: boutique history boutique/redis-cart lists the revisions helm keeps\n',
    );
    expect(screen).not.toContain(question);
  });
});

import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, helmBinary, kubectlBinary } from '../support/tools.js';

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;

/** A plan saved for review is applied exactly, or not at all when anything it depends on moved. */
describe('diff --save-plan, then sync --plan', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: system.dir, env });
  const planFile = () => join(system.dir, 'plan.json');
  const writesSince = (seq: number) => cluster.requests.slice(seq).filter(isWrite);
  const bumpFrontendMemory = (from: string, to: string) =>
    system.edit('values/frontend.yaml', (text) => text.replace(`memory: ${from}`, `memory: ${to}`));

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    env = emulatorEnv(cluster);
    system = copyShippedSystem();
    const first = await run(['sync']);
    expect(first.exitCode, first.stderr).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('applies the reviewed plan and writes nothing it did not name', async () => {
    bumpFrontendMemory('128Mi', '160Mi');
    const saved = await run(['diff', '--save-plan', planFile()]);
    expect(saved.exitCode, saved.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(planFile(), 'utf8'));
    expect(plan).toMatchObject({
      format: 'boutique.dev/plan/v1',
      environment: 'default',
      releases: [{ id: 'boutique/frontend', action: 'upgrade', fromRevision: 1 }],
    });
    expect(plan.releases[0].objects.map((obj: { key: string }) => obj.key)).toEqual([
      'Deployment/boutique/frontend',
      'Service/boutique/frontend',
      'Service/boutique/frontend-external',
      'ServiceAccount/boutique/frontend',
    ]);

    const before = cluster.requests.length;
    const applied = await run(['sync', '--plan', planFile(), '-o', 'json']);
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout).summary).toEqual({ upgraded: 1, unchanged: 11, changes: true });
    const written = writesSince(before).map((entry) => `${entry.verb} ${entry.resource}/${entry.name ?? ''}`);
    expect(written.length).toBeGreaterThan(0);
    // A create names no object in its path: helm's new record is the one create of a Secret, checked below.
    expect(written.filter((write) => !/frontend|leases\/|^create secrets\/$/.test(write))).toEqual([]);
    const records = cluster.store
      .list('v1', 'Secret', 'boutique')
      .map((secret) => secret.metadata.name ?? '')
      .filter((name) => name.startsWith('sh.helm.release.v1.') && !name.endsWith('.v1'));
    expect(records).toEqual(['sh.helm.release.v1.frontend.v2']);
  });

  it('refuses, writing nothing, when a values file changed since the plan', async () => {
    bumpFrontendMemory('160Mi', '192Mi');
    expect((await run(['diff', '--save-plan', planFile()])).exitCode).toBe(0);
    system.edit('values/cartservice.yaml', (text) => text.replace('memory: 128Mi', 'memory: 144Mi'));
    const before = cluster.requests.length;
    const refused = await run(['sync', '--plan', planFile()]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'boutique/cartservice: the plan leaves it alone, a sync now would upgrade it (inputs changed)',
    );
    expect(writesSince(before)).toEqual([]);
    system.edit('values/cartservice.yaml', (text) => text.replace('memory: 144Mi', 'memory: 128Mi'));
  });

  it('refuses when an object the plan changes was scaled, and when plain helm made a revision', async () => {
    expect((await run(['diff', '--save-plan', planFile()])).exitCode).toBe(0);
    await execa(kubectlBinary(), ['scale', 'deployment/frontend', '--replicas=3', '--namespace', 'boutique'], { env });
    let before = cluster.requests.length;
    const scaled = await run(['sync', '--plan', planFile()]);
    expect(scaled.exitCode).toBe(1);
    expect(scaled.stderr).toMatch(
      /boutique\/frontend: Deployment\/boutique\/frontend changed since the plan \(resourceVersion \d+ → \d+\)/,
    );
    expect(writesSince(before)).toEqual([]);

    expect((await run(['diff', '--save-plan', planFile()])).exitCode).toBe(0);
    await execa(
      helmBinary(),
      [
        'upgrade',
        'frontend',
        join(system.dir, 'charts', 'microservice'),
        '--namespace',
        'boutique',
        '--reuse-values',
        '--force-conflicts',
      ],
      { env },
    );
    before = cluster.requests.length;
    const revised = await run(['sync', '--plan', planFile()]);
    expect(revised.exitCode).toBe(1);
    expect(revised.stderr).toMatch(
      /boutique\/frontend: helm's revision is \d+, the plan started from \d+ \(another helm run in between\)/,
    );
    expect(writesSince(before)).toEqual([]);
  });

  it('checks the plan file like any input: location, hint, exit 2', async () => {
    const broken = join(system.dir, 'broken-plan.json');
    const text = readFileSync(planFile(), 'utf8').replace(
      '"format": "boutique.dev/plan/v1"',
      '"format": "boutique.dev/plan/v0"',
    );
    await import('node:fs').then(({ writeFileSync }) => writeFileSync(broken, text));
    const result = await run(['sync', '--plan', broken]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/broken-plan\.json:2:\d+: \/format must be "boutique\.dev\/plan\/v1"/);
    const missing = await run(['sync', '--plan', join(system.dir, 'nope.json')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});

describe('releases that left releases.yaml', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: system.dir, env });
  const deployedReleases = () =>
    cluster.store
      .list('v1', 'Secret', 'boutique')
      .filter((secret) => secret.metadata.labels?.owner === 'helm')
      .map((secret) => secret.metadata.labels!.name)
      .sort();

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    env = emulatorEnv(cluster);
    system = copyShippedSystem();
    const first = await run(['sync']);
    expect(first.exitCode, first.stderr).toBe(0);
    system.edit('releases.yaml', (text) =>
      text.replace(/  - name: loadgenerator\n(    .*\n|\s*#.*\n|        .*\n)*/, ''),
    );
  });
  afterAll(() => cluster.stop());

  it('are listed as orphaned by status, diff and sync, and left running without --prune', async () => {
    const status = await run(['status', '-o', 'json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout).results as { id: string; status: string }[];
    expect(rows.filter((row) => row.status === 'orphaned').map((row) => row.id)).toEqual(['boutique/loadgenerator']);
    const text = await run(['status']);
    expect(text.stdout).toMatch(
      /^loadgenerator +boutique +default +1 +deployed .* orphaned: no longer in releases\.yaml/m,
    );

    const diff = await run(['diff']);
    expect(diff.stdout).toContain(
      'orphaned: boutique/loadgenerator was deployed for default and is no longer in releases.yaml; sync --prune uninstalls it',
    );

    const sync = await run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stderr).toContain('orphaned: boutique/loadgenerator');
    expect(deployedReleases()).toContain('loadgenerator');
  });

  it('are uninstalled by sync --prune, which asks first as destroy does', async () => {
    const unconfirmed = await run(['sync', '--prune']);
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toContain('prune of 1 release in default: not confirmed');
    expect(deployedReleases()).toContain('loadgenerator');

    const pruned = await run(['sync', '--prune', '--yes', '-o', 'json']);
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    const report = JSON.parse(pruned.stdout);
    expect(report.summary).toEqual({ unchanged: 11, uninstalled: 1, changes: true });
    expect(deployedReleases()).not.toContain('loadgenerator');
    expect(deployedReleases()).toHaveLength(11);
  });
});

describe('runs: history --runs and rollback --run', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: system.dir, env: { ...env, GITHUB_ACTOR: 'octo-dev' } });
  const revisionsOf = async (name: string) =>
    JSON.parse(
      (await execa(helmBinary(), ['history', name, '--namespace', 'boutique', '-o', 'json'], { env })).stdout,
    ) as { revision: number; status: string; description: string }[];

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    env = emulatorEnv(cluster);
    system = copyShippedSystem();
    expect((await run(['sync'])).exitCode).toBe(0);
    system.edit('values/frontend.yaml', (text) => text.replace('memory: 128Mi', 'memory: 160Mi'));
    system.edit('values/cartservice.yaml', (text) => text.replace('memory: 128Mi', 'memory: 144Mi'));
    system.edit('values/checkoutservice.yaml', (text) =>
      text.replace(/memory: (\d+)Mi/, (_match, mi: string) => `memory: ${Number(mi) + 16}Mi`),
    );
    system.edit(
      'releases.yaml',
      (text) =>
        `${text}\n  - name: canary\n    chart: ./charts/microservice\n    values: [values/adservice.yaml]\n    needs: [frontend]\n`,
    );
    const second = await run(['sync', '-o', 'json']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).summary).toEqual({ upgraded: 3, installed: 1, unchanged: 9, changes: true });
  });
  afterAll(() => cluster.stop());

  it('lists the runs, newest first, with who ran them and what each changed', async () => {
    const result = await run(['history', '--runs', '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const runs = JSON.parse(result.stdout).results as {
      id: string;
      actor: string;
      releases: { id: string; action: string }[];
    }[];
    expect(runs).toHaveLength(2);
    expect(runs[0]!.actor).toBe('octo-dev');
    expect(runs[0]!.releases.map((release) => `${release.id} ${release.action}`)).toEqual([
      'boutique/canary installed',
      'boutique/cartservice upgraded',
      'boutique/checkoutservice upgraded',
      'boutique/frontend upgraded',
    ]);
    expect(runs[1]!.releases).toHaveLength(12);
  });

  it('undoes the newest run: what it upgraded goes back, what it installed goes, dependents first', async () => {
    const runs = JSON.parse((await run(['history', '--runs', '-o', 'json'])).stdout).results as { id: string }[];
    const latest = runs[0]!.id;
    const dry = await run(['rollback', '--run', latest, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(
      'boutique/canary: uninstall (the run installed it)\nboutique/frontend: roll back to revision 1\nboutique/checkoutservice: roll back to revision 1\nboutique/cartservice: roll back to revision 1\nNothing was changed (dry run).\n',
    );
    expect((await revisionsOf('frontend')).at(-1)!.revision).toBe(2);

    const unconfirmed = await run(['rollback', '--run', latest]);
    expect(unconfirmed.exitCode).toBe(2);

    const undone = await run(['rollback', '--run', latest, '--yes']);
    expect(undone.exitCode, undone.stderr).toBe(0);
    expect(undone.stdout.split('\n').filter(Boolean)).toEqual([
      'boutique/canary: uninstalled',
      'boutique/frontend: rolled back to revision 1',
      'boutique/checkoutservice: rolled back to revision 1',
      'boutique/cartservice: rolled back to revision 1',
    ]);
    expect((await revisionsOf('frontend')).at(-1)).toMatchObject({
      revision: 3,
      status: 'deployed',
      description: 'Rollback to 1',
    });
    expect((await revisionsOf('adservice')).map((revision) => revision.revision)).toEqual([1]);
    await expect(revisionsOf('canary')).rejects.toThrow(/not found/);
  });
});

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextName, startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem, shippedNeeds, shippedReleaseNames } from '../support/system.js';
import { emulatorEnv, helmBinary, kubectlBinary } from '../support/tools.js';
import { kubeconfigFor } from '../support/kubeconfig.js';

const releaseNames = shippedReleaseNames;
const needs = shippedNeeds;

/** The first or last request of a non-empty list: an ordering check over no requests must fail, not pass. */
function first(entries: RequestLogEntry[], what: string): number {
  if (entries.length === 0) throw new Error(`no request for ${what}`);
  return Math.min(...entries.map((entry) => entry.seq));
}
function last(entries: RequestLogEntry[], what: string): number {
  if (entries.length === 0) throw new Error(`no request for ${what}`);
  return Math.max(...entries.map((entry) => entry.seq));
}

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;
const isReleaseStorage = (entry: RequestLogEntry, release: string) =>
  entry.resource === 'secrets' && (entry.name ?? '').startsWith(`sh.helm.release.v1.${release}.v`);

function context(cluster: ControlPlane, cwd: string) {
  const env = emulatorEnv(cluster);
  return {
    run: (args: string[], extraEnv: Record<string, string> = {}) =>
      boutique(args, { cwd, env: { ...env, ...extraEnv } }),
    kubectl: (args: string[]) => execa(kubectlBinary(), args, { env }),
    helmSecrets: () =>
      cluster.store
        .list('v1', 'Secret', 'boutique')
        .map((secret) => secret.metadata.name ?? '')
        .filter((name) => name.startsWith('sh.helm.release.v1.'))
        .sort(),
  };
}

describe('boutique sync on the shipped Online Boutique', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let cli: ReturnType<typeof context>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 150 });
    system = copyShippedSystem();
    cli = context(cluster, system.dir);
  });
  afterAll(() => cluster?.stop());

  it('diffs a fresh cluster as everything to add, without writing', async () => {
    const diff = await cli.run(['diff', '--detailed-exitcode', '-o', 'json']);
    expect(diff.exitCode, diff.stderr).toBe(2);
    const report = JSON.parse(diff.stdout);
    expect(report).toMatchObject({ schemaVersion: 1, command: 'diff', ok: true, errors: [] });
    expect(report.summary).toEqual({
      add: 36,
      change: 0,
      destroy: 0,
      unchanged: 0,
      drifted: 0,
      hasChanges: 1,
      complete: 1,
      changes: true,
    });
    const dryRun = await cli.run(['sync', '--dry-run', '-l', 'tier=infra']);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/^boutique\/redis-cart +install +not installed +-$/m);
    expect(dryRun.stdout).not.toContain('frontend');
    expect(dryRun.stdout).toMatch(/Plan for default: 1 to install, 0 unchanged\. Nothing was changed \(dry run\)\.\n$/);
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });

  it('installs every release, each only after the releases it needs are ready', async () => {
    const result = await cli.run(['sync']);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const name of releaseNames) expect(result.stdout).toMatch(new RegExp(`^boutique/${name} +installed `, 'm'));

    const readyAt = (release: string) =>
      last(
        cluster.requests.filter(
          (entry) => isWrite(entry) && entry.verb === 'update' && isReleaseStorage(entry, release),
        ),
        release,
      );
    const firstWriteAt = (release: string) =>
      first(
        cluster.requests.filter((entry) => isWrite(entry) && isReleaseStorage(entry, release)),
        release,
      );
    for (const [release, needed] of Object.entries(needs)) {
      for (const need of needed)
        expect(firstWriteAt(release), `${release} after ${need}`).toBeGreaterThan(readyAt(need));
    }
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'frontend')?.status).toMatchObject({
      readyReplicas: 1,
    });
  });

  it('changes nothing on a second sync: no upgrade, no new revision, not a single write', async () => {
    const before = cluster.requests.length;
    const result = await cli.run(['sync', '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toEqual({ unchanged: 12, changes: false });
    expect(report.results).toHaveLength(12);
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);
    expect(cli.helmSecrets()).toEqual(releaseNames.map((name) => `sh.helm.release.v1.${name}.v1`).sort());
  });

  it('diffs exactly one changed value with its rollout mark, and syncs only that release', async () => {
    system.edit('values/emailservice.yaml', (text) => text.replace('memory: 64Mi', 'memory: 96Mi'));
    const diff = await cli.run(['diff', '--detailed-exitcode', '--context', '0']);
    expect(diff.exitCode, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('~ Deployment/emailservice (change)\n! rolls 1 pod of Deployment/emailservice\n');
    expect(diff.stdout).toContain('-              memory: 64Mi\n+              memory: 96Mi\n');
    expect(diff.stdout).toMatch(
      /Plan: 0 to add, 1 to change, 0 to destroy, \d+ unchanged\. Releases: 1 to upgrade, 11 unchanged\.\n$/,
    );

    const markdown = await cli.run(['diff', '-o', 'markdown']);
    expect(markdown.stdout).toContain('```diff');

    const before = cluster.requests.length;
    const sync = await cli.run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^boutique\/emailservice +upgraded /m);
    expect(sync.stdout.match(/ upgraded /g)).toHaveLength(1);
    const written = new Set(
      cluster.requests
        .slice(before)
        .filter(isWrite)
        .map((entry) => entry.name),
    );
    expect([...written].filter((name) => name?.startsWith('sh.helm.release.v1.')).sort()).toEqual([
      'sh.helm.release.v1.emailservice.v1',
      'sh.helm.release.v1.emailservice.v2',
    ]);
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'emailservice')?.spec).toMatchObject({
      template: { spec: { containers: [{ resources: { requests: { memory: '96Mi' } } }] } },
    });
    expect((await cli.run(['diff', '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('rolls a release back, shows it as outdated, and the next sync brings it forward again', async () => {
    const rollback = await cli.run(['rollback', 'emailservice']);
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(rollback.stdout).toBe('boutique/emailservice rolled back: revision 3 (Rollback to 1)\n');
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'emailservice')?.spec).toMatchObject({
      template: { spec: { containers: [{ resources: { requests: { memory: '64Mi' } } }] } },
    });
    const status = JSON.parse((await cli.run(['status', '-l', 'name=emailservice', '-o', 'json'])).stdout);
    expect(status.results).toEqual([
      expect.objectContaining({
        id: 'boutique/emailservice',
        revision: 3,
        helmStatus: 'deployed',
        status: 'outdated',
        reasons: ['inputs changed'],
      }),
    ]);
    const sync = await cli.run(['sync', '-l', 'name=emailservice']);
    expect(sync.stdout).toMatch(/^boutique\/emailservice +upgraded /m);
    const history = await cli.run(['history', 'emailservice']);
    expect(history.exitCode, history.stderr).toBe(0);
    expect(history.stdout.split('\n')[0]).toMatch(/^REVISION +UPDATED +STATUS +CHART +APP VERSION +DESCRIPTION$/);
    expect(
      history.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split(/ {3,}/).filter((_, column) => column !== 1)),
    ).toEqual([
      ['1', 'superseded', 'microservice-0.1.0', '-', 'Install complete'],
      ['2', 'superseded', 'microservice-0.1.0', '-', 'Upgrade complete'],
      ['3', 'superseded', 'microservice-0.1.0', '-', 'Rollback to 1'],
      ['4', 'deployed', 'microservice-0.1.0', '-', 'Upgrade complete'],
    ]);
    expect(
      JSON.parse((await cli.run(['history', 'boutique/emailservice', '-o', 'json'])).stdout).results[0].revisions.map(
        (r: { revision: number }) => r.revision,
      ),
    ).toEqual([1, 2, 3, 4]);
    expect((await cli.run(['rollback', 'emailservce'])).stderr).toContain(
      'Error: no release "emailservce" in releases.yaml\n  hint: did you mean "emailservice"?',
    );
  });

  it('shows a kubectl scale as drift, and sync repairs it', async () => {
    await cli.kubectl(['scale', 'deployment/cartservice', '--replicas=3', '--namespace', 'boutique']);
    const diff = await cli.run(['diff', '-l', 'name=cartservice', '--kube-context', contextName]);
    expect(diff.stdout).toContain(
      'Drift: live objects differ from what the last sync applied\n  Deployment/cartservice\n    spec.replicas: applied 1, live 3\n',
    );
    const status = await cli.run(['status', '-l', 'name=cartservice']);
    expect(status.stdout).toMatch(/cartservice .* drifted: drift in Deployment\/cartservice\n/);
    const dryRun = await cli.run(['sync', '--dry-run', '-l', 'name=cartservice']);
    expect(dryRun.stdout).toMatch(/^boutique\/cartservice +upgrade +drift in Deployment\/cartservice /m);

    const sync = await cli.run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^boutique\/cartservice +upgraded +\S+ +drift in Deployment\/cartservice$/m);
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'cartservice')?.spec).toMatchObject({ replicas: 1 });
    expect((await cli.run(['status', '-l', 'name=cartservice'])).stdout).toMatch(/cartservice .* in sync\n/);
  });

  it('decides drift and a deleted object the same from its own requests as through kubectl', async () => {
    await cli.kubectl(['scale', 'deployment/currencyservice', '--replicas=2', '--namespace', 'boutique']);
    await cli.kubectl(['delete', 'service/emailservice', '--namespace', 'boutique']);
    const readsFrom = async (extraEnv: Record<string, string>) => {
      const since = cluster.requests.length;
      const status = await cli.run(['status', '-o', 'json'], extraEnv);
      expect(status.exitCode, status.stderr).toBe(0);
      const reads = cluster.requests.slice(since).filter((entry) => entry.verb === 'list');
      if (reads.length === 0) throw new Error('status listed nothing');
      return {
        report: JSON.parse(status.stdout),
        agents: [...new Set(reads.map((entry) => (entry.userAgent ?? '').split('/')[0]))],
      };
    };
    const direct = await readsFrom({});
    const viaKubectl = await readsFrom({ BOUTIQUE_DIRECT_API: '0' });
    expect(direct.agents).toEqual(['boutique']);
    expect(viaKubectl.agents).toEqual(['kubectl']);
    expect(direct.report).toEqual(viaKubectl.report);
    const drifted = direct.report.results
      .filter((result: { status: string }) => result.status !== 'in sync')
      .map((result: { id: string; reasons: string[] }) => [result.id, result.reasons]);
    expect(drifted).toEqual([
      ['boutique/currencyservice', ['drift in Deployment/currencyservice']],
      ['boutique/emailservice', ['drift in Service/emailservice (deleted)']],
    ]);
    expect((await cli.run(['sync'])).exitCode).toBe(0);
  });

  it('uninstalls a release switched to installed: false', async () => {
    // default deployed it: prod takes it over to uninstall it.
    const result = await cli.run(['sync', '-e', 'prod', '-l', 'name=loadgenerator', '--yes', '--take-over']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^boutique\/loadgenerator +uninstalled /m);
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'loadgenerator')).toBeUndefined();
  });

  it('destroys everything in reverse dependency order', async () => {
    const beforeRefusal = cluster.requests.length;
    const refused = await cli.run(['destroy']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      'Error: destroy of 11 releases in environment default (kube context boutique-test): not confirmed, and there is no terminal to ask\n  hint: pass --yes to confirm',
    );
    expect(cluster.requests.slice(beforeRefusal).filter(isWrite)).toEqual([]);
    const before = cluster.requests.length;
    const result = await cli.run(['destroy', '--yes']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^boutique\/frontend +uninstalled /m);
    const deletedAt = (release: string) =>
      first(
        cluster.requests.slice(before).filter((entry) => entry.verb === 'delete' && isReleaseStorage(entry, release)),
        release,
      );
    for (const [release, needed] of Object.entries(needs)) {
      if (release === 'loadgenerator') continue;
      for (const need of needed)
        expect(deletedAt(need), `${need} after ${release}`).toBeGreaterThan(deletedAt(release));
    }
    expect(cli.helmSecrets()).toEqual([]);
    expect(cluster.store.list('apps/v1', 'Deployment', 'boutique')).toEqual([]);
  });
});

describe('boutique sync when a release never becomes ready', () => {
  let cluster: ControlPlane;
  afterAll(() => cluster?.stop());

  it("fails that release with helm's error, skips what needs it, finishes the rest and exits 1", async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    const system = copyShippedSystem();
    // Only the release that never becomes ready gets a short timeout, so a loaded machine slows the others harmlessly.
    system.edit('releases.yaml', (text) =>
      text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 3\n'),
    );
    cluster.faults.neverReady({ kind: 'Deployment', name: 'redis-cart' });
    const result = await context(cluster, system.dir).run(['sync']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^boutique\/redis-cart +failed /m);
    expect(result.stdout).toMatch(/^boutique\/cartservice +skipped +- +needs boutique\/redis-cart, which failed$/m);
    expect(result.stdout).toMatch(
      /^boutique\/checkoutservice +skipped +- +needs boutique\/cartservice, which was skipped$/m,
    );
    for (const name of [
      'adservice',
      'currencyservice',
      'emailservice',
      'paymentservice',
      'productcatalogservice',
      'shippingservice',
      'recommendationservice',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^boutique/${name} +installed `, 'm'));
    }
    expect(result.stderr).toContain(
      'release boutique/redis-cart failed:\nError: resource Deployment/boutique/redis-cart not ready. status: InProgress',
    );
    expect(result.stderr).toMatch(/Error: sync failed: 1 failed, 4 skipped, 7 done\n$/);
    expect(cluster.store.get('apps/v1', 'Deployment', 'boutique', 'cartservice')).toBeUndefined();
  });
});

describe('boutique sync with a release that does not render', () => {
  let cluster: ControlPlane;
  afterAll(() => cluster?.stop());

  it("applies nothing at all and shows helm's error under the release name", async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    const system = copyShippedSystem();
    // Valid for the chart's schema, refused by its template: both limits of the disruption budget set.
    system.edit(
      'values/emailservice.yaml',
      (text) => `${text}\npodDisruptionBudget: { enabled: true, maxUnavailable: 1 }\n`,
    );
    const result = await context(cluster, system.dir).run(['sync']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^boutique\/emailservice +failed /m);
    expect(result.stdout).toMatch(
      /^boutique\/redis-cart +skipped +- +nothing was applied: boutique\/emailservice does not render$/m,
    );
    expect(result.stderr).toMatch(
      /release boutique\/emailservice failed:\nError: .*podDisruptionBudget: set exactly one of minAvailable and maxUnavailable/,
    );
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });
});

describe('boutique sync without a reachable cluster', () => {
  it('says so once, before touching any release, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-unreachable-'));
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor('http://127.0.0.1:1'));
    const system = copyShippedSystem();
    const env = {
      KUBECONFIG: join(dir, 'kubeconfig'),
      KUBECACHEDIR: join(dir, 'cache'),
      BOUTIQUE_HELM: helmBinary(),
      BOUTIQUE_KUBECTL: kubectlBinary(),
    };
    const result = await boutique(['sync'], { cwd: system.dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^Error: cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:1\/\S+: the connection was refused$/m,
    );
    expect(result.stderr.match(/Error:/g)).toHaveLength(1);
  });
});

describe('boutique sync against an https server that requires a client certificate', () => {
  let cluster: ControlPlane;
  afterAll(() => cluster?.stop());

  it('installs with helm, takes the lock and checks the converged releases with requests of its own, as a real cluster is reached', async () => {
    cluster = await startControlPlane({ readyDelayMs: 50, tls: true });
    expect(cluster.url).toMatch(/^https:/);
    const cli = context(cluster, copyShippedSystem().dir);
    const selection = ['-l', 'name=cartservice', '--include-needs'];
    const first = await cli.run(['sync', ...selection]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(cli.helmSecrets()).toEqual(['sh.helm.release.v1.cartservice.v1', 'sh.helm.release.v1.redis-cart.v1']);
    const leaseWrites = cluster.requests.filter((entry) => entry.resource === 'leases' && isWrite(entry));
    // Taken, renewed while the run lasts (how often depends on how long the releases take to become ready), and let
    // go (no holder) at the end: one Lease per namespace written, kept for the next run.
    const lockLife = leaseWrites.map((entry) => `${entry.verb} ${(entry.userAgent ?? '').split('/')[0]}`).join(', ');
    expect(lockLife).toMatch(/^create boutique(, update boutique)+$/);
    expect(
      cluster.store.get('coordination.k8s.io/v1', 'Lease', 'default', 'boutique-ns-boutique')?.spec,
    ).not.toHaveProperty('holderIdentity');

    const since = cluster.requests.length;
    const noop = await cli.run(['sync', ...selection]);
    expect(noop.exitCode, noop.stderr).toBe(0);
    const requests = cluster.requests.slice(since);
    if (requests.length === 0) throw new Error('the no-op sent no request');
    expect(requests.filter(isWrite)).toEqual([]);
    expect(new Set(requests.map((entry) => (entry.userAgent ?? '').split('/')[0]))).toEqual(new Set(['boutique']));
  });
});

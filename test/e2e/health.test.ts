import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { mergePatch } from '../support/merge-patch.js';
import { emulatorEnv } from '../support/tools.js';
import { until } from '../support/wait.js';

/*
 * Health of custom resources (issue 34) on a chart of two kinds of its own (test/fixtures/health): Widgets, which
 * releases.yaml's rule covers, and Gadgets, which no rule covers. No controller runs: the test writes the Widgets'
 * status itself, with a PATCH of /status as a controller would, while a sync waits.
 */
const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete'].includes(entry.verb) && !entry.dryRun;
const storageWrites = (cluster: ControlPlane, release: string) =>
  cluster.requests.filter(
    (entry) =>
      isWrite(entry) &&
      entry.resource === 'secrets' &&
      (entry.name ?? '').startsWith(`sh.helm.release.v1.${release}.v`),
  );

/** What a controller does: a PATCH of the object's /status. */
const patchStatus = (cluster: ControlPlane, name: string, status: Record<string, unknown>, resource = 'widgets') =>
  mergePatch(cluster, `/apis/example.com/v1/namespaces/shop/${resource}/${name}/status`, { status });

describe('health of custom resources', () => {
  let cluster: ControlPlane;
  let dir: string;
  const run = (args: string[]) => boutique(args, { cwd: dir, env: emulatorEnv(cluster) });

  beforeAll(async () => {
    cluster = await startControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'boutique-health-'));
    cpSync(join(repoRoot, 'test/fixtures/health'), dir, { recursive: true });
  });
  afterAll(() => cluster.stop());

  it('a bad CEL expression is an input error at its line and column, before anything is contacted', async () => {
    const good = readFileSync(join(dir, 'releases.yaml'), 'utf8');
    writeFileSync(join(dir, 'releases.yaml'), good.replace("c.reason == 'Broken')", "c.reason == 'Broken'"));
    try {
      const result = await run(['sync']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(
        /^releases\.yaml:8:\d+: the failed expression of the health rule for Widget is not valid CEL: /m,
      );
      expect(cluster.requests).toEqual([]);
    } finally {
      writeFileSync(join(dir, 'releases.yaml'), good);
    }
  });

  it("lists the rules: releases.yaml's with the releases that use them, then the built-in library", async () => {
    const result = await run(['health', '--list', '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const rules = JSON.parse(result.stdout).results as { kind: string; source: string; releases: string[] }[];
    expect(rules[0]).toMatchObject({ kind: 'Widget', source: 'releases.yaml defaults.health[0]' });
    expect(rules[0]!.releases.sort()).toEqual([
      'shop/after-broken',
      'shop/app',
      'shop/broken',
      'shop/certs',
      'shop/plain',
    ]);
    expect(rules.map((rule) => rule.kind)).toEqual(
      expect.arrayContaining([
        'Certificate',
        'Issuer',
        'ClusterIssuer',
        'Rollout',
        'Prometheus',
        'Alertmanager',
        'HelmRelease',
        'Kustomization',
        'Cluster',
        'Kafka',
        'ScaledObject',
        '*',
      ]),
    );
    const text = await run(['health', '--list']);
    expect(text.stdout).toMatch(/^# example\.com\/v1 Widget \(releases\.yaml defaults\.health\[0\]\): used by shop\//m);
  });

  it('waits for a custom resource to be ready before its dependents start; a failed one fails its release alone', async () => {
    const sync = run(['sync', '-o', 'json']);
    let ended: Awaited<typeof sync> | undefined;
    void sync.then((result) => (ended = result));
    /** boutique reading the Widget (after `since`, a request's seq): it waits on it. */
    const readBy = (name: string, since: number) => () => {
      if (ended)
        throw new Error(
          `sync ended while the test waited for it to read Widget/${name}: ${ended.stdout}${ended.stderr}`,
        );
      // helm asks for the object too, before it creates it: boutique's reads are the ones that are not helm's.
      return cluster.requests.some(
        (entry) =>
          entry.verb === 'get' &&
          entry.resource === 'widgets' &&
          entry.name === name &&
          entry.seq > since &&
          entry.status === 200 &&
          !/^helm/i.test(entry.userAgent ?? ''),
      );
    };
    await until(readBy('tls', 0), 'boutique reading Widget/tls');
    // A controller's first status: the rule waits until it says Ready.
    await patchStatus(cluster, 'tls', { conditions: [{ type: 'Ready', status: 'False', reason: 'Issuing' }] });
    await until(readBy('tls', cluster.requests.at(-1)!.seq), 'boutique reading Widget/tls again');
    await until(readBy('broken', 0), 'boutique reading Widget/broken');
    await patchStatus(cluster, 'broken', {
      conditions: [{ type: 'Ready', status: 'False', reason: 'Broken', message: 'the widget factory is on fire' }],
    });
    const readyPatch = cluster.requests.length;
    await patchStatus(cluster, 'tls', { conditions: [{ type: 'Ready', status: 'True', reason: 'Issued' }] });
    const readyAt = cluster.requests[readyPatch]!.seq;

    const result = await sync;
    expect(result.exitCode, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    const byId = Object.fromEntries(
      (report.results as { id: string; result: string }[]).map((entry) => [entry.id, entry]),
    );
    expect(byId['shop/certs']).toMatchObject({ result: 'installed' });
    expect(byId['shop/app']).toMatchObject({ result: 'installed' });
    expect(byId['shop/plain']).toMatchObject({ result: 'installed' });
    expect(byId['shop/broken']).toMatchObject({ result: 'failed' });
    expect(JSON.stringify(report)).toContain(
      'Widget/broken failed: its health rule example.com/v1 Widget (releases.yaml defaults.health[0]) says failed: Ready=False (Broken): the widget factory is on fire',
    );
    expect(byId['shop/after-broken']).toMatchObject({ result: 'skipped' });
    // Progress said what certs waited on, each time that changed.
    expect(result.stderr).toMatch(/shop\/certs: waiting for Widget\/tls: no status yet\n/);
    expect(result.stderr).toMatch(/shop\/certs: waiting for Widget\/tls: Ready=False \(Issuing\)\n/);

    // app needs certs: its first write comes after the status that made certs' Widget ready.
    const appFirst = Math.min(...storageWrites(cluster, 'app').map((entry) => entry.seq));
    expect(appFirst).toBeGreaterThan(readyAt);
    expect(storageWrites(cluster, 'after-broken')).toEqual([]);
    // The Gadget has no rule of its own and never got a status: the conventions call it current at once, and plain installed.
    expect(cluster.store.get('example.com/v1', 'Gadget', 'shop', 'no-rule')?.status).toBeUndefined();
  });

  it('a later sync fails a release whose custom resource is failed: unchanged, or upgraded with helm waiting for the built-in kinds only', async () => {
    const rule =
      'Widget/broken failed: its health rule example.com/v1 Widget (releases.yaml defaults.health[0]) says failed: Ready=False (Broken)';
    // helm recorded broken as deployed: nothing to apply, but its Widget is not ready, so it is not done either.
    const unchanged = await run(['sync', '-l', 'name=broken']);
    expect(unchanged.exitCode).toBe(1);
    expect(unchanged.stdout).toMatch(/^shop\/broken +failed /m);
    expect(unchanged.stderr).toContain(rule);
    // An upgrade: helm 4's watcher would hold on the Widget's Ready=False until the release's timeout (120 s) and
    // say only that its deadline passed; helm waits for the built-in kinds, and the rule fails it at once.
    const before = cluster.requests.length;
    const upgraded = await run(['sync', '-l', 'name=broken', '--set', 'note=again']);
    expect(upgraded.exitCode).toBe(1);
    expect(upgraded.stderr).toContain(rule);
    expect(
      storageWrites(cluster, 'broken').filter((entry) => entry.seq > cluster.requests[before]!.seq).length,
    ).toBeGreaterThan(0);
  });

  it('status says what a deployed release waits on', async () => {
    await patchStatus(cluster, 'tls', { conditions: [{ type: 'Ready', status: 'False', reason: 'Renewing' }] });
    const result = await run(['status', '-l', 'name=certs']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^certs +shop +default +1 +deployed .* in sync; waiting for Widget\/tls: Ready=False \(Renewing\)$/m,
    );
    const json = JSON.parse((await run(['status', '-l', 'name=certs', '-o', 'json'])).stdout);
    expect(json.results).toEqual([
      expect.objectContaining({
        id: 'shop/certs',
        status: 'in sync',
        notReady: [{ object: 'Widget/tls', state: 'inProgress', reason: 'Ready=False (Renewing)' }],
      }),
    ]);
    // broken is deployed as far as helm knows, and its rule calls its Widget failed.
    expect((await run(['status', '-l', 'name=broken', '--set', 'note=again'])).stdout).toMatch(
      / in sync; failed: Widget\/broken: Ready=False \(Broken\): the widget factory is on fire$/m,
    );
    await patchStatus(cluster, 'tls', { conditions: [{ type: 'Ready', status: 'True', reason: 'Issued' }] });
    expect((await run(['status', '-l', 'name=certs'])).stdout).toMatch(/ in sync$/m);
    // A Gadget has no rule: the conventions decide (helm's watcher's): a Ready=False holds it too.
    await patchStatus(
      cluster,
      'no-rule',
      { conditions: [{ type: 'Ready', status: 'False', reason: 'Painting' }] },
      'gadgets',
    );
    expect((await run(['status', '-l', 'name=plain'])).stdout).toMatch(
      / in sync; waiting for Gadget\/no-rule: Ready=False \(Painting\)$/m,
    );
  });

  it('a rollback waits as sync does: helm for the built-in kinds, then the rule, which fails it at once, named', async () => {
    const result = await run(['rollback', 'broken', '1', '--debug']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^\$ \S+ rollback broken 1 --wait=legacy /m);
    expect(result.stderr).toContain(
      'Widget/broken failed: its health rule example.com/v1 Widget (releases.yaml defaults.health[0]) says failed: Ready=False (Broken)',
    );
  });
});

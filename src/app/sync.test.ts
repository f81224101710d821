import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import { buildPlan } from '../plan/plan.js';
import { environmentLabel, inputsLabel, type ChangeAction } from '../plan/sync-plan.js';
import { syncStatusOf } from '../report/change-view.js';
import { destroy, planChanges, sync } from './changes.js';
import type { KindsByScope } from '../kube/objects.js';
import { noKindsMemory } from './live-kinds.js';
import { acquireLock, endedRunsAnnotation, locksOf, LockTimeoutError, processSpaceAnnotation } from './lock.js';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { KubeObject } from '../kube/objects.js';
import { until } from '../../test/support/wait.js';
import type { SyncResult, SyncState } from './sync.js';
import { aRelease } from '../../test/fixtures/release.js';

function release(name: string, needs: string[] = [], overrides: Partial<Release> = {}): Release {
  return aRelease({ name, needs: needs.map((need) => `shop/${need}`), ...overrides });
}

function plan(releases: Release[]) {
  const config: ReleasesConfig = {
    file: 'releases.yaml',
    baseDir: '/',
    environment: { name: 'dev', production: false, lockNamespace: 'default' },
    releases,
  };
  return buildPlan(config, { selectors: [], includeNeeds: false });
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { replicas: 2 }
`;
const liveDeployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { replicas },
  status: { readyReplicas: replicas },
});
const synced = {
  status: 'deployed',
  labels: { [inputsLabel]: 'hash-1', [environmentLabel]: 'dev' },
  manifest: deployment,
};
const options = { concurrency: 2, kinds: noKindsMemory, lockTimeoutMs: 2_000 };
const states = (results: SyncResult[]) =>
  Object.fromEntries(results.map((result) => [result.release.name, result.state]));
/** What a run did to releases: the lock's Lease and the reads left out. */
const releaseCalls = (calls: string[]) => calls.filter((call) => /^(upgrade|uninstall|rollback) /.test(call));
const actions = (changes: { release: Release; action: ChangeAction }[]) =>
  Object.fromEntries(changes.map((change) => [change.release.name, change.action]));

describe('planChanges', () => {
  it('decides a converged system from one storage read and one live read per namespace', async () => {
    const { deps, calls } = createFakeCluster({
      releases: { 'shop/web': synced, 'shop/api': { ...synced, manifest: '' } },
      live: [liveDeployment(2)],
    });
    const { syncPlan } = await planChanges(plan([release('web'), release('api')]), deps, options);
    expect(actions(syncPlan.changes)).toEqual({ web: 'unchanged', api: 'unchanged' });
    expect(calls).toEqual(['read storage shop', 'read live shop']);
  });

  it("lists the live kinds it remembers while it reads helm's records, and reads again only when the guess misses", async () => {
    const remembered = new Map<string, KindsByScope>();
    const kinds = {
      recall: (namespace: string) => remembered.get(namespace),
      remember: (namespace: string, seen: KindsByScope) => void remembered.set(namespace, seen),
    };
    const { deps, calls } = createFakeCluster({ releases: { 'shop/web': synced }, live: [liveDeployment(3)] });
    const decide = async () => {
      calls.length = 0;
      const [web] = (await planChanges(plan([release('web')]), deps, { ...options, kinds })).syncPlan.changes;
      return `${web!.action}: ${web!.reasons.join(', ')}`;
    };
    expect(await decide()).toBe('upgrade: drift in Deployment/web');
    expect(calls).toEqual(['read storage shop', 'read live shop']);
    expect(remembered.get('shop')).toEqual({ shop: ['Deployment.v1.apps'] });
    expect(await decide()).toBe('upgrade: drift in Deployment/web');
    expect(calls).toEqual(['read live shop', 'read storage shop']);
    remembered.set('shop', { shop: ['ConfigMap.v1.'] });
    expect(await decide()).toBe('upgrade: drift in Deployment/web');
    expect(calls).toEqual(['read live shop', 'read storage shop', 'read live shop']);
  });

  it('says why: new inputs, another environment, drift, a deleted object, a failed last attempt, not installed', async () => {
    const { deps } = createFakeCluster({
      releases: {
        'shop/inputs': { ...synced, labels: { ...synced.labels, [inputsLabel]: 'old' }, manifest: '' },
        'shop/env': { ...synced, labels: { ...synced.labels, [environmentLabel]: 'staging' }, manifest: '' },
        'shop/web': synced,
        'shop/gone': { ...synced, manifest: deployment.replace('name: web', 'name: gone') },
        'shop/failed': { ...synced, status: 'failed' },
      },
      live: [liveDeployment(5)],
    });
    const { syncPlan } = await planChanges(
      plan(['inputs', 'env', 'web', 'gone', 'failed', 'new'].map((name) => release(name))),
      deps,
      options,
    );
    expect(
      Object.fromEntries(
        syncPlan.changes.map((change) => [change.release.name, `${change.action}: ${change.reasons.join(', ')}`]),
      ),
    ).toEqual({
      inputs: 'upgrade: inputs changed',
      env: 'upgrade: last deployed by environment staging',
      web: 'upgrade: drift in Deployment/web',
      gone: 'upgrade: drift in Deployment/gone (deleted)',
      failed: 'upgrade: last attempt failed',
      new: 'install: not installed',
    });
    expect(syncPlan.changes.map(syncStatusOf)).toEqual([
      'outdated',
      'outdated',
      'drifted',
      'drifted',
      'outdated',
      'missing',
    ]);
  });

  it('blocks a release locked in a pending state and says how to unlock it', async () => {
    const { deps } = createFakeCluster({ releases: { 'shop/db': { ...synced, status: 'pending-upgrade' } } });
    const [db] = (await planChanges(plan([release('db')]), deps, options)).syncPlan.changes;
    expect(db!.action).toBe('blocked');
    expect(db!.error?.message).toBe(
      'release shop/db is pending-upgrade: another helm operation is in progress, or one was interrupted',
    );
    expect((db!.error as { suggestions?: string[] }).suggestions).toEqual([
      'if no other helm is working on it: boutique rollback shop/db, then sync again',
    ]);
  });
});

describe('status, sync --dry-run and sync agree', () => {
  const expected: Record<ChangeAction, SyncState> = {
    install: 'installed',
    upgrade: 'upgraded',
    unchanged: 'unchanged',
    uninstall: 'uninstalled',
    absent: 'absent',
    blocked: 'failed',
  };

  it.each([
    [
      'an identical re-render (inputs changed)',
      { ...synced, labels: { ...synced.labels, [inputsLabel]: 'old' } },
      [liveDeployment(2)],
      {},
    ],
    ['a drifted object', synced, [liveDeployment(3)], {}],
    ['a failed release', { ...synced, status: 'failed' }, [liveDeployment(2)], {}],
    ['installed: false', synced, [liveDeployment(2)], { installed: false }],
    ['nothing to do', synced, [liveDeployment(2)], {}],
  ] as const)('on %s', async (_case, stored, live, overrides) => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/web': stored }, live: [...live] });
    const web = plan([release('web', [], overrides)]);
    const [change] = (await planChanges(web, deps, options)).syncPlan.changes;
    calls.length = 0;
    const { results } = await sync(web, deps, options);
    expect(results[0]!.state).toBe(expected[change!.action]);
    expect(releaseCalls(calls).length).toBe(change!.action === 'unchanged' ? 0 : 1);
  });
});

describe('sync', () => {
  it('uninstalls installed: false releases that exist and reports the others absent', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/old': synced } });
    const { results } = await sync(
      plan([release('old', [], { installed: false }), release('never', [], { installed: false })]),
      deps,
      options,
    );
    expect(states(results)).toEqual({ old: 'uninstalled', never: 'absent' });
    expect(releaseCalls(calls)).toEqual(['uninstall shop/old']);
  });

  it('fails a blocked release and skips what needs it; independent releases finish', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/db': { ...synced, status: 'pending-upgrade' } } });
    const { results } = await sync(plan([release('db'), release('api', ['db']), release('cache')]), deps, options);
    expect(states(results)).toEqual({ db: 'failed', api: 'skipped', cache: 'installed' });
    expect(releaseCalls(calls)).toEqual(['upgrade shop/cache']);
  });

  it('applies nothing at all when a release does not render: fails it and skips the others', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/db': { ...synced, labels: {} } } });
    deps.helm.template = async (release) => {
      if (release.name === 'api') throw new Error("values don't meet the specifications of the schema(s)");
      return '';
    };
    const { results } = await sync(plan([release('db'), release('api', ['db']), release('web')]), deps, options);
    expect(states(results)).toEqual({ db: 'skipped', api: 'failed', web: 'skipped' });
    expect(results.find((result) => result.release.name === 'db')!.detail).toBe(
      'nothing was applied: shop/api does not render',
    );
    expect(releaseCalls(calls)).toEqual([]);
    // Not even the lock: bad input writes nothing at all.
    expect(calls.filter((call) => call.startsWith('create '))).toEqual([]);
  });

  it('fails alone a release the API server refuses, though it renders; what needs it is skipped, the rest finish', async () => {
    const { deps, calls } = createFakeCluster();
    const upgrade = deps.helm.upgrade.bind(deps.helm);
    deps.helm.upgrade = async (release, ...rest) => {
      // helm's own checks before its first write: nothing of db is written.
      if (release.name === 'db') throw new Error('StatefulSet.apps "db" is invalid: spec: Forbidden');
      return upgrade(release, ...rest);
    };
    const { results } = await sync(plan([release('db'), release('api', ['db']), release('web')]), deps, options);
    expect(states(results)).toEqual({ db: 'failed', api: 'skipped', web: 'installed' });
    expect(releaseCalls(calls)).toEqual(['upgrade shop/web']);
  });

  it('renders every release before its first write and leaves the server checks to helm, after the needs are applied', async () => {
    const { deps, calls } = createFakeCluster();
    const events: string[] = [];
    deps.helm.template = async (release) => {
      events.push(`render ${release.name} after ${releaseCalls(calls).join('+') || 'nothing'}`);
      return '';
    };
    deps.helm.plannedManifest = async (release) => {
      events.push(`server dry run ${release.name}`);
      return { manifest: '', hooks: [] };
    };
    await sync(plan([release('crds'), release('resources', ['crds'])]), deps, options);
    expect(events).toEqual(['render crds after nothing', 'render resources after nothing']);
    expect(releaseCalls(calls)).toEqual(['upgrade shop/crds', 'upgrade shop/resources']);
  });
});

describe('the lock', () => {
  const lease = (
    name: string,
    holder: string,
    renewTime: string,
    annotations?: Record<string, string>,
  ): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'default', resourceVersion: '1', ...(annotations && { annotations }) },
    spec: { holderIdentity: holder, renewTime, acquireTime: renewTime, leaseDurationSeconds: 30 },
  });
  const justNow = () => new Date().toISOString().replace('Z', '000Z');
  const holderOf = (obj: KubeObject | undefined) =>
    (obj?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  const leaseCalls = (calls: string[]) => calls.filter((call) => / Lease /.test(call));

  it('is one Lease per namespace written, taken for a sync that writes and let go after; a no-op sync takes none', async () => {
    const { deps, calls, objects } = createFakeCluster({ releases: { 'shop/web': synced }, live: [liveDeployment(2)] });
    await sync(
      plan([release('web'), release('api'), release('db', [], { namespace: 'data', id: 'data/db' })]),
      deps,
      options,
    );
    // Taken in a fixed order before the first write; let go after the last.
    const writes = calls.filter((call) => !call.startsWith('read '));
    expect(writes.slice(0, 2)).toEqual([
      'create Lease default/boutique-ns-data',
      'create Lease default/boutique-ns-shop',
    ]);
    expect(writes.slice(2, 4).sort()).toEqual(['upgrade data/db', 'upgrade shop/api']);
    expect(writes.slice(4).sort()).toEqual([
      'replace Lease default/boutique-ns-data',
      'replace Lease default/boutique-ns-shop',
    ]);
    // Let go, not deleted: no holder, so the next run takes it at once.
    expect([...objects.values()].map(holderOf)).toEqual([undefined, undefined]);
    calls.length = 0;
    await sync(
      plan([release('web'), release('api'), release('db', [], { namespace: 'data', id: 'data/db' })]),
      deps,
      options,
    );
    expect(calls.filter((call) => !call.startsWith('read '))).toEqual([]);
  });

  it('is named for the namespace alone: runs of other environments or other releases.yaml meet on it', () => {
    const staging = { lockNamespace: 'default' };
    expect(locksOf(staging, ['shop'])).toEqual([{ namespace: 'default', name: 'boutique-ns-shop' }]);
    // A releases.yaml that adds a release in another namespace takes the shared namespace's Lease too, in a fixed order.
    expect(locksOf(staging, ['shop', 'api', 'shop'])).toEqual([
      { namespace: 'default', name: 'boutique-ns-api' },
      { namespace: 'default', name: 'boutique-ns-shop' },
    ]);
  });

  it('makes a second run wait for a live holder of any of its namespaces, letting go of what it took; then plan afresh', async () => {
    const { deps, calls, objects } = createFakeCluster();
    // Another environment, another releases.yaml: what matters is that it holds shop.
    objects.set('default/boutique-ns-shop', lease('boutique-ns-shop', 'ci-7/41/other-run', justNow()));
    const two = plan([release('web'), release('api', [], { namespace: 'api', id: 'api/api' })]);
    const waits: string[] = [];
    await expect(
      sync(two, deps, { ...options, lockTimeoutMs: 1_500, onLockWait: (holder) => waits.push(holder) }),
    ).rejects.toThrow(
      /^another boutique run holds the lock of namespace shop \(lease default\/boutique-ns-shop\): ci-7\/41\/other-run, since /,
    );
    expect(waits).toEqual(['ci-7/41/other-run']);
    expect(calls.filter((call) => call.startsWith('upgrade'))).toEqual([]);
    expect(holderOf(objects.get('default/boutique-ns-api'))).toBeUndefined();
    expect(holderOf(objects.get('default/boutique-ns-shop'))).toBe('ci-7/41/other-run');

    // The holder finishes: it installed web meanwhile, so the waiting run, planning afresh, has nothing left to do there.
    const web = plan([release('web')]);
    setTimeout(() => {
      objects.delete('default/boutique-ns-shop');
      void deps.helm.upgrade(release('web'), [], {
        'boutique.dev/inputs': 'hash-1',
        'boutique.dev/environment': 'dev',
      });
    }, 500);
    calls.length = 0;
    const { results, waitedForLock } = await sync(web, deps, { ...options, lockTimeoutMs: 5_000 });
    expect(waitedForLock).toBe(true);
    expect(states(results)).toEqual({ web: 'unchanged' });
    expect(calls.filter((call) => call.startsWith('upgrade'))).toEqual(['upgrade shop/web']);
  });

  it("lives in the environment's lockNamespace", async () => {
    const { deps, calls } = createFakeCluster();
    const web = buildPlan(
      {
        file: 'releases.yaml',
        baseDir: '/',
        environment: { name: 'dev', production: false, lockNamespace: 'platform' },
        releases: [release('web')],
      },
      { selectors: [], includeNeeds: false },
    );
    await sync(web, deps, options);
    expect(leaseCalls(calls)).toEqual([
      'create Lease platform/boutique-ns-shop',
      'replace Lease platform/boutique-ns-shop',
    ]);
  });

  it('takes over a lease whose holder stopped renewing', async () => {
    const { deps, objects } = createFakeCluster();
    objects.set('default/boutique-ns-shop', lease('boutique-ns-shop', 'dead/1/run', '2026-01-01T00:00:00.000000Z'));
    const { results, waitedForLock } = await sync(plan([release('web')]), deps, options);
    expect(waitedForLock).toBe(false);
    expect(states(results)).toEqual({ web: 'installed' });
  });

  it('waits for a holder of this host name whose PID is not provably in this PID namespace; takes one provably gone at once', async () => {
    const { deps, objects } = createFakeCluster();
    const gone = 2 ** 22 + 7; // above any pid_max: no such process here
    const ours =
      readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() + ' ' + readlinkSync('/proc/self/ns/pid');
    // A container on the host network: the same host name, another PID namespace (or none said).
    for (const annotations of [undefined, { [processSpaceAnnotation]: `${ours.split(' ')[0]} pid:[1]` }]) {
      objects.set(
        'default/boutique-ns-shop',
        lease('boutique-ns-shop', `${hostname()}/${gone}/other-run`, justNow(), annotations),
      );
      await expect(
        acquireLock(deps.kubectl, locksOf({ lockNamespace: 'default' }, ['shop']), { timeoutMs: 0 }),
      ).rejects.toThrow(LockTimeoutError);
    }
    objects.set(
      'default/boutique-ns-shop',
      lease('boutique-ns-shop', `${hostname()}/${gone}/other-run`, justNow(), { [processSpaceAnnotation]: ours }),
    );
    const held = await acquireLock(deps.kubectl, locksOf({ lockNamespace: 'default' }, ['shop']), { timeoutMs: 0 });
    expect(holderOf(objects.get('default/boutique-ns-shop'))).toBe(`${hostname()}/${process.pid}/${held.runId}`);
    await held.release();
  });

  it('is lost when a renewal finds the Lease changed or fails, and then left alone', async () => {
    const { deps, objects } = createFakeCluster();
    const held = await acquireLock(deps.kubectl, locksOf({ lockNamespace: 'default' }, ['shop']), {
      timeoutMs: 0,
      renewEveryMs: 20,
    });
    await until(
      async () => (objects.get('default/boutique-ns-shop')!.metadata.resourceVersion as string) !== '1',
      'a renewal',
      { withinMs: 2_000 },
    );
    expect(held.lost()).toBeUndefined();
    // A third party takes the Lease over.
    const taken = lease('boutique-ns-shop', 'someone/else', justNow());
    objects.set('default/boutique-ns-shop', { ...taken, metadata: { ...taken.metadata, resourceVersion: '999' } });
    await until(async () => held.lost() !== undefined, 'the lock to be lost', { withinMs: 2_000 });
    expect(held.lost()!.message).toBe(
      'this run lost its lock: someone else changed the lease default/boutique-ns-shop while this run held it',
    );
    await held.release();
    expect(holderOf(objects.get('default/boutique-ns-shop'))).toBe('someone/else');

    const failing = await acquireLock(deps.kubectl, locksOf({ lockNamespace: 'default' }, ['api']), {
      timeoutMs: 0,
      renewEveryMs: 20,
    });
    deps.kubectl.replaceObject = async () => {
      throw new Error('Unable to connect to the server: connection reset by peer');
    };
    await until(async () => failing.lost() !== undefined, 'the lock to be lost', { withinMs: 2_000 });
    expect(failing.lost()!.message).toBe(
      'this run lost its lock: renewing the lease default/boutique-ns-api failed: Unable to connect to the server: connection reset by peer',
    );
  });
});

describe('recovery of what an interrupted run left', () => {
  const pending = (status: string, deadline: number) => ({
    status,
    revision: 2,
    labels: { ...synced.labels, 'boutique.dev/run': 'old-run', 'boutique.dev/deadline': String(deadline) },
  });
  const past = Math.floor(Date.now() / 1000) - 60;

  it('uninstalls a pending first install, rolls back a pending upgrade, then applies; and says so', async () => {
    const { deps, calls } = createFakeCluster({
      releases: { 'shop/new': pending('pending-install', past), 'shop/old': pending('pending-upgrade', past) },
    });
    const web = plan([release('new'), release('old')]);
    const { syncPlan } = await planChanges(web, deps, options);
    expect(syncPlan.changes.map((change) => `${change.action}: ${change.reasons.join(', ')}`)).toEqual([
      'install: recovering pending-install left by an interrupted boutique run',
      'upgrade: recovering pending-upgrade left by an interrupted boutique run',
    ]);
    const { results } = await sync(web, deps, options);
    expect(states(results)).toEqual({ new: 'installed', old: 'upgraded' });
    expect(calls.filter((call) => /^(upgrade|uninstall|rollback)/.test(call)).sort()).toEqual([
      'rollback shop/old',
      'uninstall shop/new',
      'upgrade shop/new',
      'upgrade shop/old',
    ]);
  });

  it('recovers at once, before its deadline, what a run that ended cleanly left pending; not what a run still out there left', async () => {
    const future = past + 3_600;
    const { deps, calls, objects } = createFakeCluster({
      releases: {
        'shop/left': pending('pending-install', future),
        'shop/busy': {
          ...pending('pending-upgrade', future),
          labels: { ...synced.labels, 'boutique.dev/run': 'running-run', 'boutique.dev/deadline': String(future) },
        },
      },
    });
    // The Lease of shop, let go by a run that ended: old-run (whose helm's final record update was refused, say).
    objects.set('default/boutique-ns-shop', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'boutique-ns-shop',
        namespace: 'default',
        resourceVersion: '1',
        annotations: { [endedRunsAnnotation]: 'other-run,old-run' },
      },
      spec: { leaseDurationSeconds: 30 },
    });
    const { results, syncPlan } = await sync(plan([release('left'), release('busy')]), deps, options);
    expect(syncPlan.changes.map((change) => `${change.action}: ${change.reasons.join(', ')}`)).toEqual([
      'install: recovering pending-install left by an interrupted boutique run',
      'blocked: pending-upgrade',
    ]);
    expect(states(results)).toEqual({ left: 'installed', busy: 'failed' });
    expect(releaseCalls(calls)).toEqual(['uninstall shop/left', 'upgrade shop/left']);
    // This run ended too, and says so on the Lease, newest first.
    const annotations = objects.get('default/boutique-ns-shop')!.metadata.annotations as Record<string, string>;
    expect(annotations[endedRunsAnnotation]!.split(',').slice(1)).toEqual(['other-run', 'old-run']);
  });

  it('leaves alone what may still be running (before its deadline) and what boutique did not start', async () => {
    const { deps } = createFakeCluster({
      releases: { 'shop/busy': pending('pending-upgrade', past + 3_600), 'shop/manual': { status: 'pending-install' } },
    });
    const { syncPlan } = await planChanges(plan([release('busy'), release('manual')]), deps, options);
    expect(syncPlan.changes.map((change) => change.action)).toEqual(['blocked', 'blocked']);
  });
});

describe('truthful results', () => {
  it('fails a release whose record helm left pending although helm said it succeeded', async () => {
    const { deps } = createFakeCluster();
    deps.helm.upgrade = async () => undefined;
    const { results } = await sync(plan([release('web')]), deps, options);
    expect(results[0]!.state).toBe('failed');
    expect(results[0]!.error?.message).toBe(
      "helm reported success, but helm's record of shop/web is not recorded at all",
    );
  });
});

describe('destroy', () => {
  it('uninstalls dependents before what they need, and leaves absent releases alone', async () => {
    const { deps, calls } = createFakeCluster({
      releases: { 'shop/db': synced, 'shop/api': synced, 'shop/web': synced },
    });
    const { results } = await destroy(
      plan([release('db'), release('api', ['db']), release('web', ['api']), release('never')]),
      deps,
      { ...options, concurrency: 3 },
    );
    expect(states(results)).toEqual({ db: 'uninstalled', api: 'uninstalled', web: 'uninstalled', never: 'absent' });
    expect(releaseCalls(calls)).toEqual(['uninstall shop/web', 'uninstall shop/api', 'uninstall shop/db']);
  });
});

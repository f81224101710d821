import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import { buildPlan } from '../plan/plan.js';
import { destroyReleases, syncReleases, type SyncResult } from './sync.js';

function release(name: string, needs: string[] = [], overrides: Partial<Release> = {}): Release {
  return {
    id: `shop/${name}`, name, namespace: 'shop', chart: { kind: 'local', path: '/c' }, chartSource: './c', values: [], set: [],
    needs: needs.map((need) => `shop/${need}`), labels: {}, installed: true, createNamespace: true, wait: true, timeout: '300s',
    atomic: false, historyMax: 10, lintRules: {}, ...overrides,
  };
}

function plan(releases: Release[]) {
  const config: ReleasesConfig = { file: 'releases.yaml', baseDir: '/', environment: { name: 'dev', production: false }, releases };
  return buildPlan(config, { selectors: [], includeNeeds: false });
}

const synced = { status: 'deployed', labels: { 'boutique.dev/inputs': 'hash-1', 'boutique.dev/environment': 'dev' } };
const options = { concurrency: 2, environment: 'dev', inputsHash: () => 'hash-1' };
const states = (results: SyncResult[]) => Object.fromEntries(results.map((result) => [result.release.name, result.state]));

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec: { replicas: 2 }
`;

describe('syncReleases', () => {
  it('leaves a release alone when its inputs and environment match and nothing drifted', async () => {
    const { deps, calls } = createFakeCluster({
      releases: { 'shop/web': synced },
      manifests: { 'shop/web': deployment },
      live: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } }],
    });
    expect(states(await syncReleases(plan([release('web')]), deps, options))).toEqual({ web: 'unchanged' });
    expect(calls).toEqual([]);
  });

  it('upgrades on new inputs, another environment, drift, or a failed last attempt', async () => {
    const { deps, calls } = createFakeCluster({
      releases: {
        'shop/inputs': { ...synced, labels: { ...synced.labels, 'boutique.dev/inputs': 'old' } },
        'shop/env': { ...synced, labels: { ...synced.labels, 'boutique.dev/environment': 'staging' } },
        'shop/web': synced,
        'shop/failed': { ...synced, status: 'failed' },
      },
      manifests: { 'shop/web': deployment },
      live: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 5 } }],
    });
    const results = await syncReleases(plan([release('inputs'), release('env'), release('web'), release('failed'), release('new')]), deps, options);
    expect(states(results)).toEqual({ inputs: 'upgraded', env: 'upgraded', web: 'upgraded', failed: 'upgraded', new: 'installed' });
    expect(results.find((result) => result.release.name === 'web')?.detail).toBe('repairing drift in Deployment/web');
    expect(calls.sort()).toEqual(['upgrade shop/env', 'upgrade shop/failed', 'upgrade shop/inputs', 'upgrade shop/new', 'upgrade shop/web']);
  });

  it('uninstalls installed: false releases that exist and reports the others absent', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/old': synced } });
    const results = await syncReleases(plan([release('old', [], { installed: false }), release('never', [], { installed: false })]), deps, options);
    expect(states(results)).toEqual({ old: 'uninstalled', never: 'absent' });
    expect(calls).toEqual(['uninstall shop/old']);
  });

  it('refuses a release locked in a pending state, says how to unlock it, and skips what needs it', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/db': { ...synced, status: 'pending-upgrade' } } });
    const results = await syncReleases(plan([release('db'), release('api', ['db']), release('cache')]), deps, options);
    expect(states(results)).toEqual({ db: 'failed', api: 'skipped', cache: 'installed' });
    const [db] = results;
    expect(db!.error?.message).toBe('release shop/db is pending-upgrade: another helm operation is in progress, or one was interrupted');
    expect((db!.error as { suggestions?: string[] }).suggestions).toEqual(['if no other helm is working on it: boutique rollback shop/db, then sync again']);
    expect(calls).toEqual(['upgrade shop/cache']);
  });
});

describe('syncReleases with a release that does not render', () => {
  it('applies nothing at all, fails that release and skips the others', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/db': { ...synced, labels: {} } } });
    deps.helm.plannedManifest = async (release) => {
      if (release.name === 'api') throw new Error("values don't meet the specifications of the schema(s)");
      return '';
    };
    const results = await syncReleases(plan([release('db'), release('api', ['db']), release('web')]), deps, options);
    expect(states(results)).toEqual({ db: 'skipped', api: 'failed', web: 'skipped' });
    const byName = (name: string) => results.find((result) => result.release.name === name)!;
    expect(byName('db').detail).toBe('nothing was applied: shop/api does not render');
    expect(byName('api').error?.message).toContain("values don't meet the specifications");
    expect(calls).toEqual([]);
  });
});

describe('destroyReleases', () => {
  it('uninstalls dependents before what they need', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/db': synced, 'shop/api': synced, 'shop/web': synced } });
    const results = await destroyReleases(plan([release('db'), release('api', ['db']), release('web', ['api'])]), deps, { concurrency: 3 });
    expect(states(results)).toEqual({ db: 'uninstalled', api: 'uninstalled', web: 'uninstalled' });
    expect(calls).toEqual(['uninstall shop/web', 'uninstall shop/api', 'uninstall shop/db']);
  });
});

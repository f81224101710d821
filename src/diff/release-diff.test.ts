import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  asDryRun,
  find,
  frontendRelease,
  frontendUpgrade,
  NEW_SESSION_KEY,
  SESSION_KEY,
} from '../../test/fixtures/diff/scenario.js';
import { normalizeObject, toYaml } from './normalize.js';
import { diffRelease, hasChanges, type ReleaseDiffInput } from './release-diff.js';

const { rendered, live } = frontendRelease();
const upgrade = diffRelease(frontendUpgrade());
const actions = (input: ReleaseDiffInput): Record<string, string> =>
  Object.fromEntries(diffRelease(input).changes.map((change) => [change.ref, change.action]));

describe('diffRelease', () => {
  it('sees no change and no drift when the dry run only adds server defaults and bookkeeping', () => {
    const diff = diffRelease({
      release: 'frontend',
      namespace: 'shop',
      desired: live.map(asDryRun),
      live,
      deployed: rendered,
    });
    expect(diff.summary).toEqual({ add: 0, change: 0, destroy: 0, unchanged: 5 });
    expect(diff.drift).toEqual([]);
    expect(diff.changes.every((change) => change.before === undefined && change.after === undefined)).toBe(true);
    expect(hasChanges([diff])).toBe(false);
  });

  it('adds every rendered object of a release that is not installed, as rendered', () => {
    const diff = diffRelease({ release: 'frontend', namespace: 'shop', desired: rendered, live: [], deployed: [] });
    expect(diff.summary).toEqual({ add: 5, change: 0, destroy: 0, unchanged: 0 });
    const configMap = diff.changes.find((change) => change.ref === 'ConfigMap/frontend-config');
    expect(configMap?.after).toBe(toYaml(normalizeObject(find(rendered, 'ConfigMap', 'frontend-config'))));
    expect(hasChanges([diff])).toBe(true);
  });

  it('classifies every object of an upgrade, sorted by key', () => {
    expect(upgrade.changes.map((change) => [change.key, change.action])).toEqual([
      ['apps/Deployment/shop/frontend', 'change'],
      ['core/ConfigMap/shop/frontend-config', 'change'],
      ['core/Secret/shop/frontend-session', 'change'],
      ['core/Service/shop/frontend', 'unchanged'],
      ['core/Service/shop/frontend-external', 'remove'],
      ['core/ServiceAccount/shop/frontend', 'unchanged'],
      ['policy/PodDisruptionBudget/shop/frontend', 'add'],
    ]);
    expect(upgrade.summary).toEqual({ add: 1, change: 3, destroy: 1, unchanged: 2 });
  });

  it('removes only what the deployed release applied and is still live', () => {
    const input = frontendUpgrade();
    const withoutExternal = { ...input, live: input.live.filter((obj) => obj.metadata.name !== 'frontend-external') };
    expect(actions(withoutExternal)['Service/frontend-external']).toBeUndefined();
    const removed = upgrade.changes.find((change) => change.action === 'remove');
    expect(removed?.before).toContain('type: LoadBalancer');
    expect(removed?.after).toBeUndefined();
  });

  it('reports drift after kubectl scale and an env edit', () => {
    expect(upgrade.drift).toEqual([
      {
        key: 'apps/Deployment/shop/frontend',
        ref: 'Deployment/frontend',
        fields: [
          { path: 'spec.replicas', applied: 3, live: 5 },
          {
            path: 'spec.template.spec.containers[name=server].env[name=PRODUCT_CATALOG_SERVICE_ADDR].value',
            applied: 'productcatalogservice:3550',
            live: 'productcatalogservice.debug:3550',
          },
        ],
      },
    ]);
  });

  it('is the same whatever the order of its inputs', () => {
    const input = frontendUpgrade();
    const reversed = {
      ...input,
      desired: [...input.desired].reverse(),
      live: [...input.live].reverse(),
      deployed: [...input.deployed].reverse(),
    };
    expect(diffRelease(reversed)).toEqual(upgrade);
  });
});

describe('diffRelease secrets', () => {
  it('shows a changed Secret key as changed, never its value', () => {
    const secret = upgrade.changes.find((change) => change.ref === 'Secret/frontend-session');
    expect(parse(secret?.before ?? '')).toMatchObject({ data: { COOKIE_DOMAIN: '***', SESSION_KEY: '***' } });
    expect(parse(secret?.after ?? '')).toMatchObject({ data: { COOKIE_DOMAIN: '***', SESSION_KEY: '*** (changed)' } });
    const everything = JSON.stringify(upgrade);
    for (const value of [SESSION_KEY, NEW_SESSION_KEY, 'shop.example.com']) {
      expect(everything).not.toContain(value);
      expect(everything).not.toContain(Buffer.from(value).toString('base64'));
    }
  });

  it('reports Secret drift by key with masked values', () => {
    const input = frontendUpgrade();
    find(input.live, 'Secret', 'frontend-session').data = {
      COOKIE_DOMAIN: 'ZXZpbC5leGFtcGxl',
      SESSION_KEY: Buffer.from(SESSION_KEY).toString('base64'),
    };
    expect(diffRelease(input).drift.find((drift) => drift.ref === 'Secret/frontend-session')?.fields).toEqual([
      { path: 'data.COOKIE_DOMAIN', applied: '***', live: '*** (changed)' },
    ]);
  });

  it('masks a secret value wherever it occurs by replacing the whole string, keeping the YAML valid', () => {
    const diff = diffRelease({
      ...frontendUpgrade(),
      secrets: [{ path: 'catalog', value: 'productcatalogservice.debug' }],
    });
    expect(JSON.stringify(diff)).not.toContain('productcatalogservice.debug');
    expect(diff.drift[0]?.fields[1]).toMatchObject({ applied: 'productcatalogservice:3550', live: '*** (changed)' });
  });

  it('masks a short secret value only where it is known to land, never unrelated text that equals it', () => {
    // "gcp" could be anything (as "v1" could be apiVersion): it is masked in Secrets, not by its text.
    const diff = diffRelease({ ...frontendUpgrade(), secrets: [{ path: 'platform', value: 'gcp' }] });
    const configMap = diff.changes.find((change) => change.ref === 'ConfigMap/frontend-config');
    expect(parse(configMap?.after ?? '')).toMatchObject({ apiVersion: 'v1', data: { ENV_PLATFORM: 'gcp' } });
  });
});

describe('diffRelease with hooks', () => {
  const job = (image: string) =>
    `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-upgrade\nspec:\n  template:\n    spec:\n      containers: [{ name: m, image: ${image} }]\n      restartPolicy: Never\n`;
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: seed\nstringData:\n  token: s3cr3t-seed\n';

  it('lists hooks apart with their events: changed, added, removed; counts them; masks them', () => {
    const diff = diffRelease({
      release: 'shop/db',
      namespace: 'shop',
      desired: [],
      live: [],
      deployed: [],
      secrets: [{ path: 'seed.token', value: 's3cr3t-seed' }],
      hooks: {
        deployed: [
          { manifest: job('migrate:1'), events: ['pre-upgrade'] },
          { manifest: secret.replace('seed', 'old'), events: ['post-install'] },
        ],
        planned: [
          { manifest: job('migrate:2'), events: ['pre-upgrade'] },
          { manifest: secret, events: ['pre-install'] },
        ],
      },
    });
    expect(diff.hooks.map((hook) => `${hook.action} ${hook.ref} ${hook.events.join(',')}`)).toEqual([
      'change Job/migrate pre-upgrade',
      'remove Secret/old post-install',
      'add Secret/seed pre-install',
    ]);
    expect(diff.hooks[0]!.after).toContain('image: migrate:2');
    expect(JSON.stringify(diff)).not.toContain('s3cr3t');
    expect(JSON.stringify(diff)).not.toContain(Buffer.from('s3cr3t-seed').toString('base64'));
    expect(diff.summary).toEqual({ add: 1, change: 1, destroy: 1, unchanged: 0 });
  });
});

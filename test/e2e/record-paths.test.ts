import { execa } from 'execa';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import type { KubeObject } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, helm3Binary, helmBinary, helmWithDriver, kubectlBinary } from '../support/tools.js';
import { until } from '../support/wait.js';

const agentOf = (entry: RequestLogEntry) => (entry.userAgent ?? '').split('/')[0]!.toLowerCase();

// helm's two storages boutique lists in bulk; each against its per-release path over the same records.
describe.each([
  { driver: 'secret', kind: 'Secret' },
  { driver: 'configmap', kind: 'ConfigMap' },
] as const)('helm records ($driver driver) read in bulk and release by release', ({ driver, kind }) => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    boutique(args, { cwd: system.dir, env: { ...env, ...extraEnv } });
  const helm = (args: string[]) => execa(helmBinary(), [...args, '--namespace', 'boutique'], { env, reject: false });
  const storedStatus = (name: string, revision: number) =>
    cluster.store.get('v1', kind, 'boutique', `sh.helm.release.v1.${name}.v${revision}`)?.metadata.labels?.status;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    env = { ...emulatorEnv(cluster), HELM_DRIVER: driver };
    system = copyShippedSystem();
    for (const name of ['adservice', 'emailservice']) {
      system.edit('releases.yaml', (text) =>
        text.replace(`  - name: ${name}\n`, `  - name: ${name}\n    namespace: extras\n`),
      );
    }
    const sync = await run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);

    // helm 3 storage: the next revision of productcatalogservice written by helm 3.
    system.edit('values/productcatalogservice.yaml', (text) => text.replace('memory: 128Mi', 'memory: 160Mi'));
    const byHelm3 = await run(['sync', '-l', 'name=productcatalogservice'], { BOUTIQUE_HELM: helm3Binary() });
    expect(byHelm3.stdout).toMatch(/^boutique\/productcatalogservice +upgraded /m);

    // A drifted field, and a deleted object of a release in another namespace.
    await execa(kubectlBinary(), ['scale', 'deployment/currencyservice', '--replicas=2', '--namespace', 'boutique'], {
      env,
    });
    await execa(kubectlBinary(), ['delete', 'service/emailservice', '--namespace', 'extras'], { env });

    // A failed release: an upgrade by hand whose new pods never become ready within its timeout.
    const attempt = (value: string) => (object: KubeObject) =>
      JSON.stringify(object.spec).includes(`"attempt":"${value}"`);
    cluster.faults.neverReady({ kind: 'Deployment', name: 'paymentservice', where: attempt('failed') });
    const chart = join(system.dir, 'charts', 'microservice');
    const failed = await helm([
      'upgrade',
      'paymentservice',
      chart,
      '--reuse-values',
      '--set',
      'podAnnotations.attempt=failed',
      '--wait=watcher',
      '--timeout',
      '2s',
    ]);
    expect(failed.exitCode).not.toBe(0);
    expect(storedStatus('paymentservice', 2)).toBe('failed');

    // A pending release: a helm that dies while it waits.
    cluster.faults.neverReady({ kind: 'Deployment', name: 'shippingservice', where: attempt('pending') });
    const pending = helm([
      'upgrade',
      'shippingservice',
      chart,
      '--reuse-values',
      '--set',
      'podAnnotations.attempt=pending',
      '--wait=watcher',
      '--timeout',
      '120s',
    ]);
    await until(() => storedStatus('shippingservice', 2) === 'pending-upgrade', 'a pending upgrade');
    pending.kill('SIGKILL');
    await pending;
  });
  afterAll(() => cluster?.stop());

  it('agree on unchanged, drifted, deleted, failed, pending, helm 3 and another namespace, the bulk path with no helm', async () => {
    const readBy = async (extraEnv: Record<string, string>) => {
      const since = cluster.requests.length;
      const status = await run(['status', '-o', 'json'], extraEnv);
      const report = JSON.parse(status.stdout);
      return { exitCode: status.exitCode, report, agents: new Set(cluster.requests.slice(since).map(agentOf)) };
    };
    const bulk = await readBy({});
    const perRelease = await readBy({ HELM_DRIVER: 'sql', BOUTIQUE_HELM: helmWithDriver(driver) });

    expect(bulk.agents).toEqual(new Set(['boutique']));
    expect(perRelease.agents).toContain('helm');
    expect(perRelease.report).toEqual(bulk.report);
    expect(perRelease.exitCode).toBe(bulk.exitCode);

    const seen = Object.fromEntries(
      bulk.report.results.map(
        (result: { id: string; status: string; action: string; helmStatus: string; reasons: string[] }) => [
          result.id,
          [result.action, result.helmStatus, result.reasons.join('; ')],
        ],
      ),
    );
    expect(seen).toMatchObject({
      'boutique/redis-cart': ['unchanged', 'deployed', ''],
      'extras/adservice': ['unchanged', 'deployed', ''],
      'boutique/productcatalogservice': ['unchanged', 'deployed', ''],
      'boutique/currencyservice': ['upgrade', 'deployed', 'drift in Deployment/currencyservice'],
      'extras/emailservice': ['upgrade', 'deployed', 'drift in Service/emailservice (deleted)'],
      'boutique/paymentservice': ['upgrade', 'failed', 'last attempt failed'],
      'boutique/shippingservice': ['blocked', 'pending-upgrade', 'pending-upgrade'],
    });
  });

  it('through helm 3 on the per-release path, upgrades every release and says why: helm 3 shows none of the labels boutique records', async () => {
    const status = await run(['status', '-o', 'json'], {
      HELM_DRIVER: 'sql',
      BOUTIQUE_HELM: helmWithDriver(driver, helm3Binary()),
    });
    const byId = new Map(JSON.parse(status.stdout).results.map((result: { id: string }) => [result.id, result]));
    const unknown = 'inputs unknown: helm 3 shows no release labels';
    expect(byId.get('boutique/redis-cart')).toMatchObject({ action: 'upgrade', reasons: [unknown] });
    expect(byId.get('extras/adservice')).toMatchObject({ action: 'upgrade', reasons: [unknown] });
    expect(byId.get('boutique/paymentservice')).toMatchObject({
      action: 'upgrade',
      reasons: ['last attempt failed', unknown],
    });
    expect(byId.get('boutique/shippingservice')).toMatchObject({ action: 'blocked', reasons: ['pending-upgrade'] });
  });
});

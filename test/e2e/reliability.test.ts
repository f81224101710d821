import { execa } from 'execa';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigFor, startEmulator, type Emulator, type RequestLogEntry } from '../cluster/emulator.js';
import { boutique, boutiqueBin } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, kubectlBinary } from '../support/tools.js';
import { until } from '../support/wait.js';

const isWrite = (entry: RequestLogEntry) => ['create', 'update', 'patch', 'delete'].includes(entry.verb) && !entry.dryRun;
const selection = ['-l', 'name=cartservice', '--include-needs'];

/** helm's release records in the emulator: name.vN → status. */
function helmRecords(emulator: Emulator): Record<string, string> {
  return Object.fromEntries(
    emulator.store
      .list('v1', 'Secret', 'boutique')
      .filter((secret) => secret.metadata.name?.startsWith('sh.helm.release.v1.'))
      .map((secret) => [secret.metadata.name!.replace('sh.helm.release.v1.', ''), secret.metadata.labels?.status ?? '?']),
  );
}

describe('reliability against the emulator', () => {
  let emulator: Emulator;
  afterEach(() => emulator?.stop());

  const setUp = async (readyDelayMs: number) => {
    emulator = await startEmulator({ readyDelayMs });
    const system = copyShippedSystem();
    const env = { ...emulatorEnv(emulator), NO_COLOR: '1', CI: 'true' };
    return { system, env, run: (args: string[]) => boutique(args, { cwd: system.dir, env }) };
  };

  /** A sync from `firstDir`, and once it holds its lock, one from `secondDir`: both succeed, the second having waited. */
  const syncWhileAnotherHoldsTheLock = async (firstDir: string, secondDir: string, env: Record<string, string>) => {
    const first = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: firstDir, env, reject: false });
    await until(() => emulator.requests.some((entry) => entry.resource === 'leases' && entry.verb === 'create'), 'the first lock');
    const second = await execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: secondDir, env, reject: false });
    const firstResult = await first;
    expect(firstResult.exitCode, String(firstResult.stderr)).toBe(0);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(String(second.stderr)).toMatch(/waiting for the lock of this environment, held by \S+ since /);
    return second;
  };

  it('serialises two syncs started together: both succeed, the second waited, one revision per release', async () => {
    const { system, env } = await setUp(4_000);
    // Whether the second run plans before the first has written anything or meets its pending revisions, it waits.
    const second = await syncWhileAnotherHoldsTheLock(system.dir, system.dir, env);
    expect(String(second.stdout)).toMatch(/^boutique\/cartservice +unchanged /m);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('makes runs from two versions of releases.yaml meet on the namespace they share: one writes, then the other', async () => {
    const { system, env } = await setUp(4_000);
    // The second version adds a release in another namespace and changes redis-cart's helm options.
    const other = copyShippedSystem();
    other.edit('releases.yaml', (text) => text.replace('  # Leaves: services that call nobody.\n', '  - name: extra-cache\n    namespace: extras\n    chart: ./charts/redis\n    values: [values/redis-cart.yaml]\n\n  # Leaves: services that call nobody.\n'));
    other.edit('releases.yaml', (text) => text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 200\n'));
    const second = await syncWhileAnotherHoldsTheLock(system.dir, other.dir, env);
    expect(String(second.stdout)).toMatch(/^boutique\/redis-cart +upgraded /m);
    // The audit log: the first run wrote its last release's records before the second run wrote anything.
    const recordWrites = emulator.requests.filter((entry) => isWrite(entry) && entry.resource === 'secrets').map((entry) => entry.name);
    const firstOfSecond = recordWrites.indexOf('sh.helm.release.v1.redis-cart.v2');
    expect(firstOfSecond).toBeGreaterThan(0);
    expect(recordWrites.lastIndexOf('sh.helm.release.v1.cartservice.v1')).toBeLessThan(firstOfSecond);
    expect(recordWrites.lastIndexOf('sh.helm.release.v1.cartservice.v1')).toBeGreaterThan(0);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'superseded', 'redis-cart.v2': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('stops starting releases and fails when a third party changes its Lease, and leaves that Lease alone', async () => {
    const { run } = await setUp(14_000);
    const sync = run(['sync', ...selection]);
    await until(() => Object.keys(helmRecords(emulator)).includes('redis-cart.v1'), 'redis-cart to be applying');
    await execa(kubectlBinary(), ['patch', 'lease', 'boutique-ns-boutique', '--namespace', 'default', '--type', 'merge', '--patch', '{"spec":{"holderIdentity":"intruder"}}'], { env: emulator.env });
    const result = await sync;
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^boutique\/redis-cart +installed /m);
    expect(result.stdout).toMatch(/^boutique\/cartservice +skipped +- +not started: this run lost its lock: someone else changed the lease default\/boutique-ns-boutique while this run held it$/m);
    expect(result.stderr).toMatch(/^Error: this run lost its lock: someone else changed the lease default\/boutique-ns-boutique while this run held it$/m);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'deployed' });
    expect((emulator.store.get('coordination.k8s.io/v1', 'Lease', 'default', 'boutique-ns-boutique')?.spec as { holderIdentity?: string }).holderIdentity).toBe('intruder');
  });

  it('on SIGINT finishes what runs, starts nothing more, prints the summary and exits 130 with nothing pending', async () => {
    const { system, env } = await setUp(2_000);
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => Object.keys(helmRecords(emulator)).includes('redis-cart.v1'), 'redis-cart to be applying');
    sync.kill('SIGINT');
    const result = await sync;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toContain('SIGINT: starting nothing new, letting running releases finish');
    expect(String(result.stdout)).toMatch(/^boutique\/redis-cart +installed /m);
    expect(String(result.stdout)).toMatch(/^boutique\/cartservice +skipped +- +not started: the run was interrupted$/m);
    expect(String(result.stderr)).toMatch(/Error: sync interrupted by SIGINT: 0 failed, 1 skipped, 1 done\n/);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'deployed' });
  });

  it('on a second SIGINT stops helm, still prints one complete JSON document, lets go of its Lease and leaves no temp files', async () => {
    const { system, env } = await setUp(30_000);
    const tmp = mkdtempSync(join(tmpdir(), 'boutique-tmp-'));
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection, '-o', 'json', '--set-secret', 'podAnnotations.note=sentinel-5b1e'], { cwd: system.dir, env: { ...env, TMPDIR: tmp }, reject: false });
    await until(() => Object.keys(helmRecords(emulator)).includes('redis-cart.v1'), 'redis-cart to be applying');
    expect(readdirSync(tmp).filter((entry) => entry.startsWith('boutique-values-'))).toHaveLength(1);
    sync.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    sync.kill('SIGINT');
    const result = await sync;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout));
    expect(report.ok).toBe(false);
    expect(report.results.map((entry: { id: string; result: string }) => `${entry.id} ${entry.result}`)).toEqual(['boutique/redis-cart failed', 'boutique/cartservice skipped']);
    expect(report.errors.at(-1)).toMatchObject({ code: 'INTERRUPTED', message: 'sync interrupted by SIGINT: 1 failed, 1 skipped, 0 done' });
    expect(String(result.stderr)).toContain('SIGINT again: stopping helm now');
    // No helm of this run is left working on the release.
    expect(String((await execa('ps', ['-eo', 'args'])).stdout).split('\n').filter((line) => line.includes(system.dir))).toEqual([]);
    expect(readdirSync(tmp).filter((entry) => entry.startsWith('boutique-values-'))).toEqual([]);
    expect((emulator.store.get('coordination.k8s.io/v1', 'Lease', 'default', 'boutique-ns-boutique')?.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();
  });

  it('recovers in the next sync what a SIGKILLed run left pending', async () => {
    const { system, env, run } = await setUp(1_500);
    system.edit('releases.yaml', (text) => text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 4\n'));
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => helmRecords(emulator)['redis-cart.v1'] === 'pending-install', 'a pending install');
    // As when a CI runner dies: boutique and every helm it started, at once.
    const children = String((await execa('ps', ['-o', 'pid=', '--ppid', String(sync.pid)], { reject: false })).stdout).split(/\s+/).filter(Boolean);
    for (const pid of [String(sync.pid), ...children]) process.kill(Number(pid), 'SIGKILL');
    await sync;
    expect(helmRecords(emulator)['redis-cart.v1']).toBe('pending-install');

    const blocked = await run(['status', ...selection]);
    expect(blocked.stdout).toMatch(/redis-cart .* blocked: pending-install/);
    // No helm of that run can write past the deadline its revision records (its timeout, helm's bookkeeping, the
    // SIGKILL's delay); until then the release stays blocked, since an orphaned helm may still be applying it.
    const deadline = Number(emulator.store.get('v1', 'Secret', 'boutique', 'sh.helm.release.v1.redis-cart.v1')!.metadata.labels!['boutique.dev/deadline']);
    expect(deadline * 1000 - Date.now()).toBeGreaterThan(4_000 + 15_000);
    await until(() => Date.now() > deadline * 1000, 'the recorded deadline', { withinMs: 30_000, everyMs: 500 });
    const next = await run(['sync', ...selection]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^boutique\/redis-cart +installed /m);
    expect(next.stderr).toContain('recovering pending-install left by an interrupted boutique run');
    expect(Object.values(helmRecords(emulator))).toEqual(['deployed', 'deployed']);
  });

  it('reports a release whose record update was refused as failed, never installed', async () => {
    const { run } = await setUp(100);
    emulator.faults.conflictOn({ resource: 'secrets', name: /^sh\.helm\.release\.v1\.redis-cart\./, verb: 'update' });
    const result = await run(['sync', ...selection]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toMatch(/^boutique\/redis-cart +installed /m);
    expect(result.stdout).toMatch(/^boutique\/redis-cart +failed /m);
    expect(result.stdout).toMatch(/^boutique\/cartservice +skipped /m);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'pending-install' });
    // That run ended, so no helm of it is left: the next one recovers the pending revision at once, long before the
    // deadline it records.
    emulator.faults.clear();
    const next = await run(['sync', ...selection]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^boutique\/redis-cart +installed +.*recovering pending-install left by an interrupted boutique run/m);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('converges in one run when a fifth of all requests answer 500 and the API server answers 503 at first', async () => {
    const { run } = await setUp(100);
    // As the API server answers when its storage did not reply in time: ServerTimeout with Retry-After, which helm
    // and kubectl wait out by themselves.
    emulator.faults.failRequests({ share: 0.2, status: 500, retryAfterSeconds: 1 });
    // A control plane still coming up (or a load balancer in front of it): bare 503s that no client retries on its
    // own, met by boutique's bulk read of helm's records, which boutique tries again.
    emulator.faults.failRequests({ status: 503, limit: 2, matcher: { resource: 'secrets', verb: 'list' } });
    const result = await run(['sync', ...selection, '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const failures = emulator.requests.filter((entry) => entry.status >= 500);
    expect(failures.filter((entry) => entry.status === 503)).toHaveLength(2);
    expect(failures.filter((entry) => entry.status === 500).length).toBeGreaterThan(5);
    const report = JSON.parse(result.stdout);
    expect(report.summary.installed).toBe(2);
    expect(report.summary.retries).toBeGreaterThan(0);
    expect(helmRecords(emulator)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('fails within seconds, with a hint, when the kubeconfig has no credentials for an https server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-nocreds-'));
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor('https://127.0.0.1:1').replace(/server: https:\/\/127\.0\.0\.1:1/, 'server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true'));
    const system = copyShippedSystem();
    const result = await boutique(['status', ...selection], { cwd: system.dir, env: { KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache'), BOUTIQUE_KUBECTL: kubectlBinary() } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: kubectl asked for a username and password for the cluster of the current context, and there is no terminal to answer/m);
    expect(result.stderr).toContain('hint: give the kubeconfig user a token, a client certificate, or an exec plugin');
    emulator = await startEmulator({});
  });

  it('takes the lock in the environment\'s lockNamespace, and says what to set when it does not exist', async () => {
    const { system, run } = await setUp(100);
    system.edit('releases.yaml', (text) => text.replace('  staging:\n', '  staging:\n    lockNamespace: platform-locks\n'));
    const missing = await run(['sync', '-e', 'staging', ...selection]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^Error: cannot take the lock of this environment: namespace platform-locks does not exist \(lease platform-locks\/boutique-ns-boutique-staging\)$/m);
    expect(missing.stderr).toContain('hint: set lockNamespace in the environment of releases.yaml');
    expect(emulator.requests.filter(isWrite).map((entry) => entry.resource)).toEqual(['leases']);
    await execa(kubectlBinary(), ['create', 'namespace', 'platform-locks'], { env: emulator.env });
    const synced = await run(['sync', '-e', 'staging', ...selection]);
    expect(synced.exitCode, synced.stderr).toBe(0);
    const leaseWrites = emulator.requests.filter((entry) => entry.resource === 'leases' && isWrite(entry));
    expect(new Set(leaseWrites.map((entry) => entry.namespace))).toEqual(new Set(['platform-locks']));
  });

  it('never writes when production is not confirmed without a terminal', async () => {
    const { run } = await setUp(100);
    const result = await run(['sync', '-e', 'prod', ...selection]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Error: sync of production environment prod (kube context emulator): 2 to install, 0 unchanged: not confirmed, and there is no terminal to ask');
    expect(emulator.requests.filter(isWrite)).toEqual([]);
  });
});

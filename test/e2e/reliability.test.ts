import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeconfigFor } from '../cluster/emulator.js';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique, boutiqueBin } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, kubectlBinary } from '../support/tools.js';
import { until } from '../support/wait.js';

const isWrite = (entry: RequestLogEntry) => ['create', 'update', 'patch', 'delete'].includes(entry.verb) && !entry.dryRun;
const selection = ['-l', 'name=cartservice', '--include-needs'];

/** helm's release records in the cluster: name.vN → status. */
function helmRecords(cluster: ControlPlane): Record<string, string> {
  return Object.fromEntries(
    cluster.store
      .list('v1', 'Secret', 'boutique')
      .filter((secret) => secret.metadata.name?.startsWith('sh.helm.release.v1.'))
      .map((secret) => [secret.metadata.name!.replace('sh.helm.release.v1.', ''), secret.metadata.labels?.status ?? '?']),
  );
}

describe('reliability against the cluster', () => {
  let cluster: ControlPlane;
  afterEach(() => cluster?.stop());

  const setUp = async (readyDelayMs: number) => {
    cluster = await startControlPlane({ readyDelayMs });
    const system = copyShippedSystem();
    const env = { ...emulatorEnv(cluster), NO_COLOR: '1', CI: 'true' };
    return { system, env, run: (args: string[]) => boutique(args, { cwd: system.dir, env }) };
  };

  it('serialises two syncs started together: both succeed, the second waited, one revision per release', async () => {
    const { system, env } = await setUp(4_000);
    const first = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => cluster.requests.some((entry) => entry.resource === 'leases' && entry.verb === 'create'), 'the first lock');
    // Whether the second run plans before the first has written anything or meets its pending revisions, it waits.
    const second = await execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    const firstResult = await first;
    expect(firstResult.exitCode, String(firstResult.stderr)).toBe(0);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(String(second.stderr)).toMatch(/waiting for the lock of this environment, held by \S+ since /);
    expect(String(second.stdout)).toMatch(/^boutique\/cartservice +unchanged /m);
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('on SIGINT finishes what runs, starts nothing more, prints the summary and exits 130 with nothing pending', async () => {
    const { system, env } = await setUp(2_000);
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => Object.keys(helmRecords(cluster)).includes('redis-cart.v1'), 'redis-cart to be applying');
    sync.kill('SIGINT');
    const result = await sync;
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toContain('SIGINT: starting nothing new, letting running releases finish');
    expect(String(result.stdout)).toMatch(/^boutique\/redis-cart +installed /m);
    expect(String(result.stdout)).toMatch(/^boutique\/cartservice +skipped +- +not started: the run was interrupted$/m);
    expect(String(result.stderr)).toMatch(/Error: sync interrupted by SIGINT: 0 failed, 1 skipped, 1 done\n/);
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed' });
  });

  it('recovers in the next sync what a SIGKILLed run left pending', async () => {
    const { system, env, run } = await setUp(1_500);
    system.edit('releases.yaml', (text) => text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 4\n'));
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => helmRecords(cluster)['redis-cart.v1'] === 'pending-install', 'a pending install');
    // As when a CI runner dies: boutique and every helm it started, at once.
    const children = String((await execa('ps', ['-o', 'pid=', '--ppid', String(sync.pid)], { reject: false })).stdout).split(/\s+/).filter(Boolean);
    for (const pid of [String(sync.pid), ...children]) process.kill(Number(pid), 'SIGKILL');
    await sync;
    expect(helmRecords(cluster)['redis-cart.v1']).toBe('pending-install');

    const blocked = await run(['status', ...selection]);
    expect(blocked.stdout).toMatch(/redis-cart .* blocked: pending-install/);
    // Its helm would have given up by the deadline the revision records (its timeout and a margin).
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const next = await run(['sync', ...selection]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/^boutique\/redis-cart +installed /m);
    expect(next.stderr).toContain('recovering pending-install left by an interrupted boutique run');
    expect(Object.values(helmRecords(cluster))).toEqual(['deployed', 'deployed']);
  });

  it('reports a release whose record update was refused as failed, never installed', async () => {
    const { run } = await setUp(100);
    cluster.faults.conflictOn({ resource: 'secrets', name: /^sh\.helm\.release\.v1\.redis-cart\./, verb: 'update' });
    const result = await run(['sync', ...selection]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toMatch(/^boutique\/redis-cart +installed /m);
    expect(result.stdout).toMatch(/^boutique\/redis-cart +failed /m);
    expect(result.stdout).toMatch(/^boutique\/cartservice +skipped /m);
  });

  it('converges in one run when a fifth of all requests answer 500 and the API server answers 503 at first', async () => {
    const { run } = await setUp(100);
    // As the API server answers when its storage did not reply in time: ServerTimeout with Retry-After, which helm
    // and kubectl wait out by themselves.
    cluster.faults.failRequests({ share: 0.2, status: 500, retryAfterSeconds: 1 });
    // A control plane still coming up (or a load balancer in front of it): bare 503s that no client retries on its
    // own, met by boutique's bulk read of helm's records, which boutique tries again.
    cluster.faults.failRequests({ status: 503, limit: 2, matcher: { resource: 'secrets', verb: 'list' } });
    const result = await run(['sync', ...selection, '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const failures = cluster.requests.filter((entry) => entry.status >= 500);
    expect(failures.filter((entry) => entry.status === 503)).toHaveLength(2);
    expect(failures.filter((entry) => entry.status === 500).length).toBeGreaterThan(5);
    const report = JSON.parse(result.stdout);
    expect(report.summary.installed).toBe(2);
    expect(report.summary.retries).toBeGreaterThan(0);
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('fails within seconds, with a hint, when the kubeconfig has no credentials for an https server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-nocreds-'));
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigFor('https://127.0.0.1:1').replace(/server: https:\/\/127\.0\.0\.1:1/, 'server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true'));
    const system = copyShippedSystem();
    const result = await boutique(['status', ...selection], { cwd: system.dir, env: { KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache'), BOUTIQUE_KUBECTL: kubectlBinary() } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: kubectl asked for a username and password for the cluster of the current context, and there is no terminal to answer/m);
    expect(result.stderr).toContain('hint: give the kubeconfig user a token, a client certificate, or an exec plugin');
  });

  it('takes the lock in the environment\'s lockNamespace, and says what to set when it does not exist', async () => {
    const { system, run } = await setUp(100);
    system.edit('releases.yaml', (text) => text.replace('  staging:\n', '  staging:\n    lockNamespace: platform-locks\n'));
    const missing = await run(['sync', '-e', 'staging', ...selection]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^Error: cannot take the lock of this environment: namespace platform-locks does not exist \(lease platform-locks\/boutique-staging-\w+\)$/m);
    expect(missing.stderr).toContain('hint: set lockNamespace in the environment of releases.yaml');
    expect(cluster.requests.filter(isWrite).map((entry) => entry.resource)).toEqual(['leases']);
    await execa(kubectlBinary(), ['create', 'namespace', 'platform-locks'], { env: cluster.env });
    const synced = await run(['sync', '-e', 'staging', ...selection]);
    expect(synced.exitCode, synced.stderr).toBe(0);
    const leaseWrites = cluster.requests.filter((entry) => entry.resource === 'leases' && isWrite(entry));
    expect(new Set(leaseWrites.map((entry) => entry.namespace))).toEqual(new Set(['platform-locks']));
  });

  it('never writes when production is not confirmed without a terminal', async () => {
    const { run } = await setUp(100);
    const result = await run(['sync', '-e', 'prod', ...selection]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Error: sync of production environment prod: 2 to install, 0 unchanged: not confirmed, and there is no terminal to ask');
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });
});

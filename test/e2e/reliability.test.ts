import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  contextName,
  isWrite,
  startControlPlane,
  type ControlPlane,
  type RequestLogEntry,
} from '../support/control-plane.js';
import { testCertificates } from '../support/certificates.js';
import { boutique, boutiqueBin } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, kubectlBinary } from '../support/tools.js';
import { until } from '../support/wait.js';

const isRealWrite = (entry: RequestLogEntry) => isWrite(entry) && !entry.dryRun;
const selection = ['-l', 'name=cartservice', '--include-needs'];

/** helm's release records in the cluster: name.vN → status. */
function helmRecords(cluster: ControlPlane): Record<string, string> {
  return Object.fromEntries(
    cluster.store
      .list('v1', 'Secret', 'boutique')
      .filter((secret) => secret.metadata.name?.startsWith('sh.helm.release.v1.'))
      .map((secret) => [
        secret.metadata.name!.replace('sh.helm.release.v1.', ''),
        secret.metadata.labels?.status ?? '?',
      ]),
  );
}

interface Process {
  pid: number;
  ppid: number;
  pgid: number;
  comm: string;
}

/** Every live process, as /proc lists it (Linux); a zombie has stopped and is left out. */
function processes(): Process[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        return []; // ended meanwhile
      }
      const close = stat.lastIndexOf(')');
      const [state, ppid, pgid] = stat.slice(close + 2).split(' ');
      return state === 'Z'
        ? []
        : [
            {
              pid: Number(entry),
              ppid: Number(ppid),
              pgid: Number(pgid),
              comm: stat.slice(stat.indexOf('(') + 1, close),
            },
          ];
    });
}

/** The process groups boutique started (each helm runs in one of its own, with whatever it starts). */
const groupsStartedBy = (pid: number) =>
  new Set(
    processes()
      .filter((entry) => entry.ppid === pid && entry.pgid === entry.pid)
      .map((entry) => entry.pgid),
  );
const membersOf = (groups: ReadonlySet<number>) => processes().filter((entry) => groups.has(entry.pgid));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reliability against the real control plane', () => {
  let cluster: ControlPlane;
  afterEach(() => cluster?.stop());

  const setUp = async (readyDelayMs: number) => {
    cluster = await startControlPlane({ readyDelayMs });
    const system = copyShippedSystem();
    const env = { ...emulatorEnv(cluster), NO_COLOR: '1', CI: 'true' };
    return { system, env, run: (args: string[]) => boutique(args, { cwd: system.dir, env }) };
  };

  /** A sync from `firstDir`, and once it holds its lock, one from `secondDir`: both succeed, the second having waited. */
  const syncWhileAnotherHoldsTheLock = async (firstDir: string, secondDir: string, env: Record<string, string>) => {
    const first = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: firstDir, env, reject: false });
    await until(
      () => cluster.requests.some((entry) => entry.resource === 'leases' && entry.verb === 'create'),
      'the first lock',
    );
    const second = await execa(process.execPath, [boutiqueBin, 'sync', ...selection], {
      cwd: secondDir,
      env,
      reject: false,
    });
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
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('makes runs from two versions of releases.yaml meet on the namespace they share: one writes, then the other', async () => {
    const { system, env } = await setUp(4_000);
    // The second version adds a release in another namespace and changes redis-cart's helm options.
    const other = copyShippedSystem();
    other.edit('releases.yaml', (text) =>
      text.replace(
        '  # Leaves: services that call nobody.\n',
        '  - name: extra-cache\n    namespace: extras\n    chart: ./charts/redis\n    values: [values/redis-cart.yaml]\n\n  # Leaves: services that call nobody.\n',
      ),
    );
    other.edit('releases.yaml', (text) =>
      text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 200\n'),
    );
    const second = await syncWhileAnotherHoldsTheLock(system.dir, other.dir, env);
    expect(String(second.stdout)).toMatch(/^boutique\/redis-cart +upgraded /m);
    // The audit log: the first run wrote its last release's records before the second run wrote anything.
    const recordWrites = cluster.requests
      .filter((entry) => isRealWrite(entry) && entry.resource === 'secrets')
      .map((entry) => entry.name);
    const firstOfSecond = recordWrites.indexOf('sh.helm.release.v1.redis-cart.v2');
    expect(firstOfSecond).toBeGreaterThan(0);
    expect(recordWrites.lastIndexOf('sh.helm.release.v1.cartservice.v1')).toBeLessThan(firstOfSecond);
    expect(recordWrites.lastIndexOf('sh.helm.release.v1.cartservice.v1')).toBeGreaterThan(0);
    expect(helmRecords(cluster)).toEqual({
      'redis-cart.v1': 'superseded',
      'redis-cart.v2': 'deployed',
      'cartservice.v1': 'deployed',
    });
  });

  it('stops starting releases and fails when a third party changes its Lease, and leaves that Lease alone', async () => {
    const { run } = await setUp(14_000);
    const sync = run(['sync', ...selection]);
    await until(() => Object.keys(helmRecords(cluster)).includes('redis-cart.v1'), 'redis-cart to be applying');
    await execa(
      kubectlBinary(),
      [
        'patch',
        'lease',
        'boutique-ns-boutique',
        '--namespace',
        'default',
        '--type',
        'merge',
        '--patch',
        '{"spec":{"holderIdentity":"intruder"}}',
      ],
      { env: cluster.env },
    );
    const result = await sync;
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^boutique\/redis-cart +installed /m);
    expect(result.stdout).toMatch(
      /^boutique\/cartservice +skipped +- +not started: this run lost its lock: someone else changed the lease default\/boutique-ns-boutique while this run held it$/m,
    );
    expect(result.stderr).toMatch(
      /^Error: this run lost its lock: someone else changed the lease default\/boutique-ns-boutique while this run held it$/m,
    );
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed' });
    expect(
      (
        cluster.store.get('coordination.k8s.io/v1', 'Lease', 'default', 'boutique-ns-boutique')?.spec as {
          holderIdentity?: string;
        }
      ).holderIdentity,
    ).toBe('intruder');
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

  it('on a second SIGINT stops helm, still prints one complete JSON document, lets go of its Lease and leaves no temp files', async () => {
    const { system, env } = await setUp(30_000);
    const tmp = mkdtempSync(join(tmpdir(), 'boutique-tmp-'));
    const sync = execa(
      process.execPath,
      [boutiqueBin, 'sync', ...selection, '-o', 'json', '--set-secret', 'podAnnotations.note=sentinel-5b1e'],
      { cwd: system.dir, env: { ...env, TMPDIR: tmp }, reject: false },
    );
    await until(() => Object.keys(helmRecords(cluster)).includes('redis-cart.v1'), 'redis-cart to be applying');
    expect(readdirSync(tmp).filter((entry) => entry.startsWith('boutique-values-'))).toHaveLength(1);
    const groups = groupsStartedBy(sync.pid!);
    expect(membersOf(groups).map((entry) => entry.comm)).toContain('helm');
    sync.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 500));
    sync.kill('SIGINT');
    const result = await sync;
    expect(result.exitCode).toBe(130);
    const report = JSON.parse(String(result.stdout));
    expect(report.ok).toBe(false);
    expect(report.results.map((entry: { id: string; result: string }) => `${entry.id} ${entry.result}`)).toEqual([
      'boutique/redis-cart failed',
      'boutique/cartservice skipped',
    ]);
    expect(report.errors.at(-1)).toMatchObject({
      code: 'INTERRUPTED',
      message: 'sync interrupted by SIGINT: 1 failed, 1 skipped, 0 done',
    });
    expect(String(result.stderr)).toContain('SIGINT again: stopping helm now');
    // No helm of this run is left working on the release: every process group it started is empty.
    expect(membersOf(groups)).toEqual([]);
    expect(readdirSync(tmp).filter((entry) => entry.startsWith('boutique-values-'))).toEqual([]);
    expect(
      (
        cluster.store.get('coordination.k8s.io/v1', 'Lease', 'default', 'boutique-ns-boutique')?.spec as {
          holderIdentity?: string;
        }
      ).holderIdentity,
    ).toBeUndefined();
  });

  it('never lets the next run recover what the helm of a SIGKILLed boutique may still write: that helm is gone by the recorded deadline', async () => {
    const { system, env, run } = await setUp(1_500);
    system.edit('releases.yaml', (text) =>
      text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 4\n'),
    );
    // The API server takes 90 s over redis-cart's workload: helm is still applying long past its own --timeout.
    const removeLatency = cluster.faults.latency(90_000, {
      path: /^\/apis\/apps\/v1\/namespaces\/boutique\//,
      verb: ['create', 'patch'],
      dryRun: false,
    });
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => helmRecords(cluster)['redis-cart.v1'] === 'pending-install', 'a pending install');
    const deadline =
      Number(
        cluster.store.get('v1', 'Secret', 'boutique', 'sh.helm.release.v1.redis-cart.v1')!.metadata.labels![
          'boutique.dev/deadline'
        ],
      ) * 1000;
    const groups = groupsStartedBy(sync.pid!);
    expect(membersOf(groups).map((entry) => entry.comm)).toContain('helm');
    // boutique alone is killed (the OOM killer, kill -9 of its PID): the helm it started runs on in its own group.
    process.kill(sync.pid!, 'SIGKILL');
    await sync;
    expect(membersOf(groups).map((entry) => entry.comm)).toContain('helm');
    let goneAt: number | undefined;
    const watching = (async () => {
      while (membersOf(groups).length > 0 && Date.now() < deadline + 30_000) await sleep(100);
      if (membersOf(groups).length === 0) goneAt = Date.now();
    })();

    // The next run meanwhile: the dead run's Lease is taken at once, but its pending revision is left alone.
    const early = await run(['sync', ...selection]);
    expect(early.exitCode).toBe(1);
    expect(early.stdout).toMatch(/^boutique\/redis-cart +failed /m);
    expect(early.stderr).toContain(
      'release boutique/redis-cart is pending-install: another helm operation is in progress, or one was interrupted',
    );
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'pending-install' });

    await watching;
    // /proc: every process of that helm's group ended by the deadline its revision records.
    expect(goneAt).toBeDefined();
    expect(goneAt!).toBeLessThanOrEqual(deadline);
    removeLatency();
    await until(() => Date.now() > deadline, 'the recorded deadline', { withinMs: 60_000, everyMs: 500 });
    const next = await run(['sync', ...selection]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stderr).toContain('recovering pending-install left by an interrupted boutique run');
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });

  it('recovers in the next sync what a SIGKILLed run left pending', async () => {
    const { system, env, run } = await setUp(1_500);
    system.edit('releases.yaml', (text) =>
      text.replace('  - name: redis-cart\n', '  - name: redis-cart\n    timeout: 4\n'),
    );
    const sync = execa(process.execPath, [boutiqueBin, 'sync', ...selection], { cwd: system.dir, env, reject: false });
    await until(() => helmRecords(cluster)['redis-cart.v1'] === 'pending-install', 'a pending install');
    // As when a CI runner dies: boutique and every process of every group it started, at once.
    const groups = groupsStartedBy(sync.pid!);
    for (const { pid } of [{ pid: sync.pid! }, ...membersOf(groups)]) process.kill(pid, 'SIGKILL');
    await sync;
    expect(helmRecords(cluster)['redis-cart.v1']).toBe('pending-install');

    const blocked = await run(['status', ...selection]);
    expect(blocked.stdout).toMatch(/redis-cart .* blocked: pending-install/);
    // No helm of that run can write past the deadline its revision records (its timeout, helm's bookkeeping, the
    // SIGKILL's delay); until then the release stays blocked, since an orphaned helm may still be applying it.
    const deadline = Number(
      cluster.store.get('v1', 'Secret', 'boutique', 'sh.helm.release.v1.redis-cart.v1')!.metadata.labels![
        'boutique.dev/deadline'
      ],
    );
    expect(deadline * 1000 - Date.now()).toBeGreaterThan(4_000 + 15_000);
    await until(() => Date.now() > deadline * 1000, 'the recorded deadline', { withinMs: 30_000, everyMs: 500 });
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
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'pending-install' });
    // That run ended, so no helm of it is left: the next one recovers the pending revision at once, long before the
    // deadline it records.
    cluster.faults.clear();
    const next = await run(['sync', ...selection]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stdout).toMatch(
      /^boutique\/redis-cart +installed +.*recovering pending-install left by an interrupted boutique run/m,
    );
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
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
    const { system } = await setUp(100);
    // The test cluster's kubeconfig, its user without a certificate, token or plugin.
    const config = parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as { users: { user: Record<string, string> }[] };
    config.users[0]!.user = {};
    const dir = mkdtempSync(join(tmpdir(), 'boutique-nocreds-'));
    writeFileSync(join(dir, 'kubeconfig'), stringify(config));
    const result = await boutique(['status', ...selection], {
      cwd: system.dir,
      env: { KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache'), BOUTIQUE_KUBECTL: kubectlBinary() },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: kubectl asked for a username and password for the cluster of the current context, and there is no terminal to answer/m,
    );
    expect(result.stderr).toContain('hint: give the kubeconfig user a token, a client certificate, or an exec plugin');
    // Nothing was sent without credentials.
    expect(cluster.requests).toEqual([]);
  });

  it("takes the lock in the environment's lockNamespace, and says what to set when it does not exist", async () => {
    const { system, run } = await setUp(100);
    system.edit('releases.yaml', (text) =>
      text.replace('  staging:\n', '  staging:\n    lockNamespace: platform-locks\n'),
    );
    const missing = await run(['sync', '-e', 'staging', ...selection]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(
      /^Error: cannot take the lock of this environment: namespace platform-locks does not exist \(lease platform-locks\/boutique-ns-boutique-staging\)$/m,
    );
    expect(missing.stderr).toContain('hint: set lockNamespace in the environment of releases.yaml');
    expect(cluster.requests.filter(isRealWrite).map((entry) => entry.resource)).toEqual(['leases']);
    await execa(kubectlBinary(), ['create', 'namespace', 'platform-locks'], { env: cluster.env });
    const synced = await run(['sync', '-e', 'staging', ...selection]);
    expect(synced.exitCode, synced.stderr).toBe(0);
    const leaseWrites = cluster.requests.filter((entry) => entry.resource === 'leases' && isRealWrite(entry));
    expect(new Set(leaseWrites.map((entry) => entry.namespace))).toEqual(new Set(['platform-locks']));
  });

  it('never writes when production is not confirmed without a terminal', async () => {
    const { run } = await setUp(100);
    const result = await run(['sync', '-e', 'prod', ...selection]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      `Error: sync of production environment prod (kube context ${contextName}): 2 to install, 0 unchanged: not confirmed, and there is no terminal to ask`,
    );
    expect(cluster.requests.filter(isRealWrite)).toEqual([]);
  });
});

// The hang guard of each test below: a sync must fail well within it. A guard against nested retries, not a measure of speed.
const HANG_GUARD_MS = 20_000;

describe('an API endpoint of the real control plane that misbehaves at the connection, through the fault proxy', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    system = copyShippedSystem();
    env = { ...emulatorEnv(cluster), NO_COLOR: '1', CI: 'true' };
  });
  afterAll(() => cluster?.stop());
  let fromRequest = 0;
  let fromConnection = 0;
  beforeEach(() => {
    cluster.faults.clear();
    fromRequest = cluster.requests.length;
    fromConnection = cluster.connections.length;
  });
  const requests = () => cluster.requests.slice(fromRequest);
  const connections = () => cluster.connections.slice(fromConnection);
  const errorsOf = (stdout: string) => (JSON.parse(stdout) as { errors: { code: string; message: string }[] }).errors;
  const sync = (extraEnv: Record<string, string> = {}) =>
    boutique(['sync', ...selection, '--debug', '-o', 'json'], { cwd: system.dir, env: { ...env, ...extraEnv } });

  it(
    "fails a sync with one clear message when every connection is reset, with boutique's tries alone",
    async () => {
      cluster.faults.resetConnections();
      const result = await sync();
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result.stdout)).toEqual([
        {
          code: 'CLUSTER_UNREACHABLE',
          message: expect.stringMatching(
            /^cannot reach the cluster of the current context: GET https:\/\/127\.0\.0\.1:\d+\/\S+: the server reset the connection$/,
          ),
          hints: expect.any(Array),
        },
      ]);
      // No kubectl or helm ran a retry loop of its own against the cluster: every connection is one of boutique's tries.
      expect(result.stderr).not.toMatch(/^\$ \S*(kubectl|helm) (?!version)/m);
      const retries = result.stderr.split('\n').filter((line) => line.startsWith('retrying in '));
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.filter((line) => !line.endsWith('the server reset the connection'))).toEqual([]);
      // One chain of tries: the reads the run starts together wait for the first request's answer.
      expect(connections().map((connection) => connection.tls)).toEqual(Array(retries.length + 1).fill('reset'));
      expect(requests()).toEqual([]);
    },
    HANG_GUARD_MS,
  );

  it(
    "does not try again when the server certificate is not trusted: one attempt in the proxy's log",
    async () => {
      // The test cluster's kubeconfig, trusting another CA than the one that signed the proxy's certificate.
      const config = parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as {
        clusters: { cluster: Record<string, string> }[];
      };
      config.clusters[0]!.cluster['certificate-authority-data'] = testCertificates().ca.toString('base64');
      const dir = mkdtempSync(join(tmpdir(), 'boutique-untrusted-'));
      writeFileSync(join(dir, 'kubeconfig'), stringify(config));
      const result = await sync({ KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache') });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).not.toMatch(/^retrying in /m);
      expect(errorsOf(result.stdout)).toEqual([
        {
          code: 'CLUSTER_UNREACHABLE',
          message: expect.stringMatching(
            /^cannot reach the cluster of the current context: GET https:\/\/127\.0\.0\.1:\d+\/\S+: the server's certificate is not trusted by the certificate authority of the kubeconfig: self-signed certificate in certificate chain$/,
          ),
          hints: [
            "check the cluster's certificate-authority(-data) in the kubeconfig, and that the context points at the right server",
          ],
        },
      ]);
      expect(result.stderr).not.toMatch(/^\$ \S*(kubectl|helm) (?!version)/m);
      // One TLS handshake, and no request sent over it.
      expect(connections()).toHaveLength(1);
      expect(requests()).toEqual([]);
    },
    HANG_GUARD_MS,
  );

  it(
    'fails a sync with one clear message when no request gets its response headers',
    async () => {
      cluster.faults.holdHeaders();
      const result = await sync();
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result.stdout).map((error) => error.message)).toEqual([
        expect.stringMatching(
          /^cannot reach the cluster of the current context: GET https:\/\/127\.0\.0\.1:\d+\/\S+: no answer within 10 s$/,
        ),
      ]);
      expect(result.stderr).not.toMatch(/^\$ \S*(kubectl|helm) (?!version)/m);
      // Silence is not tried again: one request, held.
      expect(requests().map((entry) => `${entry.verb} ${entry.status}`)).toEqual(['get 0']);
    },
    HANG_GUARD_MS,
  );

  it("confirms helm's writes by reading its records when the watch of them never gets its headers", async () => {
    cluster.faults.holdHeaders({ resource: 'secrets', verb: 'watch' });
    const result = await sync();
    expect(result.exitCode, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { summary: { installed?: number } }).summary.installed).toBe(2);
    const held = requests().filter((entry) => entry.resource === 'secrets' && entry.verb === 'watch');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((entry) => entry.status === 0)).toBe(true);
    // After the held watch, helm's records were read.
    expect(
      requests().some((entry) => entry.resource === 'secrets' && entry.verb === 'list' && entry.seq > held[0]!.seq),
    ).toBe(true);
    expect(helmRecords(cluster)).toEqual({ 'redis-cart.v1': 'deployed', 'cartservice.v1': 'deployed' });
  });
});

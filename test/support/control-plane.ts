/**
 * A real Kubernetes control plane for the e2e tier: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
 * built from k8s.io/kubernetes (test/control-plane, built once by scripts/build-control-plane.mjs), plus a node agent
 * that does what kubelets would for Pods that never run. Clients reach it through a fault-injecting proxy, so the
 * kubeconfig, the request log and the faults are those of the emulator's startEmulator(): tests switch by import.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent, createServer as createTlsServer, request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Faults, matches, type Matcher, type MatchTarget, type RemoveFault } from './faults.js';
import type { KubeObject } from './api-request.js';
import { logEntryFor, type RequestLogEntry, type ResourceRoute } from './request-log.js';
import { readBody, resolveResourcePath } from './api-request.js';
import { repoRoot } from './cli.js';
import { testCertificates, type TestCertificates } from './certificates.js';
import { kubectlBinary } from './tools.js';

export type { KubeObject, RequestLogEntry };
export { Faults };

/**
 * The emulator's faults, and what only a proxy can do to a connection: reset it, or take a request and never answer.
 * A request met by either stays in the request log with status 0 (no answer).
 */
export class ProxyFaults extends Faults {
  private everyConnectionReset = false;
  private readonly resets = new Set<Matcher>();
  private readonly holds = new Set<Matcher>();

  /** Every new connection is accepted and at once reset (TCP RST), before TLS: an endpoint that resets connections. */
  resetConnections(): RemoveFault {
    this.everyConnectionReset = true;
    return () => (this.everyConnectionReset = false);
  }

  /** A matching request is read, then its connection is reset instead of answered. */
  resetRequests(matcher: Matcher = {}): RemoveFault {
    this.resets.add(matcher);
    return () => this.resets.delete(matcher);
  }

  /** A matching request is read and never answered: no response headers, until its client gives up. */
  holdHeaders(matcher: Matcher = {}): RemoveFault {
    this.holds.add(matcher);
    return () => this.holds.delete(matcher);
  }

  override clear(): void {
    this.everyConnectionReset = false;
    this.resets.clear();
    this.holds.clear();
    super.clear();
  }

  resetsConnections(): boolean {
    return this.everyConnectionReset;
  }

  /** What the proxy does to a request instead of forwarding it, if anything. */
  connectionFault(target: MatchTarget): 'reset' | 'hold' | undefined {
    if ([...this.resets].some((matcher) => matches(matcher, target))) return 'reset';
    if ([...this.holds].some((matcher) => matches(matcher, target))) return 'hold';
    return undefined;
  }
}

/** One TCP connection a client opened to the fault proxy, and how its TLS handshake ended. */
export interface ConnectionLogEntry {
  seq: number;
  /** ISO timestamp of the accept. */
  time: string;
  /** `ok`, `reset` (a resetConnections fault), `closed during the handshake`, or the client's alert as the proxy read it. */
  tls: string;
}
export { isWrite } from './request-log.js';

export interface ControlPlaneOptions {
  /** Port of the API (the fault proxy in front of kube-apiserver) on 127.0.0.1; default 0 = a free port. */
  port?: number;
  /** How long a scheduled Pod takes to become Ready, in ms (default 200); a Pod's readyDelayAnnotation overrides it. */
  readyDelayMs?: number;
  /** Accepted for the emulator's interface: the control plane always serves https with client certificates. */
  tls?: boolean;
  /**
   * How many API servers kube-apiserver is told the cluster has (--apiserver-count, default 1). With more than one,
   * as on an HA control plane, a new CRD is Established 5 s after its names are accepted instead of at once.
   */
  apiServerCount?: number;
}

export interface ControlPlaneStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
}

/** One event of the API server's audit log (JSON lines, level Metadata). */
export interface AuditEvent {
  auditID: string;
  stage: string;
  requestURI: string;
  verb: string;
  user: { username: string; groups?: string[] };
  userAgent?: string;
  objectRef?: {
    resource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
    apiVersion?: string;
    subresource?: string;
  };
  responseStatus?: { code?: number };
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT of the fault proxy, which the kubeconfig names. */
  url: string;
  /** https://127.0.0.1:PORT of kube-apiserver itself. */
  apiServerUrl: string;
  kubeconfigPath: string;
  /** The kubeconfig's context (and cluster and user) name. */
  contextName: string;
  /** KUBECONFIG, KUBECACHEDIR and HELM_{CACHE,CONFIG,DATA}_HOME, each fresh: merge into child process env. */
  env: Record<string, string>;
  /** Every request the tests' clients made (through the proxy), in arrival order; the control plane's own are not here. */
  requests: RequestLogEntry[];
  /** Every connection the tests' clients opened to the proxy, in order: a handshake refused by the client shows here only. */
  connections: ConnectionLogEntry[];
  faults: ProxyFaults;
  /** Objects read from the API server (synchronously, with kubectl), for assertions. */
  store: ControlPlaneStore;
  /** The API server's audit log so far: every request of every client, the controllers' too. */
  audit(): AuditEvent[];
  stop(): Promise<void>;
}

/** On a Pod (set it in a workload's pod template): how long, in ms, the node agent waits before the Pod is Ready. */
export const readyDelayAnnotation = 'node-agent.boutique.dev/ready-delay-ms';

/** The name of the kubeconfig's context, cluster and user, as kind names its own after the cluster. */
export const contextName = 'boutique-test';

/** The user of the tests' client certificate (in system:masters, as kind's admin is). */
const testUser = 'boutique-test';

let binary: string | undefined;
/** The built control plane binary: built by the e2e tier's global setup, or here on first use (npm run cluster). */
export function controlPlaneBinary(): string {
  binary ??= execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-control-plane.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return binary;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One component process; its output goes to DIR/NAME.log, shown when it fails. */
class Component {
  readonly process: ChildProcess;
  exited = false;
  constructor(
    readonly name: string,
    readonly logPath: string,
    args: string[],
  ) {
    const out = openSync(logPath, 'a');
    this.process = spawn(controlPlaneBinary(), [name, ...args], { stdio: ['ignore', out, out] });
    this.process.on('exit', () => (this.exited = true));
  }

  failure(): Error {
    const log = readFileSync(this.logPath, 'utf8').split('\n').slice(-30).join('\n');
    return new Error(
      `${this.name} of the test control plane exited (${this.process.exitCode ?? this.process.signalCode}); the end of its log:\n${log}`,
    );
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    const killer = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

const running = new Set<Component>();
process.once('exit', () => {
  for (const component of running) component.process.kill('SIGKILL');
});

/** Polls until `check` holds; a component that exits meanwhile fails the wait with its log. */
async function waitFor(
  what: string,
  components: Component[],
  check: () => Promise<boolean>,
  withinMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const dead = components.find((component) => component.exited);
    if (dead) throw dead.failure();
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`the test control plane: timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** A request to kube-apiserver with the harness's own token; resolves to the status and body. */
function apiRequest(
  base: string,
  ca: Buffer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${base}${path}`,
      {
        method,
        ca,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function kubeconfig(server: string, ca: Buffer, user: Record<string, string>): string {
  const base64 = (pem: Buffer) => pem.toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: contextName, cluster: { server, 'certificate-authority-data': base64(ca) } }],
    users: [{ name: contextName, user }],
    contexts: [{ name: contextName, context: { cluster: contextName, user: contextName, namespace: 'default' } }],
    'current-context': contextName,
  });
}

/** The kubeconfig the tests' clients use: the proxy's address and the admin's client certificate, inline as kind writes it. */
export function clientKubeconfig(server: string, tls: TestCertificates): string {
  return kubeconfig(server, tls.ca, {
    'client-certificate-data': tls.clientCert.toString('base64'),
    'client-key-data': tls.clientKey.toString('base64'),
  });
}

const auditPolicy = stringify({
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata' }],
});

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-control-plane-'));
  const file = (name: string, content?: string | Buffer) => {
    const path = join(dir, name);
    if (content !== undefined) writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const tls = testCertificates();
  execFileSync('openssl', ['genrsa', '-out', file('service-account.key'), '2048'], { stdio: 'pipe' });
  execFileSync('openssl', ['rsa', '-in', file('service-account.key'), '-pubout', '-out', file('service-account.pub')], {
    stdio: 'pipe',
  });
  file('ca.pem', tls.ca);
  file('server.pem', tls.serverCert);
  file('server.key', tls.serverKey);
  // Static tokens for the control plane's own components and for the harness's reads, so the audit log tells them apart.
  const tokens = Object.fromEntries(
    ['controller-manager', 'scheduler', 'node-agent', 'harness'].map((name) => [
      name,
      `${name}-${Math.random().toString(36).slice(2)}`,
    ]),
  );
  file(
    'tokens.csv',
    Object.entries(tokens)
      .map(([name, token]) => `${token},system:${name},${name},system:masters\n`)
      .join(''),
  );
  file('audit-policy.yaml', auditPolicy);

  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const apiServerUrl = `https://127.0.0.1:${apiPort}`;
  const componentConfig = (name: string) =>
    file(`${name}.kubeconfig`, kubeconfig(apiServerUrl, tls.ca, { token: tokens[name]! }));
  const components: Component[] = [];
  const start = (name: string, args: string[]) => {
    const component = new Component(name, join(dir, `${name}.log`), args);
    components.push(component);
    running.add(component);
    return component;
  };
  const stopAll = async () => {
    for (const component of [...components].reverse()) {
      await component.stop();
      running.delete(component);
    }
  };

  let proxy: Server | undefined;
  let holdServer: Server | undefined;
  try {
    const etcd = start('etcd', [
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client',
      `http://127.0.0.1:${etcdPort}`,
      '--listen-peer',
      `http://127.0.0.1:${etcdPeerPort}`,
    ]);
    await waitFor(
      'etcd',
      [etcd],
      () =>
        new Promise((resolve) => {
          httpRequest(`http://127.0.0.1:${etcdPort}/health`, (response) => {
            response.resume();
            resolve(response.statusCode === 200);
          })
            .on('error', () => resolve(false))
            .end();
        }),
    );

    const apiServer = start('kube-apiserver', [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${file('server.pem')}`,
      `--tls-private-key-file=${file('server.key')}`,
      `--client-ca-file=${file('ca.pem')}`,
      `--token-auth-file=${file('tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.96.0.0/16',
      `--service-account-issuer=${apiServerUrl}`,
      `--service-account-key-file=${file('service-account.pub')}`,
      `--service-account-signing-key-file=${file('service-account.key')}`,
      `--audit-policy-file=${file('audit-policy.yaml')}`,
      `--audit-log-path=${join(dir, 'audit.log')}`,
      '--audit-log-format=json',
      '--audit-log-mode=blocking',
      '--audit-log-maxsize=0',
      '--profiling=false',
      `--cert-dir=${join(dir, 'apiserver-certs')}`,
      `--apiserver-count=${options.apiServerCount ?? 1}`,
    ]);
    const api = (method: string, path: string, body?: unknown) =>
      apiRequest(apiServerUrl, tls.ca, tokens.harness!, method, path, body);
    await waitFor(
      'kube-apiserver /readyz',
      [etcd, apiServer],
      async () => (await api('GET', '/readyz')).status === 200,
    );

    // The node agent asks here whether a Pod (with its owners), a PVC or a Service is held back by a neverReady fault.
    const faults = new ProxyFaults();
    holdServer = createServer((request, response) => {
      void readBody(request).then((body) => {
        let hold: boolean;
        try {
          hold = faults.isNeverReady(JSON.parse(body.toString('utf8')) as KubeObject);
        } catch {
          hold = false;
        }
        response.end(hold ? 'hold' : 'go');
      });
    });
    await new Promise<void>((resolve) => holdServer!.listen(0, '127.0.0.1', resolve));
    const holdUrl = `http://127.0.0.1:${(holdServer.address() as AddressInfo).port}/hold`;

    const controllers = start('kube-controller-manager', [
      `--kubeconfig=${componentConfig('controller-manager')}`,
      '--leader-elect=false',
      '--secure-port=0',
      // No kubelet posts Node status: the node agent's Nodes stay Ready without the lifecycle controller's heartbeat checks.
      '--controllers=*,-node-lifecycle-controller,-node-ipam-controller',
      `--service-account-private-key-file=${file('service-account.key')}`,
      `--root-ca-file=${file('ca.pem')}`,
      '--use-service-account-credentials=false',
      '--concurrent-deployment-syncs=10',
      '--concurrent-replicaset-syncs=10',
    ]);
    const scheduler = start('kube-scheduler', [
      `--kubeconfig=${componentConfig('scheduler')}`,
      '--leader-elect=false',
      '--secure-port=0',
    ]);
    const agent = start('node-agent', [
      `--kubeconfig=${componentConfig('node-agent')}`,
      `--ready-delay=${options.readyDelayMs ?? 200}ms`,
      `--hold-url=${holdUrl}`,
    ]);
    const all = [etcd, apiServer, controllers, scheduler, agent];
    // PVCs without a class get this one, as kind's "standard"; the node agent provisions their volumes.
    const storageClass = {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'node-agent.boutique.dev/hostpath',
      volumeBindingMode: 'Immediate',
      reclaimPolicy: 'Delete',
    };
    await waitFor('the default StorageClass', all, async () =>
      [201, 409].includes((await api('POST', '/apis/storage.k8s.io/v1/storageclasses', storageClass)).status),
    );
    await waitFor(
      'the default ServiceAccount',
      all,
      async () => (await api('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    );
    await waitFor(
      'Ready nodes',
      all,
      async () => (JSON.parse((await api('GET', '/api/v1/nodes')).body).items ?? []).length > 0,
    );

    // The fault proxy: every request of the tests' clients, logged in arrival order, faulted where a test asks.
    const requests: RequestLogEntry[] = [];
    const kinds = new KindResolver(api);
    const upstream = new Agent({ ca: tls.ca, cert: tls.clientCert, key: tls.clientKey, keepAlive: true });
    let sequence = 0;
    const handle = async (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'https://proxy');
      const method = request.method ?? 'GET';
      const route = resolveResourcePath(url.pathname);
      const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
      const entry = logEntryFor(++sequence, request, url, route, watch);
      requests.push(entry);
      response.on('finish', () => (entry.status ||= response.statusCode));
      const body = await readBody(request);
      const kind = route ? await kinds.kindOf(route) : undefined;
      const target: MatchTarget = {
        kind,
        resource: route?.resource,
        namespace: route?.namespace,
        name: route?.name ?? bodyName(body),
        verb: entry.verb,
        dryRun: entry.dryRun,
        path: url.pathname,
      };
      const cut = faults.connectionFault(target);
      if (cut === 'reset') return request.socket.resetAndDestroy();
      if (cut === 'hold') return;
      const injected = faults.forRequest(target);
      if (injected.delayMs > 0) {
        let left = false;
        response.once('close', () => (left = true));
        await sleep(injected.delayMs);
        // A client that gave up (or was killed) meanwhile: its request never reaches the API server, as on a slow link.
        if (left) return;
      }
      const qualified = route ? (route.group ? `${route.resource}.${route.group}` : route.resource) : 'the server';
      if (injected.failure) {
        const { status, retryAfterSeconds } = injected.failure;
        if (retryAfterSeconds !== undefined) {
          return sendStatus(
            response,
            status,
            'ServerTimeout',
            `The ${entry.verb} operation against ${qualified} could not be completed at this time, please try again.`,
            { ...(route ? { kind: route.resource } : {}), retryAfterSeconds },
          );
        }
        const reasons: Record<number, string> = {
          429: 'TooManyRequests',
          500: 'InternalError',
          503: 'ServiceUnavailable',
          504: 'Timeout',
        };
        return sendStatus(
          response,
          status,
          reasons[status] ?? 'InternalError',
          `injected fault: the fault proxy failed this request with ${status} at ${new Date().toISOString()}`,
        );
      }
      if (injected.conflict && route) {
        return sendStatus(
          response,
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${qualified} "${target.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
          {
            name: target.name ?? '',
            ...(route.group ? { group: route.group } : {}),
            kind: route.resource,
          },
        );
      }
      if (injected.rejectWatchList && url.searchParams.get('sendInitialEvents') === 'true') {
        return sendStatus(
          response,
          422,
          'Invalid',
          'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
        );
      }
      const headers = { ...request.headers, host: `127.0.0.1:${apiPort}`, 'audit-id': `${testUser}-${entry.seq}` };
      delete headers.connection;
      const forwarded = httpsRequest(
        { host: '127.0.0.1', port: apiPort, method, path: request.url, headers, agent: upstream },
        (answer) => {
          const answerHeaders = { ...answer.headers };
          delete answerHeaders.connection;
          delete answerHeaders['keep-alive'];
          // A watch's status is known when its stream starts; the stream may end by the client's close, never 'finish'.
          entry.status = answer.statusCode ?? 502;
          response.writeHead(entry.status, answerHeaders);
          // A watch may send no event for a long time: its client must see the headers now, as the API server sends them.
          response.flushHeaders();
          answer.pipe(response);
        },
      );
      forwarded.on('error', (error) =>
        response.headersSent
          ? response.destroy()
          : sendStatus(response, 502, 'InternalError', `fault proxy: ${error.message}`),
      );
      response.on('close', () => forwarded.destroy());
      forwarded.end(body);
    };
    proxy = createTlsServer(
      { cert: tls.serverCert, key: tls.serverKey, ca: tls.ca, requestCert: true, rejectUnauthorized: true },
      (request, response) => {
        handle(request, response).catch((error: Error) =>
          response.headersSent
            ? response.destroy()
            : sendStatus(response, 500, 'InternalError', `fault proxy: ${error.message}`),
        );
      },
    );
    proxy.keepAliveTimeout = 30_000;
    // Each accept, then how its handshake ended; a connection is known by its client's port while it is open.
    const connections: ConnectionLogEntry[] = [];
    const handshaking = new Map<number | undefined, ConnectionLogEntry>();
    const settle = (port: number | undefined, tls: string) => {
      const entry = handshaking.get(port);
      if (entry) entry.tls = tls;
      handshaking.delete(port);
    };
    proxy.on('connection', (socket: Socket) => {
      const entry: ConnectionLogEntry = { seq: connections.length + 1, time: new Date().toISOString(), tls: 'pending' };
      connections.push(entry);
      if (faults.resetsConnections()) {
        entry.tls = 'reset';
        socket.resetAndDestroy();
        return;
      }
      const port = socket.remotePort;
      handshaking.set(port, entry);
      // A client that rejects the proxy's certificate may just close: its handshake never ended.
      socket.once('close', () => settle(port, 'closed during the handshake'));
    });
    proxy.on('secureConnection', (socket: TLSSocket) => settle(socket.remotePort, 'ok'));
    proxy.on('tlsClientError', (error: Error, socket: TLSSocket) => settle(socket.remotePort, error.message));
    await new Promise<void>((resolve, reject) => {
      proxy!.once('error', reject);
      proxy!.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    const kubeconfigPath = file('kubeconfig', clientKubeconfig(url, tls));
    const harnessKubeconfig = file('harness.kubeconfig', kubeconfig(apiServerUrl, tls.ca, { token: tokens.harness! }));
    const env = {
      KUBECONFIG: kubeconfigPath,
      KUBECACHEDIR: join(dir, 'kube-cache'),
      HELM_CACHE_HOME: join(dir, 'helm-cache'),
      HELM_CONFIG_HOME: join(dir, 'helm-config'),
      HELM_DATA_HOME: join(dir, 'helm-data'),
    };
    const store = new KubectlStore(harnessKubeconfig, kinds);
    const openProxy = proxy;
    const openHold = holdServer;
    return {
      url,
      apiServerUrl,
      kubeconfigPath,
      contextName,
      env,
      requests,
      connections,
      faults,
      store,
      audit: () => readAudit(join(dir, 'audit.log')),
      async stop() {
        // Idempotent: a file's afterEach may stop a control plane an earlier test already stopped.
        if (!openProxy.listening) return;
        openProxy.closeAllConnections();
        await new Promise<void>((resolve) => openProxy.close(() => resolve()));
        upstream.destroy();
        await stopAll();
        openHold.closeAllConnections();
        await new Promise<void>((resolve) => openHold.close(() => resolve()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    proxy?.close();
    holdServer?.close();
    await stopAll();
    throw error;
  }
}

function readAudit(path: string): AuditEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
}

/** A create names its object in the body only. */
function bodyName(body: Buffer): string | undefined {
  if (body.length === 0 || body[0] !== 0x7b) return undefined;
  try {
    const name = (JSON.parse(body.toString('utf8')) as { metadata?: { name?: unknown } }).metadata?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function sendStatus(
  response: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  const retryAfter = details?.retryAfterSeconds;
  const payload = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...(retryAfter ? { 'Retry-After': String(retryAfter) } : {}),
  });
  response.end(payload);
}

interface ServedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** Kinds and resources as the API server's discovery serves them, asked again when a CRD adds one. */
class KindResolver {
  private served: ServedResource[] = [];
  constructor(private readonly api: (method: string, path: string) => Promise<{ status: number; body: string }>) {}

  async kindOf(route: ResourceRoute): Promise<string | undefined> {
    const find = () =>
      this.served.find(
        (entry) => entry.group === route.group && entry.version === route.version && entry.resource === route.resource,
      )?.kind;
    if (!find()) await this.refresh();
    return find();
  }

  async refresh(): Promise<void> {
    const paths = ['/api/v1'];
    const groups = JSON.parse((await this.api('GET', '/apis')).body) as {
      groups: { versions: { groupVersion: string }[] }[];
    };
    for (const group of groups.groups)
      for (const version of group.versions) paths.push(`/apis/${version.groupVersion}`);
    const served: ServedResource[] = [];
    for (const path of paths) {
      const list = JSON.parse((await this.api('GET', path)).body) as {
        groupVersion: string;
        resources?: { name: string; kind: string; namespaced: boolean }[];
      };
      const [group, version] = list.groupVersion.includes('/') ? list.groupVersion.split('/') : ['', list.groupVersion];
      for (const resource of list.resources ?? []) {
        if (!resource.name.includes('/'))
          served.push({
            group: group!,
            version: version!,
            resource: resource.name,
            kind: resource.kind,
            namespaced: resource.namespaced,
          });
      }
    }
    this.served = served;
  }

  /** Synchronous, for the store: the resource of apiVersion+kind, asking kubectl for discovery when not known yet. */
  resourceOf(apiVersion: string, kind: string, kubeconfigPath: string): ServedResource {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const find = () =>
      this.served.find((entry) => entry.group === group && entry.version === version && entry.kind === kind);
    if (!find()) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      const list = JSON.parse(
        execFileSync(kubectlBinary(), ['--kubeconfig', kubeconfigPath, 'get', '--raw', path], { encoding: 'utf8' }),
      ) as { resources?: { name: string; kind: string; namespaced: boolean }[] };
      for (const resource of list.resources ?? []) {
        if (!resource.name.includes('/'))
          this.served.push({
            group: group!,
            version: version!,
            resource: resource.name,
            kind: resource.kind,
            namespaced: resource.namespaced,
          });
      }
    }
    const served = find();
    if (!served) throw new Error(`the control plane does not serve ${apiVersion} ${kind}`);
    return served;
  }
}

/** Reads objects from the API server with kubectl, synchronously, as the emulator's in-memory store answered. */
class KubectlStore implements ControlPlaneStore {
  constructor(
    private readonly kubeconfigPath: string,
    private readonly kinds: KindResolver,
  ) {}

  private path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): string {
    const served = this.kinds.resourceOf(apiVersion, kind, this.kubeconfigPath);
    const base = served.group ? `/apis/${served.group}/${served.version}` : `/api/${served.version}`;
    const scope = served.namespaced && namespace !== undefined ? `/namespaces/${namespace}` : '';
    return `${base}${scope}/${served.resource}${name === undefined ? '' : `/${name}`}`;
  }

  private raw(path: string): string | undefined {
    try {
      return execFileSync(kubectlBinary(), ['--kubeconfig', this.kubeconfigPath, 'get', '--raw', path], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      if (/NotFound|not found/.test(String((error as { stderr?: string }).stderr))) return undefined;
      throw error;
    }
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const text = this.raw(this.path(apiVersion, kind, namespace, name));
    return text === undefined ? undefined : (JSON.parse(text) as KubeObject);
  }

  list(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const text = this.raw(this.path(apiVersion, kind, namespace));
    if (text === undefined) return [];
    // A list's items carry no apiVersion and kind; the emulator's store returned whole objects.
    return ((JSON.parse(text) as { items: KubeObject[] }).items ?? []).map((item) => ({ ...item, apiVersion, kind }));
  }
}

/** One kubeconfig with a context (and cluster and user) per control plane, named by the keys; the first is current. */
export function mergedKubeconfig(clusters: Record<string, ControlPlane>): string {
  const names = Object.keys(clusters);
  const entries = names.map((name) => {
    const config = parse(readFileSync(clusters[name]!.kubeconfigPath, 'utf8')) as {
      clusters: { cluster: unknown }[];
      users: { user: unknown }[];
    };
    return { name, cluster: config.clusters[0]!.cluster, user: config.users[0]!.user };
  });
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map(({ name, cluster }) => ({ name, cluster })),
    users: entries.map(({ name, user }) => ({ name, user })),
    contexts: names.map((name) => ({ name, context: { cluster: name, user: name } })),
    'current-context': names[0],
  });
}

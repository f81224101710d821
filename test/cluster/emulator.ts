/**
 * A Kubernetes API emulator for tests: real helm and kubectl talk to it over HTTP on 127.0.0.1. It is a test
 * harness (issue 5), never a cluster for users. Start one per test file with startEmulator() and merge
 * `emulator.env` into the environment of helm/kubectl child processes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { testCertificates, type TestCertificates } from '../support/certificates.js';
import { Faults } from './faults.js';
import { TypeRegistry, type KubeObject } from './kinds.js';
import type { RequestLogEntry } from './request-log.js';
import { ResourceService } from './resources.js';
import { ApiServer } from './server.js';
import { StatusSimulator } from './simulator.js';
import { ObjectStore } from './store.js';
import { WatchHub } from './watch.js';

export type { Matcher, FailRequestsOptions, RemoveFault } from './faults.js';
export type { KubeObject } from './kinds.js';
export type { RequestLogEntry, Verb } from './request-log.js';
export { isWrite } from './request-log.js';
export { readyDelayAnnotation } from './simulator.js';
export { Faults };

export interface EmulatorOptions {
  /** Port on 127.0.0.1; default 0 = a random free port. */
  port?: number;
  /** Default delay before a workload becomes ready, in ms (default 200). Override per object with the readyDelayAnnotation. */
  readyDelayMs?: number;
  /**
   * Serve https, as every real cluster does, and require a client certificate signed by the emulator's CA; the
   * kubeconfig carries the CA, the certificate and its key inline, as kind's does.
   */
  tls?: boolean;
}

export interface EmulatorStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
}

export interface Emulator {
  /** http://127.0.0.1:PORT, or https:// with `tls` */
  url: string;
  /** Written in a fresh temp dir; context "emulator", namespace default. */
  kubeconfigPath: string;
  /** KUBECONFIG, KUBECACHEDIR and HELM_{CACHE,CONFIG,DATA}_HOME, each fresh: merge into child process env. */
  env: Record<string, string>;
  /** Every request in arrival order. */
  requests: RequestLogEntry[];
  faults: Faults;
  /** Direct state access for assertions and setup, without HTTP. */
  store: EmulatorStore;
  stop(): Promise<void>;
}

/** Namespaces every cluster starts with. */
const initialNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function kubeconfigFor(url: string, tls?: TestCertificates): string {
  const base64 = (pem: Buffer) => pem.toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'emulator', cluster: { server: url, ...(tls && { 'certificate-authority-data': base64(tls.ca) }) } }],
    users: [{ name: 'emulator', user: tls ? { 'client-certificate-data': base64(tls.clientCert), 'client-key-data': base64(tls.clientKey) } : {} }],
    contexts: [{ name: 'emulator', context: { cluster: 'emulator', user: 'emulator', namespace: 'default' } }],
    'current-context': 'emulator',
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const registry = new TypeRegistry();
  const store = new ObjectStore();
  const resources = new ResourceService(store, registry);
  const faults = new Faults();
  const watches = new WatchHub(store);
  const requests: RequestLogEntry[] = [];
  const simulator = new StatusSimulator(resources, store, faults, options.readyDelayMs ?? 200);
  simulator.start();
  const namespaces = registry.byKind('v1', 'Namespace')!;
  for (const name of initialNamespaces) {
    resources.create(namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false, manager: '' });
  }

  const api = new ApiServer({ resources, watches, faults, log: requests });
  const tls = options.tls ? testCertificates() : undefined;
  const handle = (request: Parameters<ApiServer['handle']>[0], response: Parameters<ApiServer['handle']>[1]) => void api.handle(request, response);
  const server: Server = tls
    ? createTlsServer({ cert: tls.serverCert, key: tls.serverKey, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, handle)
    : createServer(handle);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const home = await mkdtemp(join(tmpdir(), 'boutique-emulator-'));
  const kubeconfigPath = join(home, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigFor(url, tls), { mode: 0o600 });
  const env = {
    KUBECONFIG: kubeconfigPath,
    KUBECACHEDIR: join(home, 'kube-cache'),
    HELM_CACHE_HOME: join(home, 'helm-cache'),
    HELM_CONFIG_HOME: join(home, 'helm-config'),
    HELM_DATA_HOME: join(home, 'helm-data'),
  };

  const typeOf = (apiVersion: string, kind: string) => {
    const type = registry.byKind(apiVersion, kind);
    if (!type) throw new Error(`the emulator does not serve ${apiVersion} ${kind}`);
    return type;
  };

  return {
    url,
    kubeconfigPath,
    env,
    requests,
    faults,
    store: {
      get: (apiVersion, kind, namespace, name) => store.get(typeOf(apiVersion, kind), namespace, name),
      list: (apiVersion, kind, namespace) => store.list(typeOf(apiVersion, kind), namespace),
    },
    async stop() {
      simulator.stop();
      watches.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(home, { recursive: true, force: true });
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCertificates, type TestCertificates } from '../../test/support/certificates.js';
import type { KubeObject } from '../kube/objects.js';
import type { DirectAccess } from '../tools/kubeconfig.js';
import { DirectKubectl, KubeApi } from './kube-api.js';
import type { Kubectl, RecordLabels } from './kubectl.js';

type Handler = (
  request: IncomingMessage,
  url: URL,
) => { status: number; body: unknown; headers?: Record<string, string> };
const requests: string[] = [];
let handler: Handler;
let server: ReturnType<typeof createServer>;
let pem: TestCertificates;
let access: DirectAccess;

beforeAll(async () => {
  pem = testCertificates();
  server = createServer(
    { cert: pem.serverCert, key: pem.serverKey, ca: pem.ca, requestCert: true, rejectUnauthorized: true },
    (request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url!, 'https://127.0.0.1');
      requests.push(`${url.pathname}${url.search}`);
      const { status, body, headers = {} } = handler(request, url);
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  access = {
    server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: pem.ca,
    cert: pem.clientCert,
    key: pem.clientKey,
    insecureSkipTlsVerify: false,
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const secret = (name: string): KubeObject =>
  ({ metadata: { name, labels: { owner: 'helm' } }, type: 'helm.sh/release.v1' }) as unknown as KubeObject;
const notFromKubectl = new Proxy({} as Kubectl, {
  get: (_target, method) => () => Promise.reject(new Error(`kubectl ${String(method)} was asked`)),
});
const kubectlAnswering = (items: KubeObject[]) =>
  ({ ...notFromKubectl, helmStorage: async () => items, listKinds: async () => items }) as Kubectl;

describe('KubeApi: reads from this process, as kubectl would make them', () => {
  it('lists helm records over TLS with a client certificate, page by page, each item with its kind', async () => {
    requests.length = 0;
    handler = (_request, url) =>
      url.searchParams.get('continue')
        ? { status: 200, body: { items: [secret('sh.helm.release.v1.b.v1')], metadata: {} } }
        : { status: 200, body: { items: [secret('sh.helm.release.v1.a.v2')], metadata: { continue: 'page-2' } } };
    const records = await new DirectKubectl(new KubeApi(access), notFromKubectl).helmStorage('shop', 'secrets');
    expect(records.map((record) => [record.kind, record.apiVersion, record.metadata.name])).toEqual([
      ['Secret', 'v1', 'sh.helm.release.v1.a.v2'],
      ['Secret', 'v1', 'sh.helm.release.v1.b.v1'],
    ]);
    expect(requests).toEqual([
      '/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm%2Cstatus%21%3Dsuperseded&limit=500',
      '/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm%2Cstatus%21%3Dsuperseded&limit=500&continue=page-2',
    ]);
  });

  it('lists live objects by the resource discovery names for each kind, cluster-scoped ones at the cluster', async () => {
    requests.length = 0;
    handler = (_request, url) => {
      if (url.pathname === '/apis/example.com/v1')
        return {
          status: 200,
          body: {
            resources: [
              { name: 'widgets', kind: 'Widget', namespaced: true },
              { name: 'widgets/status', kind: 'Widget', namespaced: true },
              { name: 'gadgets', kind: 'Gadget', namespaced: false },
            ],
          },
        };
      return { status: 200, body: { items: [{ metadata: { name: url.pathname.split('/').at(-1) } }] } };
    };
    const live = await new DirectKubectl(new KubeApi(access), notFromKubectl).listKinds({
      shop: ['Gadget.v1.example.com', 'Widget.v1.example.com'],
    });
    expect(live.map((obj) => `${obj.apiVersion} ${obj.kind} ${obj.metadata.name}`)).toEqual([
      'example.com/v1 Gadget gadgets',
      'example.com/v1 Widget widgets',
    ]);
    expect(requests.filter((path) => path.includes('labelSelector'))).toEqual([
      '/apis/example.com/v1/gadgets?labelSelector=owner%21%3Dhelm&limit=500',
      '/apis/example.com/v1/namespaces/shop/widgets?labelSelector=owner%21%3Dhelm&limit=500',
    ]);
  });

  it('tries a 5xx again after its Retry-After, counting the retry', async () => {
    let answered = 0;
    handler = () =>
      answered++ === 0
        ? { status: 500, body: { reason: 'ServerTimeout' }, headers: { 'Retry-After': '1' } }
        : { status: 200, body: { items: [] } };
    let retries = 0;
    const api = new KubeApi(access, { onRetry: () => retries++ });
    const started = Date.now();
    expect(await new DirectKubectl(api, notFromKubectl).helmStorage('shop', 'configmaps')).toEqual([]);
    expect([answered, retries]).toEqual([2, 1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("leaves a refusal, and a certificate judged by the system's trust store, to kubectl, which says why in its own words", async () => {
    const fromKubectl = [secret('from-kubectl')];
    handler = () => ({ status: 403, body: { kind: 'Status', reason: 'Forbidden' } });
    expect(
      await new DirectKubectl(new KubeApi(access), kubectlAnswering(fromKubectl)).helmStorage('shop', 'secrets'),
    ).toBe(fromKubectl);
    handler = () => ({ status: 200, body: { items: [] } });
    // No CA in the kubeconfig: Go reads the system's trust store, which is not Node's.
    const systemRoots = { ...access, ca: undefined };
    expect(
      await new DirectKubectl(new KubeApi(systemRoots), kubectlAnswering(fromKubectl)).helmStorage('shop', 'secrets'),
    ).toBe(fromKubectl);
    const noClientCert = { ...access, cert: undefined, key: undefined };
    expect(
      await new DirectKubectl(new KubeApi(noClientCert), kubectlAnswering(fromKubectl)).helmStorage('shop', 'secrets'),
    ).toBe(fromKubectl);
  });

  it('fails at once, and never through kubectl, when the CA the kubeconfig names does not trust the server', async () => {
    requests.length = 0;
    handler = () => ({ status: 200, body: { items: [] } });
    const api = new KubeApi({ ...access, ca: pem.clientCert });
    const reads = [
      new DirectKubectl(api, notFromKubectl).helmStorage('shop', 'secrets'),
      new DirectKubectl(api, notFromKubectl).helmStorage('web', 'secrets'),
    ];
    for (const read of reads)
      await expect(read).rejects.toThrow(
        /^cannot reach the cluster of the current context: GET https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/shop\/secrets\S*: the server's certificate is not trusted by the certificate authority of the kubeconfig: /,
      );
    expect(requests).toEqual([]);
  });

  it('lists no live objects of a kind the server does not serve (its CRD deleted), as kubectl then does', async () => {
    handler = () => ({ status: 200, body: { resources: [] } });
    expect(
      await new DirectKubectl(new KubeApi(access), kubectlAnswering([secret('from-kubectl')])).listKinds({
        shop: ['Widget.v1.example.com'],
      }),
    ).toEqual([]);
  });

  it("writes the lock's Lease: created, 'exists' on AlreadyExists, replaced, 'conflict' on Conflict, deleted", async () => {
    requests.length = 0;
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lock', namespace: 'ops' },
    } as KubeObject;
    const answers: Array<{ status: number; body: unknown }> = [
      { status: 201, body: lease },
      { status: 409, body: { kind: 'Status', reason: 'AlreadyExists' } },
      { status: 200, body: lease },
      { status: 409, body: { kind: 'Status', reason: 'Conflict' } },
      { status: 404, body: { kind: 'Status', reason: 'NotFound' } },
    ];
    handler = (request, url) => {
      if (url.pathname === '/apis/coordination.k8s.io/v1')
        return { status: 200, body: { resources: [{ name: 'leases', kind: 'Lease', namespaced: true }] } };
      requests[requests.length - 1] = `${request.method} ${url.pathname}`;
      return answers.shift()!;
    };
    const kubectl = new DirectKubectl(new KubeApi(access), notFromKubectl);
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'ops', name: 'lock' };
    expect(await kubectl.createObject(lease)).toEqual(lease);
    expect(await kubectl.createObject(lease)).toBe('exists');
    expect(await kubectl.replaceObject(lease)).toEqual(lease);
    expect(await kubectl.replaceObject(lease)).toBe('conflict');
    expect(await kubectl.getObject(ref)).toBeUndefined();
    expect(requests.filter((line) => line.includes(' '))).toEqual([
      'POST /apis/coordination.k8s.io/v1/namespaces/ops/leases',
      'POST /apis/coordination.k8s.io/v1/namespaces/ops/leases',
      'PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/lock',
      'PUT /apis/coordination.k8s.io/v1/namespaces/ops/leases/lock',
      'GET /apis/coordination.k8s.io/v1/namespaces/ops/leases/lock',
    ]);
  });

  it('reports a refused write as kubectl reports it, without sending it again through kubectl', async () => {
    handler = (_request, url) =>
      url.pathname === '/apis/coordination.k8s.io/v1'
        ? { status: 200, body: { resources: [{ name: 'leases', kind: 'Lease', namespaced: true }] } }
        : {
            status: 404,
            body: {
              kind: 'Status',
              status: 'Failure',
              reason: 'NotFound',
              message: 'namespaces "locks" not found',
              code: 404,
            },
          };
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'lock', namespace: 'locks' },
    } as KubeObject;
    await expect(new DirectKubectl(new KubeApi(access), notFromKubectl).createObject(lease)).rejects.toThrow(
      /^Error from server \(NotFound\): namespaces "locks" not found$/,
    );
  });

  it("watches helm's records from the resourceVersion of a list, handing over each record's labels", async () => {
    requests.length = 0;
    handler = () => ({ status: 200, body: { metadata: { resourceVersion: '42' }, items: [] } });
    const watchServer = server.listeners('request')[0] as (request: IncomingMessage, response: ServerResponse) => void;
    server.removeAllListeners('request');
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (!request.url!.includes('watch=1')) return watchServer(request, response);
      requests.push(request.url!);
      const event = (status: string, version: number) =>
        JSON.stringify({
          type: 'MODIFIED',
          object: {
            metadata: {
              name: `sh.helm.release.v1.web.v${version}`,
              labels: { name: 'web', owner: 'helm', status, version: String(version) },
            },
          },
        });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write(`${event('pending-upgrade', 3)}\nnot an event\n${event('deployed', 3).slice(0, 20)}`);
      response.end(`${event('deployed', 3).slice(20)}\n`);
    });
    const seen: RecordLabels[] = [];
    try {
      const stream = await new DirectKubectl(new KubeApi(access), notFromKubectl).watchHelmRecords(
        'shop',
        'secrets',
        (record) => seen.push(record),
      );
      await stream.ended;
    } finally {
      server.removeAllListeners('request');
      server.on('request', watchServer);
    }
    expect(seen).toEqual([
      { name: 'web', status: 'pending-upgrade', revision: 3 },
      { name: 'web', status: 'deployed', revision: 3 },
    ]);
    expect(requests).toEqual([
      '/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm&limit=1',
      '/api/v1/namespaces/shop/secrets?labelSelector=owner%3Dhelm&resourceVersion=42&timeoutSeconds=21600&watch=1',
    ]);
  });

  it('sends a bearer token and reads the server version', async () => {
    let authorization: string | undefined;
    handler = (request) => (
      (authorization = request.headers.authorization),
      { status: 200, body: { gitVersion: 'v1.35.0' } }
    );
    expect(await new KubeApi({ ...access, token: () => 'abc' }).serverVersion()).toBe('v1.35.0');
    expect(authorization).toBe('Bearer abc');
  });
});

import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterUnreachableError } from '../errors.js';
import type { DirectAccess } from '../tools/kubeconfig.js';
import { DirectKubectl, KubeApi, shownUrl } from './kube-api.js';
import type { Kubectl } from './kubectl.js';

const notFromKubectl = new Proxy({} as Kubectl, {
  get: (_target, method) => () => Promise.reject(new Error(`kubectl ${String(method)} was asked`)),
});

const servers: (Server | TcpServer)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A TCP server on loopback that does `onSocket` with each connection: withhold its answer, reset it. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<string> {
  const server = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const access = (server: string, extra: Partial<DirectAccess> = {}): DirectAccess => ({
  server,
  insecureSkipTlsVerify: false,
  ...extra,
});

describe('KubeApi: every wait has a bound, and a server that cannot be reached fails once, not through kubectl', () => {
  it('fails a read within its bound when the server holds back its answer, and never asks kubectl', async () => {
    const silent: Socket[] = [];
    const address = await tcpServer((socket) => silent.push(socket));
    const retries: string[] = [];
    const kubectl = new DirectKubectl(
      new KubeApi(access(`http://${address}`), { onRetry: (_delay, why) => retries.push(why) }),
      notFromKubectl,
    );
    const error = await kubectl.helmStorage('shop', 'secrets').catch((failure: Error) => failure);
    for (const socket of silent) socket.destroy();
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(
      /^cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/shop\/secrets\?\S+: no answer within 10 s$/,
    );
    expect(retries).toEqual([]);
  }, 20_000);

  it('tries a reset connection again in its one retry loop, then fails with one clear message', async () => {
    let connections = 0;
    const address = await tcpServer((socket) => {
      connections++;
      socket.on('data', () => socket.resetAndDestroy());
    });
    const retries: string[] = [];
    const kubectl = new DirectKubectl(
      new KubeApi(access(`http://${address}`), { onRetry: (_delay, why) => retries.push(why) }),
      notFromKubectl,
    );
    const error = await kubectl.helmStorage('shop', 'secrets').catch((failure: Error) => failure);
    expect(error).toBeInstanceOf(ClusterUnreachableError);
    expect((error as Error).message).toMatch(
      /^cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:\d+\/\S+: the server reset the connection$/,
    );
    expect(retries).toHaveLength(4);
    expect(connections).toBe(5);
  }, 20_000);

  it('gives up a watch whose server holds back its answer: the run confirms its writes by reading instead', async () => {
    const silent: Socket[] = [];
    const address = await tcpServer((socket) =>
      socket.on('data', (chunk: Buffer) => {
        // The list before the watch is answered; the watch itself never is.
        if (chunk.toString().includes('watch=1')) return void silent.push(socket);
        const body = JSON.stringify({ metadata: { resourceVersion: '7' }, items: [] });
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
      }),
    );
    const kubectl = new DirectKubectl(new KubeApi(access(`http://${address}`)), notFromKubectl);
    await expect(kubectl.watchHelmRecords('shop', 'secrets', () => undefined)).rejects.toThrow(
      /^cannot reach the cluster of the current context: GET \S+watch=1: no answer within 10 s$/,
    );
    for (const socket of silent) socket.destroy();
  }, 20_000);
});

describe('KubeApi: credentials as kubectl handles them', () => {
  const seen: { authorization?: string }[] = [];
  const httpServer = async () => {
    const server = createHttpServer((request, response) => {
      seen.push({ authorization: request.headers.authorization });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ gitVersion: 'v1.35.0' }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('sends no bearer token to a plain http:// server, as kubectl v1.35 sends none', async () => {
    seen.length = 0;
    const address = await httpServer();
    expect(await new KubeApi(access(`http://${address}`, { token: () => 'sentinel-token-7f3a' })).serverVersion()).toBe(
      'v1.35.0',
    );
    expect(seen).toEqual([{ authorization: undefined }]);
  });

  it('never prints credentials a server URL carries, in --debug lines or in errors', async () => {
    const traced: string[] = [];
    const address = await tcpServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const api = new KubeApi(access(`http://admin:sentinel-pass-91c@${address}`), {
      trace: (line) => traced.push(line),
      onRetry: (_delay, why) => traced.push(why),
    });
    const error = await new DirectKubectl(api, notFromKubectl, (line) => traced.push(line))
      .helmStorage('shop', 'secrets')
      .catch((failure: Error) => failure);
    expect(traced.length).toBeGreaterThan(4);
    expect(
      [...traced, (error as Error).message].filter(
        (line) => line.includes('sentinel-pass-91c') || line.includes('admin'),
      ),
    ).toEqual([]);
    expect(shownUrl('https://admin:sentinel-pass-91c@example.com:6443/api')).toBe('https://***@example.com:6443/api');
  }, 20_000);
});

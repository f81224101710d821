import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:https';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCertificates } from '../support/certificates.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { helmBinary, kubectlBinary } from '../support/tools.js';
import { kubeconfigFor } from '../support/kubeconfig.js';

// Each sync must fail well within this: the bound is a guard against a hang, not a measure of speed.
const HANG_GUARD_MS = 20_000;
const selection = ['-l', 'name=cartservice', '--include-needs'];

const servers: { close(done: () => void): unknown }[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A TCP server on loopback that does `onSocket` with every connection. */
async function tcpServer(onSocket: (socket: Socket) => void): Promise<string> {
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A sync of the shipped system against `server`, with --debug so every try shows. */
async function syncAgainst(server: string, token?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-unreachable-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    token ? kubeconfigFor(server).replace(/user: \{\}/, `user:\n      token: ${token}`) : kubeconfigFor(server),
  );
  const system = copyShippedSystem();
  const env = {
    KUBECONFIG: join(dir, 'kubeconfig'),
    KUBECACHEDIR: join(dir, 'cache'),
    BOUTIQUE_KUBECTL: kubectlBinary(),
    BOUTIQUE_HELM: helmBinary(),
  };
  return boutique(['sync', ...selection, '--debug', '-o', 'json'], { cwd: system.dir, env });
}

const errorsOf = (stdout: string) => (JSON.parse(stdout) as { errors: { code: string; message: string }[] }).errors;

describe('a sync against an API server that cannot be reached fails within seconds, with one clear message', () => {
  it(
    'when the server accepts connections and resets them',
    async () => {
      const result = await syncAgainst(await tcpServer((socket) => socket.on('data', () => socket.resetAndDestroy())));
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result.stdout)).toEqual([
        {
          code: 'CLUSTER_UNREACHABLE',
          message: expect.stringMatching(
            /^cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:\d+\/\S+: the server reset the connection$/,
          ),
          hints: expect.any(Array),
        },
      ]);
      // boutique's one retry loop per request, and no kubectl with a loop of its own around the same request.
      const retries = result.stderr.split('\n').filter((line) => line.startsWith('retrying in '));
      expect(retries.length).toBeGreaterThan(0);
      expect(retries.filter((line) => !line.endsWith('the server reset the connection'))).toEqual([]);
      expect(result.stderr).not.toMatch(/^\$ \S*kubectl (?!version --client)/m);
    },
    HANG_GUARD_MS,
  );

  it(
    'when the server accepts connections and never answers',
    async () => {
      const result = await syncAgainst(await tcpServer(() => undefined));
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result.stdout).map((error) => error.message)).toEqual([
        expect.stringMatching(
          /^cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:\d+\/\S+: no answer within 10 s$/,
        ),
      ]);
      expect(result.stderr).not.toMatch(/^\$ \S*kubectl (?!version --client)/m);
    },
    HANG_GUARD_MS,
  );

  it(
    'when nothing listens',
    async () => {
      const closed = await tcpServer(() => undefined);
      await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
      const result = await syncAgainst(closed);
      expect(result.exitCode).toBe(1);
      expect(errorsOf(result.stdout).map((error) => error.message)).toEqual([
        expect.stringMatching(
          /^cannot reach the cluster of the current context: GET http:\/\/127\.0\.0\.1:\d+\/\S+: the connection was refused$/,
        ),
      ]);
    },
    HANG_GUARD_MS,
  );

  it(
    'when the server certificate is not trusted: kubectl says so, and nothing is tried again',
    async () => {
      const pem = testCertificates();
      const server = createTlsServer({ cert: pem.serverCert, key: pem.serverKey }, (_request, response) =>
        response.writeHead(200).end('{}'),
      );
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const result = await syncAgainst(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, 'sentinel-token');
      expect(result.exitCode).toBe(1);
      expect(
        errorsOf(result.stdout)
          .map((error) => error.message)
          .join('\n'),
      ).toMatch(/x509: certificate signed by unknown authority/);
      expect(result.stderr).not.toMatch(/^retrying in /m);
    },
    HANG_GUARD_MS,
  );
});

import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';

interface Kubeconfig {
  'current-context': string;
  contexts: { name: string; context: { cluster: string; user: string } }[];
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string } }[];
}

/**
 * A JSON merge patch of an API path (an object, or its /status as a controller writes it), as a client sends it:
 * over plain http to the emulator, over https with the kubeconfig's CA and client certificate to a real API server.
 */
export async function mergePatch(
  cluster: { url: string; kubeconfigPath: string },
  path: string,
  body: unknown,
): Promise<void> {
  const payload = JSON.stringify(body);
  const headers = { 'content-type': 'application/merge-patch+json' };
  if (!cluster.url.startsWith('https:')) {
    const response = await fetch(`${cluster.url}${path}`, { method: 'PATCH', headers, body: payload });
    if (!response.ok) throw new Error(`PATCH ${path}: ${response.status} ${await response.text()}`);
    return;
  }
  const config = parse(readFileSync(cluster.kubeconfigPath, 'utf8')) as Kubeconfig;
  const context = config.contexts.find(({ name }) => name === config['current-context'])!.context;
  const server = config.clusters.find(({ name }) => name === context.cluster)!.cluster;
  const user = config.users.find(({ name }) => name === context.user)!.user;
  const decode = (data?: string) => (data ? Buffer.from(data, 'base64') : undefined);
  await new Promise<void>((resolve, reject) => {
    const sent = request(
      `${cluster.url}${path}`,
      {
        method: 'PATCH',
        headers: {
          ...headers,
          'content-length': Buffer.byteLength(payload),
          ...(user.token && { authorization: `Bearer ${user.token}` }),
        },
        ca: decode(server['certificate-authority-data']),
        cert: decode(user['client-certificate-data']),
        key: decode(user['client-key-data']),
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          (response.statusCode ?? 0) < 300
            ? resolve()
            : reject(new Error(`PATCH ${path}: ${response.statusCode} ${text}`)),
        );
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseGoYaml } from '../yaml/go-yaml.js';
import { isRecord } from '../yaml/record.js';

/**
 * How boutique may read the API server itself, without a kubectl process: what client-go would use for the
 * context, where the kubeconfig says nothing that only client-go can do.
 */
export interface DirectAccess {
  server: string;
  /** PEM: the cluster's certificate authority. */
  ca?: Buffer;
  /** PEM: the user's client certificate and key. */
  cert?: Buffer;
  key?: Buffer;
  /** A bearer token; a tokenFile is read on each request, as client-go re-reads it. */
  token?: () => string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
}

/** Either direct access, or why the reads go through kubectl (which then says what is wrong, in its own words). */
export type KubeAccess = { direct: DirectAccess } | { viaKubectl: string };

type Stanza = Record<string, unknown> & { __file: string };

// What client-go does and boutique does not: credentials from plugins or prompts, proxies, impersonation.
const USER_FIELDS_ONLY_KUBECTL_HANDLES = [
  'exec',
  'auth-provider',
  'username',
  'password',
  'as',
  'as-uid',
  'as-groups',
  'as-user-extra',
];
const CLUSTER_FIELDS_ONLY_KUBECTL_HANDLES = ['proxy-url'];
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * The named stanzas of every file, merged as client-go merges a KUBECONFIG list: the first file to name a context,
 * cluster or user wins, and so does the first current-context.
 */
function mergeKubeconfigs(files: readonly string[], read: (path: string) => string) {
  const merged = {
    currentContext: undefined as string | undefined,
    contexts: new Map<string, Stanza>(),
    clusters: new Map<string, Stanza>(),
    users: new Map<string, Stanza>(),
  };
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = parseGoYaml(read(file));
    } catch {
      continue; // a missing or unreadable file is kubectl's to report
    }
    if (!isRecord(parsed)) continue;
    merged.currentContext ??= text(parsed['current-context']);
    for (const [list, field, into] of [
      ['contexts', 'context', merged.contexts],
      ['clusters', 'cluster', merged.clusters],
      ['users', 'user', merged.users],
    ] as const) {
      for (const entry of Array.isArray(parsed[list]) ? parsed[list] : []) {
        const name = isRecord(entry) ? text(entry.name) : undefined;
        if (name && !into.has(name)) into.set(name, { ...(isRecord(entry[field]) ? entry[field] : {}), __file: file });
      }
    }
  }
  return merged;
}

/** The context kubectl uses when none is named: the kubeconfig's current-context (undefined when it has none). */
export function currentContext(
  files: readonly string[],
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): string | undefined {
  return mergeKubeconfigs(files, read).currentContext;
}

/** Loopback addresses never go through a proxy (Go's http.ProxyFromEnvironment). */
const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);

/** What the kubeconfig files give for the context (the current one when none is named). */
export function kubeAccess(
  files: readonly string[],
  context: string | undefined,
  env: NodeJS.ProcessEnv,
  read: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KubeAccess {
  const merged = mergeKubeconfigs(files, read);
  const contextName = context ?? merged.currentContext;
  const chosen = contextName ? merged.contexts.get(contextName) : undefined;
  if (!chosen)
    return { viaKubectl: contextName ? `no context "${contextName}" in the kubeconfig` : 'no current context' };
  const cluster = merged.clusters.get(text(chosen.cluster) ?? '');
  const userName = text(chosen.user);
  const user = userName ? merged.users.get(userName) : { __file: chosen.__file };
  const server = cluster && text(cluster.server);
  if (!cluster || !server) return { viaKubectl: 'the context has no cluster server' };
  if (!user) return { viaKubectl: `no user "${userName}" in the kubeconfig` };
  const unsupported = [
    ...USER_FIELDS_ONLY_KUBECTL_HANDLES.filter((field) => user[field] !== undefined),
    ...CLUSTER_FIELDS_ONLY_KUBECTL_HANDLES.filter((field) => cluster[field] !== undefined),
  ];
  if (unsupported.length > 0) return { viaKubectl: `the kubeconfig uses ${unsupported.join(', ')}` };
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return { viaKubectl: `the server ${server} is not a URL` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { viaKubectl: `the server ${server} is not http or https` };
  const insecure = cluster['insecure-skip-tls-verify'] ?? false;
  // kubectl refuses a kubeconfig whose field has the wrong type: it is left to kubectl to say so.
  if (typeof insecure !== 'boolean') return { viaKubectl: 'insecure-skip-tls-verify is not true or false' };
  // client-go refuses a CA together with insecure-skip-tls-verify; kubectl says so.
  if (
    insecure &&
    (cluster['certificate-authority'] !== undefined || cluster['certificate-authority-data'] !== undefined)
  ) {
    return { viaKubectl: 'insecure-skip-tls-verify is set with a certificate authority' };
  }
  // kubectl asks for a username and password when an https server's user has no credentials: it says so itself.
  const credentials = ['token', 'tokenFile', 'client-certificate', 'client-certificate-data'].some(
    (field) => user[field] !== undefined,
  );
  if (url.protocol === 'https:' && !credentials) return { viaKubectl: 'the kubeconfig user has no credentials' };
  const proxy = PROXY_VARIABLES.find((name) => text(env[name]));
  if (proxy && !isLoopback(url.hostname)) return { viaKubectl: `${proxy} is set` };

  // Inline data wins over a file, as in client-go; a relative file is relative to the kubeconfig that names it.
  const pem = (stanza: Stanza, dataField: string, fileField: string): Buffer | undefined => {
    const data = text(stanza[dataField]);
    if (data) return Buffer.from(data, 'base64');
    const file = text(stanza[fileField]);
    return file ? readFileSync(isAbsolute(file) ? file : resolve(dirname(stanza.__file), file)) : undefined;
  };
  const token = text(user.token);
  const tokenFile = text(user.tokenFile);
  const tokenPath = tokenFile && (isAbsolute(tokenFile) ? tokenFile : resolve(dirname(user.__file), tokenFile));
  try {
    return {
      direct: {
        server: server.replace(/\/+$/, ''),
        ca: pem(cluster, 'certificate-authority-data', 'certificate-authority'),
        cert: pem(user, 'client-certificate-data', 'client-certificate'),
        key: pem(user, 'client-key-data', 'client-key'),
        // As client-go: a tokenFile, read afresh for each request, takes precedence over a token.
        token: tokenPath ? () => readFileSync(tokenPath, 'utf8').trim() : token ? () => token : undefined,
        insecureSkipTlsVerify: insecure,
        tlsServerName: text(cluster['tls-server-name']),
      },
    };
  } catch (error) {
    return { viaKubectl: `a file the kubeconfig names cannot be read (${(error as Error).message})` };
  }
}

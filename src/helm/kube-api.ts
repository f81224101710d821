import type { Agent as HttpAgent, IncomingMessage, RequestOptions } from 'node:http';
import { ApiStatusError, ClusterUnreachableError } from '../errors.js';
import type { KindsByScope, KubeObject } from '../kube/objects.js';
import { withRetries, type LineStream } from '../process/runner.js';
import type { DirectAccess } from '../tools/kubeconfig.js';
import { recordLabels, RUN_RECORDS, type Kubectl, type ObjectRef, type RecordLabels } from './kubectl.js';
import type { StorageDriver } from './records.js';

/** A request the API server refused or could not answer, or one boutique cannot send: kubectl makes it instead, and says why. */
class KubectlFallback extends Error {}

/**
 * A request that got no answer: the connection was refused or reset, or the server said nothing in time. kubectl
 * would meet the same (and retry it for up to a minute on its own): the run fails with this, once.
 */
export class ConnectionFailure extends Error {
  constructor(
    message: string,
    /** A refusal or a reset may be a server restarting: tried again in boutique's one retry loop. Silence is not. */
    readonly retryable: boolean,
    /** What to check, when it is not the context and whether the cluster runs. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** How long a request may wait for the response headers, and then go without a byte of the body. */
export const HEADER_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 30_000;
/** A watch that has said nothing this long is stopped: its writes are then confirmed by reading the records. */
const WATCH_IDLE_MS = 60_000;

/** Node's codes for a TLS handshake that failed, either side's verdict: kubectl says the same in its own words, at once. */
const isTlsVerification = (code: string | undefined) =>
  !!code && (/^ERR_(SSL|TLS)_/.test(code) || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH/.test(code));
/** Of those, this client's verdict on the server's certificate (not an alert the server sent, as for a missing client certificate). */
const isServerUntrusted = (code: string | undefined) => isTlsVerification(code) && !/ALERT/.test(code!);

/** A URL as it may be printed: a user and password in it become ***. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Why a request got no answer, as one line. A certificate Node does not trust is for kubectl to judge when the
 * kubeconfig names no certificate authority (Go reads the system's trust store, Node its own); against the one
 * it names, both trust exactly that, and the verdict is final: never tried again, by boutique or by kubectl.
 */
function connectionFailure(
  error: NodeJS.ErrnoException,
  what: string,
  namedCa: boolean,
): ConnectionFailure | KubectlFallback {
  if (error instanceof ConnectionFailure) return error;
  const code = error.code;
  if (isServerUntrusted(code) && namedCa) {
    return new ConnectionFailure(
      `${what}: the server's certificate is not trusted by the certificate authority of the kubeconfig: ${error.message}`,
      false,
      "check the cluster's certificate-authority(-data) in the kubeconfig, and that the context points at the right server",
    );
  }
  if (isTlsVerification(code)) return new KubectlFallback(`${what}: ${error.message}`);
  if (code === 'ECONNREFUSED') return new ConnectionFailure(`${what}: the connection was refused`, true);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(error.message))
    return new ConnectionFailure(`${what}: the server reset the connection`, true);
  return new ConnectionFailure(`${what}: ${error.message}`, false);
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** One line of a watch; a line that is no JSON event (a proxy's noise) is passed over, not thrown from a stream handler. */
function parseEvent(line: string): { type?: string; object?: KubeObject } | undefined {
  try {
    return line.trim() === '' ? undefined : (JSON.parse(line) as { type?: string; object?: KubeObject });
  } catch {
    return undefined;
  }
}

const reasonOf = (body: unknown) => {
  const status = body as { reason?: string; message?: string } | undefined;
  return typeof status === 'object' && status?.message ? ` ${status.reason ?? ''} ${status.message}` : '';
};

/** The API server's answer to a transient trouble: come back later (429), or it could not answer now (5xx). */
const isTransient = (status: number) => status === 429 || status >= 500;

/**
 * Requests to the API server, as kubectl would send them for the context, made from this process on kept-alive
 * connections: each costs a few milliseconds instead of a kubectl process.
 */
export class KubeApi {
  private agent: HttpAgent | undefined;
  /** Settles once the first request had its answer; rejects with its ConnectionFailure (see afterContact). */
  private contact: Promise<void> | undefined;
  private readonly resourceLists = new Map<string, Promise<ApiResource[]>>();

  constructor(
    private readonly access: DirectAccess,
    private readonly options: {
      trace?: (line: string) => void;
      onRetry?: (delayMs: number, why: string) => void;
      context?: string;
    } = {},
  ) {}

  /** The kube context named for these requests (the current one when undefined), for messages. */
  get context(): string | undefined {
    return this.options.context;
  }

  private async connection(): Promise<{ request: typeof import('node:http').request; agent: HttpAgent }> {
    if (this.access.server.startsWith('https:')) {
      const https = await import('node:https');
      const { ca, cert, key, insecureSkipTlsVerify, tlsServerName } = this.access;
      this.agent ??= new https.Agent({
        keepAlive: true,
        ca,
        cert,
        key,
        rejectUnauthorized: !insecureSkipTlsVerify,
        servername: tlsServerName,
      });
      return { request: https.request, agent: this.agent };
    }
    const http = await import('node:http');
    this.agent ??= new http.Agent({ keepAlive: true });
    return { request: http.request, agent: this.agent };
  }

  /**
   * One request, tried again as the runner tries a read again when the server answers 5xx or 429 (reads, creates
   * and conditional replaces are safe to repeat). Any other answer is returned with its status.
   */
  async request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    options: { query?: Record<string, string>; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    const url = this.url(path, options.query);
    return this.afterContact(() =>
      withRetries(
        () => this.requestOnce(method, url, options.body),
        (outcome) => {
          if ('error' in outcome)
            return outcome.error instanceof ConnectionFailure && outcome.error.retryable
              ? { why: outcome.error.message }
              : undefined;
          return isTransient(outcome.value.status)
            ? {
                why: `${method} ${shownUrl(url)}: ${outcome.value.status}`,
                ...(outcome.value.retryAfterSeconds !== undefined && {
                  waitMs: outcome.value.retryAfterSeconds * 1000,
                }),
              }
            : undefined;
        },
        (delay, why) => this.options.onRetry?.(delay, why),
      ),
    );
  }

  /**
   * The first request to the server goes alone, its tries included; the others wait for its answer. A server that
   * cannot be reached (refused, reset, silent, untrusted) is then met once, with one message, and not by every read
   * a run starts at the same moment, each with tries of its own.
   */
  private afterContact<T>(request: () => Promise<T>): Promise<T> {
    if (!this.contact) {
      const first = request();
      this.contact = first.then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof ConnectionFailure) throw error;
        },
      );
      // Handled by the requests that wait for it; a run with one request only has none.
      this.contact.catch(() => undefined);
      return first;
    }
    return this.contact.then(request);
  }

  /** A GET whose answer must be 200. */
  async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const { status, body } = await this.request('GET', path, { query });
    if (status !== 200) throw new KubectlFallback(`GET ${path}: ${status}${reasonOf(body)}`);
    return body as T;
  }

  private url(path: string, query: Record<string, string> = {}): string {
    const search = new URLSearchParams(query).toString();
    return `${this.access.server}${path}${search ? `?${search}` : ''}`;
  }

  private headers(url: string, body: string | undefined): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'boutique' };
    if (body !== undefined)
      Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
    // As client-go: a bearer token goes over TLS only, never in clear to a plain http:// server.
    const token = url.startsWith('https:') ? this.access.token?.() : undefined;
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  private async requestOnce(
    method: string,
    url: string,
    body: unknown,
  ): Promise<{ status: number; body: unknown; retryAfterSeconds?: number }> {
    const what = `${method} ${shownUrl(url)}`;
    this.options.trace?.(what);
    const { request, agent } = await this.connection();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: RequestOptions = { method, agent, headers: this.headers(url, payload), timeout: IDLE_TIMEOUT_MS };
    return new Promise((resolve, reject) => {
      const req = request(url, options, (response: IncomingMessage) => {
        clearTimeout(headers);
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(connectionFailure(error, what, !!this.access.ca)));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const retryAfter = Number(response.headers['retry-after']);
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (a proxy's page): kept as text, and never a 200 anyone reads
          }
          const status = response.statusCode ?? 0;
          if (status === 200 && typeof parsed === 'string')
            reject(new KubectlFallback(`${what}: the answer is not JSON`));
          else
            resolve({ status, body: parsed, retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined });
        });
      });
      const headers = setTimeout(
        () => req.destroy(new ConnectionFailure(`${what}: no answer within ${HEADER_TIMEOUT_MS / 1000} s`, false)),
        HEADER_TIMEOUT_MS,
      );
      req.on('timeout', () =>
        req.destroy(new ConnectionFailure(`${what}: the answer stopped for ${IDLE_TIMEOUT_MS / 1000} s`, false)),
      );
      req.on('error', (error) => {
        clearTimeout(headers);
        reject(connectionFailure(error, what, !!this.access.ca));
      });
      req.end(payload);
    });
  }

  /**
   * A watch from `resourceVersion` on: each event's object handed over as it comes, until stopped or until the
   * server ends it. Settles once the server has answered, so a refused watch is known at once.
   */
  async watch(path: string, query: Record<string, string>, onObject: (obj: KubeObject) => void): Promise<LineStream> {
    const url = this.url(path, { ...query, watch: '1' });
    const what = `GET ${shownUrl(url)}`;
    await this.contact;
    this.options.trace?.(`${what} (in the background)`);
    const { request, agent } = await this.connection();
    return new Promise((resolve, reject) => {
      let settle!: () => void;
      const ended = new Promise<void>((done) => (settle = done));
      // Silence ends the watch (the socket's idle timeout): writes are then confirmed by reading the records.
      const req = request(
        url,
        { agent, headers: this.headers(url, undefined), timeout: WATCH_IDLE_MS },
        (response: IncomingMessage) => {
          clearTimeout(headers);
          if (response.statusCode !== 200) {
            response.resume();
            reject(new KubectlFallback(`${what}: ${response.statusCode}`));
            return;
          }
          let pending = '';
          response.setEncoding('utf8').on('data', (chunk: string) => {
            const lines = (pending + chunk).split('\n');
            pending = lines.pop() ?? '';
            for (const line of lines) {
              const event = parseEvent(line);
              if (event?.object && event.type !== 'ERROR' && event.type !== 'BOOKMARK') onObject(event.object);
            }
          });
          // A connection lost mid-watch ends the watch; its writes are then confirmed by reading the records.
          response.on('error', settle).on('close', settle);
          resolve({ stop: () => req.destroy(), ended });
        },
      );
      const headers = setTimeout(
        () => req.destroy(new ConnectionFailure(`${what}: no answer within ${HEADER_TIMEOUT_MS / 1000} s`, false)),
        HEADER_TIMEOUT_MS,
      );
      req.on('timeout', () => req.destroy());
      req.on('error', (error) => {
        clearTimeout(headers);
        settle();
        reject(connectionFailure(error, what, !!this.access.ca));
      });
      req.end();
    });
  }

  /** Every item of a list, page by page as kubectl reads it (500 at a time), each with its kind and apiVersion. */
  async list(path: string, labelSelector: string, apiVersion: string, kind: string): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let next: string | undefined;
    do {
      const page = await this.get<{ items?: KubeObject[]; metadata?: { continue?: string } }>(path, {
        labelSelector,
        limit: '500',
        ...(next ? { continue: next } : {}),
      });
      // A list's items carry no kind or apiVersion of their own; kubectl fills them in from the list's.
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      next = page.metadata?.continue || undefined;
    } while (next);
    return items;
  }

  /** The resources a group version serves (`v1`, `apps/v1`), subresources left out; read once per run. */
  resources(groupVersion: string): Promise<ApiResource[]> {
    if (!this.resourceLists.has(groupVersion)) {
      const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      const reading = this.get<{ resources?: ApiResource[] }>(path).then(({ resources = [] }) =>
        resources.filter((resource) => !resource.name.includes('/')),
      );
      // A failed discovery is not remembered: the next read asks again.
      reading.catch(() => this.resourceLists.delete(groupVersion));
      this.resourceLists.set(groupVersion, reading);
    }
    return this.resourceLists.get(groupVersion)!;
  }

  async serverVersion(): Promise<string> {
    return (await this.get<{ gitVersion: string }>('/version')).gitVersion;
  }
}

/**
 * kubectl, with its requests sent to the API server from this process: the bulk reads, the lock's Lease and the
 * watch of helm's records. A read the server does not answer with 200 (after the retries a transient failure
 * gets), and a write it could not be sent, go through kubectl after all, so what is reported of a refusal, an
 * unreachable server or a bad kubeconfig is kubectl's own words; a write the server refused is reported as kubectl
 * reports it. helm's writes are helm's; a server-side dry run is kubectl's.
 */
export class DirectKubectl implements Kubectl {
  constructor(
    private readonly api: KubeApi,
    private readonly cli: Kubectl,
    private readonly trace?: (line: string) => void,
  ) {}

  /**
   * A refusal of the server's (ApiStatusError) is its answer; a server that cannot be reached fails the request
   * once, here (kubectl would only meet it again, after a minute of its own retries); anything else goes through kubectl.
   */
  private async direct<T>(request: () => Promise<T>, viaKubectl: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ApiStatusError) throw error;
      if (error instanceof ConnectionFailure) {
        throw new ClusterUnreachableError(
          `cannot reach the cluster of ${this.api.context ? `context "${this.api.context}"` : 'the current context'}: ${error.message}`,
          {
            cause: error,
            suggestions: [
              error.hint ??
                "check --kube-context or the environment's kubeContext in releases.yaml, and that the cluster is running (kubectl cluster-info)",
            ],
          },
        );
      }
      this.trace?.(`through kubectl instead: ${(error as Error).message}`);
      return viaKubectl();
    }
  }

  helmStorage(namespace: string, driver: Exclude<StorageDriver, 'other'>, release?: string): Promise<KubeObject[]> {
    const selector = `owner=helm,status!=superseded${release ? `,name=${release}` : ''}`;
    return this.direct(
      () => this.api.list(storagePath(namespace, driver), selector, 'v1', storageKind(driver)),
      () => this.cli.helmStorage(namespace, driver, release),
    );
  }

  helmRunRecords(namespace: string, driver: Exclude<StorageDriver, 'other'>): Promise<KubeObject[]> {
    return this.direct(
      () => this.api.list(storagePath(namespace, driver), RUN_RECORDS, 'v1', storageKind(driver)),
      () => this.cli.helmRunRecords(namespace, driver),
    );
  }

  listKinds(kinds: KindsByScope): Promise<KubeObject[]> {
    return this.direct(
      () => this.listDirect(kinds),
      () => this.cli.listKinds(kinds),
    );
  }

  /** As `kubectl get KIND,… --selector owner!=helm` lists them: one request per kind, all at once. */
  private async listDirect(kinds: KindsByScope): Promise<KubeObject[]> {
    const lists = Object.entries(kinds).flatMap(([scope, scopeKinds]) =>
      scopeKinds.map(async (qualified) => {
        // `Deployment.v1.apps`, `Service.v1.`: kind, version, group.
        const [kind, version, ...group] = qualified.split('.');
        const apiVersion = group.join('.') ? `${group.join('.')}/${version}` : version!;
        // A kind the server no longer serves (its CRD was deleted) has no live objects.
        if (!(await this.serves(apiVersion, kind!))) return [];
        return this.api.list(await this.path({ apiVersion, kind: kind! }, scope), 'owner!=helm', apiVersion, kind!);
      }),
    );
    return (await Promise.all(lists)).flat();
  }

  private async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.api.resources(apiVersion)).some((candidate) => candidate.kind === kind);
  }

  /** The REST path of a kind's collection in a namespace ('' for cluster-scoped), or of one object in it. */
  private async path(ref: { apiVersion: string; kind: string }, namespace: string, name?: string): Promise<string> {
    const resource = (await this.api.resources(ref.apiVersion)).find((candidate) => candidate.kind === ref.kind);
    if (!resource) throw new KubectlFallback(`${ref.apiVersion} serves no ${ref.kind}`);
    // A namespaced kind with no namespace would be listed in the context's namespace by kubectl: left to kubectl.
    if (resource.namespaced && !namespace) throw new KubectlFallback(`${ref.kind} is namespaced`);
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const collection = resource.namespaced
      ? `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`
      : `${base}/${resource.name}`;
    return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
  }

  getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    return this.direct(
      async () => {
        const { status, body } = await this.api.request('GET', await this.path(ref, ref.namespace, ref.name));
        if (status === 404) return undefined;
        return answered(status, body, [200]);
      },
      () => this.cli.getObject(ref),
    );
  }

  listEverywhere(apiVersion: string, kind: string): Promise<KubeObject[]> {
    return this.direct(
      async () => {
        const resource = (await this.api.resources(apiVersion)).find((candidate) => candidate.kind === kind);
        if (!resource) throw new KubectlFallback(`${apiVersion} serves no ${kind}`);
        return this.api.list(`/apis/${apiVersion}/${resource.name}`, '', apiVersion, kind);
      },
      () => this.cli.listEverywhere(apiVersion, kind),
    );
  }

  createObject(obj: KubeObject): Promise<KubeObject | 'exists'> {
    return this.direct(
      async () => {
        const { status, body } = await this.api.request('POST', await this.path(obj, obj.metadata.namespace ?? ''), {
          body: obj,
        });
        return status === 409 && reasonIs(body, 'AlreadyExists') ? 'exists' : answered(status, body, [200, 201]);
      },
      () => this.cli.createObject(obj),
    );
  }

  replaceObject(obj: KubeObject): Promise<KubeObject | 'conflict'> {
    return this.direct(
      async () => {
        const { status, body } = await this.api.request(
          'PUT',
          await this.path(obj, obj.metadata.namespace ?? '', obj.metadata.name),
          { body: obj },
        );
        return status === 409 && reasonIs(body, 'Conflict') ? 'conflict' : answered(status, body, [200]);
      },
      () => this.cli.replaceObject(obj),
    );
  }

  dryRunApply(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[] | undefined> {
    return this.cli.dryRunApply(objects, namespace);
  }

  waitEstablished(crds: readonly string[], timeout: string): Promise<void> {
    return this.cli.waitEstablished(crds, timeout);
  }

  /**
   * Watched from the resourceVersion of a list of them, as kubectl --watch-only does: no change between the two is
   * missed, and none from before is replayed.
   */
  watchHelmRecords(
    namespace: string,
    driver: Exclude<StorageDriver, 'other'>,
    onRecord: (record: RecordLabels) => void,
  ): Promise<LineStream> {
    return this.direct(
      async () => {
        const path = storagePath(namespace, driver);
        const { metadata } = await this.api.get<{ metadata?: { resourceVersion?: string } }>(path, {
          labelSelector: 'owner=helm',
          limit: '1',
        });
        // Bounded, as every child is: a watch left behind ends by itself.
        return this.api.watch(
          path,
          { labelSelector: 'owner=helm', resourceVersion: metadata?.resourceVersion ?? '', timeoutSeconds: '21600' },
          ({ metadata: { labels = {} } }) => {
            const record = recordLabels(labels.name, labels.status, labels.version);
            if (record) onRecord(record);
          },
        );
      },
      () => this.cli.watchHelmRecords(namespace, driver, onRecord),
    );
  }
}

const storagePath = (namespace: string, driver: Exclude<StorageDriver, 'other'>) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/${driver}`;
const storageKind = (driver: Exclude<StorageDriver, 'other'>) => (driver === 'secrets' ? 'Secret' : 'ConfigMap');
const reasonIs = (body: unknown, reason: string) => (body as { reason?: string } | undefined)?.reason === reason;

/**
 * The object the server answered a write with. Any other answer is the server's refusal, reported as kubectl
 * reports it; the write is not sent again through kubectl, which would only be refused twice.
 */
function answered(status: number, body: unknown, ok: readonly number[]): KubeObject {
  if (ok.includes(status)) return body as KubeObject;
  const { reason, message } = (typeof body === 'object' && body !== null ? body : {}) as {
    reason?: string;
    message?: string;
  };
  throw new ApiStatusError(status, reason || `status ${status}`, message || String(body).slice(0, 200));
}

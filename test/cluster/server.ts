/**
 * HTTP routing of the emulator: non-resource paths (version, discovery, OpenAPI), then resource paths
 * `/api/v1/...` and `/apis/{group}/{version}/...` dispatched to the resource service, with the request log and
 * fault injection wrapped around every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroupList,
  apiResourceList,
  coreVersions,
  serverVersion,
  wantsAggregatedDiscovery,
} from './discovery.js';
import type { Faults, InjectedFailure } from './faults.js';
import { openApiDocument, openApiIndex, openApiV2ProtobufType, swaggerDocument, swaggerProtobuf, wantsProtobufOpenApi } from './openapi.js';
import { isObject, timestamp } from './json.js';
import { apiVersionOf, type JsonObject, type KubeObject, type ResourceType } from './kinds.js';
import { decodeKubernetesProtobuf, UnsupportedProtobufError } from './protobuf.js';
import { logEntryFor, type RequestLogEntry, type ResourceRoute } from './request-log.js';
import { patchKindOf, type ResourceService } from './resources.js';
import { badRequest, invalid, methodNotSupported, pathNotFound, qualifiedResource, staleConflict, StatusError, unsupportedMediaType } from './status-error.js';
import { renderTable, wantsTable } from './table.js';
import { duplicateKeys, fieldValidationOf, type ClientWrite, type DuplicateKey } from './validation.js';
import type { WatchHub } from './watch.js';

export interface ServerContext {
  resources: ResourceService;
  watches: WatchHub;
  faults: Faults;
  log: RequestLogEntry[];
}


const namespaceSubresources = new Set(['status', 'finalize']);

export function resolveResourcePath(path: string): ResourceRoute | undefined {
  const segments = path.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (!version) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && namespaceSubresources.has(rest[2] ?? ''))) {
    const [, namespace, resource = '', name, subresource] = rest;
    return { group, version, resource, namespace, name, subresource };
  }
  const [resource = '', name, subresource] = rest;
  return { group, version, resource, name, subresource };
}

function sendJson(response: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: string[] = [], retryAfterSeconds?: number): void {
  const payload = JSON.stringify(body);
  response.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(payload),
    // As the API server's error writer does for a Status with details.retryAfterSeconds; client-go honours it.
    ...(retryAfterSeconds ? { 'Retry-After': String(retryAfterSeconds) } : {}),
    // RFC 7234 warnings, as the API server sends them: `299 - "unknown field \"spec.foo\""`.
    ...(warnings.length > 0 ? { Warning: warnings.map((text) => `299 - ${JSON.stringify(text)}`) } : {}),
  });
  response.end(payload);
}

const json = (body: unknown): Buffer => Buffer.from(JSON.stringify(body));

function sendBytes(response: ServerResponse, contentType: string, payload: Buffer): void {
  response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': payload.length });
  response.end(payload);
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decodeBody(body: Buffer, contentType: string): { value: unknown; duplicates: DuplicateKey[] } {
  if (body.length === 0) return { value: undefined, duplicates: [] };
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  if (mediaType === 'application/vnd.kubernetes.protobuf') {
    try {
      return { value: decodeKubernetesProtobuf(body), duplicates: [] };
    } catch (error) {
      if (error instanceof UnsupportedProtobufError) throw unsupportedMediaType(`${contentType}: ${error.message}`);
      throw badRequest(`invalid protobuf body: ${(error as Error).message}`);
    }
  }
  const text = body.toString('utf8');
  const json = !mediaType.endsWith('yaml') || text.trimStart().startsWith('{');
  try {
    return { value: json ? JSON.parse(text) : parseYaml(text), duplicates: json ? duplicateKeys(text) : [] };
  } catch (error) {
    throw badRequest(`invalid request body: ${(error as Error).message}`);
  }
}

/** The default field manager is the User-Agent's product name, as in Kubernetes (`kubectl/v1.35.2 (…)` → kubectl). */
function managerOf(query: URLSearchParams, userAgent: string | undefined): string {
  return query.get('fieldManager') ?? (userAgent ?? 'unknown').split('/')[0] ?? 'unknown';
}

function toScale(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as JsonObject;
  const status = (object.status ?? {}) as JsonObject;
  const selector = (spec.selector ?? {}) as JsonObject;
  const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: status.replicas ?? 0,
      selector: Object.entries(matchLabels)
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
    },
  };
}

export class ApiServer {
  private sequence = 0;

  /** OpenAPI documents' bytes by path, for the served types they were built from. */
  private openApiBytes = { types: [] as ResourceType[], byPath: new Map<string, Buffer | undefined>() };

  constructor(private readonly context: ServerContext) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const method = request.method ?? 'GET';
    const route = resolveResourcePath(url.pathname);
    const type = route && this.context.resources.registry.byResource(route.group, route.version, route.resource);
    const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const entry = logEntryFor(++this.sequence, request, url, route, watch);
    this.context.log.push(entry);
    response.on('finish', () => (entry.status ||= response.statusCode));

    try {
      const body = await readBody(request);
      const { value: decoded, duplicates } = route ? decodeBody(body, request.headers['content-type'] ?? 'application/json') : { value: undefined, duplicates: [] };
      // A create names its object in the body only.
      const bodyName = isObject(decoded) && isObject(decoded.metadata) ? decoded.metadata.name : undefined;
      const faults = this.context.faults.forRequest({
        kind: type?.kind,
        resource: route?.resource,
        namespace: route?.namespace,
        name: route?.name ?? (typeof bodyName === 'string' ? bodyName : undefined),
        verb: entry.verb,
        dryRun: entry.dryRun,
        path: url.pathname,
      });
      if (faults.delayMs > 0) await sleep(faults.delayMs);
      if (faults.failure) throw injectedFailure(faults.failure, type, entry.verb);
      if (faults.conflict && type) throw staleConflict(type, route?.name ?? '');
      if (!route) return this.serveNonResource(url, request, response);
      // A cluster-scoped kind has no path under a namespace.
      if (!type || (!type.namespaced && route.namespace !== undefined)) throw pathNotFound();
      if (watch && method === 'GET') {
        if (faults.rejectWatchList && url.searchParams.get('sendInitialEvents') === 'true') throw watchListUnsupported(type);
        entry.status = 200;
        return this.context.watches.serve(response, { type, namespace: route.namespace, query: url.searchParams });
      }
      const client: ClientWrite = { fieldValidation: fieldValidationOf(url.searchParams), warnings: [], duplicates };
      const { code, result } = this.serveResource(method, type, route, url.searchParams, decoded, request, client);
      sendJson(response, code, wantsTable(request.headers.accept) && method === 'GET' ? renderTable(type, result) : result, 'application/json', client.warnings);
    } catch (error) {
      const status = error instanceof StatusError ? error : new StatusError(500, 'InternalError', `Internal error occurred: ${(error as Error).stack ?? error}`);
      if (!response.headersSent) sendJson(response, status.code, status.toStatus(), 'application/json', [], status.details.retryAfterSeconds);
      else response.end();
    }
  }

  private serveNonResource(url: URL, request: IncomingMessage, response: ServerResponse): void {
    const types = this.context.resources.registry.all();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const aggregated = wantsAggregatedDiscovery(request.headers.accept);
    if (path === '/version') return sendJson(response, 200, serverVersion);
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      return void response.end('ok');
    }
    if (path === '/api') {
      return aggregated ? sendJson(response, 200, aggregatedDiscovery(types, true), aggregatedDiscoveryContentType) : sendJson(response, 200, coreVersions());
    }
    if (path === '/apis') {
      return aggregated ? sendJson(response, 200, aggregatedDiscovery(types, false), aggregatedDiscoveryContentType) : sendJson(response, 200, apiGroupList(types));
    }
    const groupVersion = /^\/(?:api\/(v[^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (groupVersion) {
      const list = groupVersion[1] ? apiResourceList(types, '', groupVersion[1]) : apiResourceList(types, groupVersion[2] ?? '', groupVersion[3] ?? '');
      if (list) return sendJson(response, 200, list);
    }
    if (path === '/openapi/v2') {
      if (!wantsProtobufOpenApi(request.headers.accept)) return sendBytes(response, 'application/json', this.openApi('v2', () => json(swaggerDocument(types)))!);
      return sendBytes(response, openApiV2ProtobufType, this.openApi('v2 protobuf', () => swaggerProtobuf(swaggerDocument(types)))!);
    }
    if (path === '/openapi/v3') return sendBytes(response, 'application/json', this.openApi(path, () => json(openApiIndex(types)))!);
    const openApi = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (openApi) {
      const document = this.openApi(path, () => {
        const built = openApi[1] ? openApiDocument(types, '', openApi[1]) : openApiDocument(types, openApi[2] ?? '', openApi[3] ?? '');
        return built && json(built);
      });
      if (document) return sendBytes(response, 'application/json', document);
    }
    throw pathNotFound();
  }

  /**
   * An OpenAPI document as the API server serves it: built once for the types served now and sent as the same
   * bytes until a CRD changes them (kube-openapi keeps each document's bytes and their hash).
   */
  private openApi(key: string, build: () => Buffer | undefined): Buffer | undefined {
    const types = this.context.resources.registry.all();
    if (this.openApiBytes.types !== types) this.openApiBytes = { types, byPath: new Map() };
    const { byPath } = this.openApiBytes;
    if (!byPath.has(key)) byPath.set(key, build());
    return byPath.get(key);
  }

  private serveResource(
    method: string,
    type: ResourceType,
    route: ResourceRoute,
    query: URLSearchParams,
    body: unknown,
    request: IncomingMessage,
    client: ClientWrite,
  ): { code: number; result: unknown } {
    const resources = this.context.resources;
    const namespace = type.namespaced ? route.namespace : undefined;
    const dryRun = query.getAll('dryRun').includes('All');
    const manager = managerOf(query, request.headers['user-agent']);
    const subresource = route.subresource;
    if (subresource && !(type.subresources ?? []).includes(subresource)) throw pathNotFound();
    if (type.namespaced && route.name !== undefined && namespace === undefined) throw pathNotFound();
    const name = route.name;

    if (name === undefined) {
      switch (method) {
        case 'GET':
          return { code: 200, result: this.listOf(type, resources.list(type, namespace, { labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector') })) };
        case 'POST':
          return { code: 201, result: resources.create(type, namespace, this.objectBody(body), { dryRun, manager, client }) };
        case 'DELETE': {
          const matching = resources.list(type, namespace, { labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector') });
          const options = { dryRun, propagationPolicy: propagationOf(body, query) };
          return { code: 200, result: this.listOf(type, matching.map((object) => resources.delete(type, object.metadata.namespace, object.metadata.name ?? '', options))) };
        }
        default:
          throw methodNotSupported(method, type.resource);
      }
    }

    if (subresource === 'scale') return this.serveScale(method, type, namespace, name, body, { dryRun, manager, contentType: request.headers['content-type'] ?? '' });
    const options = { dryRun, manager, subresource, client };
    switch (method) {
      case 'GET':
        return { code: 200, result: resources.get(type, namespace, name) };
      case 'PUT':
        return { code: 200, result: resources.update(type, namespace, name, this.objectBody(body), options) };
      case 'PATCH': {
        const { object, created } = resources.patch(type, namespace, name, body, {
          ...options,
          contentType: request.headers['content-type'] ?? '',
          force: query.get('force') === 'true',
        });
        return { code: created ? 201 : 200, result: object };
      }
      case 'DELETE':
        return { code: 200, result: resources.delete(type, namespace, name, { dryRun, propagationPolicy: propagationOf(body, query) }) };
      default:
        throw methodNotSupported(method, type.resource);
    }
  }

  /** The scale subresource: an autoscaling/v1 Scale view of spec.replicas. */
  private serveScale(
    method: string,
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: { dryRun: boolean; manager: string; contentType: string },
  ): { code: number; result: unknown } {
    const resources = this.context.resources;
    const current = resources.get(type, namespace, name);
    if (method === 'GET') return { code: 200, result: toScale(current) };
    let scale: unknown;
    if (method === 'PUT') scale = body;
    else if (method === 'PATCH') {
      const kind = patchKindOf(options.contentType);
      if (kind === 'apply') throw unsupportedMediaType(options.contentType);
      scale = resources.applyPatch(kind, toScale(current), body);
    } else throw methodNotSupported(method, `${type.resource}/scale`);
    const replicas = isObject(scale) && isObject(scale.spec) ? scale.spec.replicas : undefined;
    if (typeof replicas !== 'number') throw badRequest('the scale must set spec.replicas');
    const updated = resources.update(type, namespace, name, { ...current, spec: { ...(current.spec as JsonObject), replicas } }, {
      dryRun: options.dryRun,
      manager: options.manager,
      subresource: 'scale',
    });
    return { code: 200, result: toScale(updated) };
  }

  private objectBody(body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the request body must be an object');
    return body as KubeObject;
  }

  private listOf(type: ResourceType, items: KubeObject[]): JsonObject {
    return {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.context.resources.store.resourceVersion) },
      items,
    };
  }
}

function propagationOf(body: unknown, query: URLSearchParams): string | undefined {
  const fromBody = isObject(body) && typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined;
  return fromBody ?? query.get('propagationPolicy') ?? undefined;
}

function watchListUnsupported(type: ResourceType): StatusError {
  return invalid(type, '', `ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled`, [
    { reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' },
  ]);
}

function injectedFailure({ status: code, retryAfterSeconds }: InjectedFailure, type: ResourceType | undefined, verb: string): StatusError {
  if (retryAfterSeconds !== undefined) {
    // What the API server answers when its storage did not reply in time (the storage errors' NewServerTimeout).
    const resource = type ? qualifiedResource(type) : 'the server';
    return new StatusError(code, 'ServerTimeout', `The ${verb} operation against ${resource} could not be completed at this time, please try again.`, {
      ...(type ? { kind: type.resource } : {}),
      retryAfterSeconds,
    });
  }
  const reasons: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };
  return new StatusError(code, reasons[code] ?? 'InternalError', `injected fault: the emulator failed this request with ${code} at ${timestamp()}`);
}

import type { IncomingMessage } from 'node:http';
/** The request log tests assert on: every request in arrival order, with its Kubernetes verb and outcome. */

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'post'
  | 'put'
  | 'head'
  | 'options';

/** A request resolved against the API's URL layout (the API server's RequestInfo). */
export interface ResourceRoute {
  group: string;
  version: string;
  /** Plural resource; '' for discovery and other non-resource paths. */
  resource: string;
  /** `status` or `scale` for subresource requests. */
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface RequestLogEntry extends ResourceRoute {
  seq: number;
  /** ISO timestamp of arrival. */
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  verb: Verb;
  dryRun: boolean;
  /** HTTP status code of the response (for watches: 200 once the stream starts). */
  status: number;
  fieldManager?: string;
  contentType?: string;
  userAgent?: string;
}

/** The Kubernetes verb of a request, as the API server's RequestInfo resolves it. */
export function verbOf(method: string, hasName: boolean, watch: boolean, isResource: boolean): Verb {
  if (!isResource) return method.toLowerCase() as Verb;
  switch (method) {
    case 'GET':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase() as Verb;
  }
}

/** Mutating verbs, for assertions like "no writes happened". */
export const writeVerbs: readonly Verb[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export function isWrite(entry: RequestLogEntry): boolean {
  return writeVerbs.includes(entry.verb);
}

/** The request log entry of one request; its status is filled in when the response finishes. */
export function logEntryFor(
  seq: number,
  request: IncomingMessage,
  url: URL,
  route: ResourceRoute | undefined,
  watch: boolean,
): RequestLogEntry {
  const method = request.method ?? 'GET';
  const fieldManager = url.searchParams.get('fieldManager');
  return {
    seq,
    time: new Date().toISOString(),
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    verb: verbOf(method, route?.name !== undefined, watch, route !== undefined),
    group: route?.group ?? '',
    version: route?.version ?? '',
    resource: route?.resource ?? '',
    ...(route?.subresource !== undefined ? { subresource: route.subresource } : {}),
    ...(route?.namespace !== undefined ? { namespace: route.namespace } : {}),
    ...(route?.name !== undefined ? { name: route.name } : {}),
    dryRun: url.searchParams.getAll('dryRun').includes('All'),
    status: 0,
    ...(fieldManager ? { fieldManager } : {}),
    ...(request.headers['content-type'] ? { contentType: request.headers['content-type'] } : {}),
    ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
  };
}

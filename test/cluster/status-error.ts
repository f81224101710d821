import type { ResourceType } from './kinds.js';

export interface StatusCause {
  reason: string;
  field?: string;
  message: string;
}

/** An API failure carried to the HTTP layer, where it becomes a metav1.Status body (see the surface doc, section 8). */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number } = {},
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      // An error the server did not classify has no reason (kubectl then prints "Error from server: …").
      ...(this.reason ? { reason: this.reason } : {}),
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps`, `configmaps`: how Kubernetes names a resource in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

function detailsOf(type: ResourceType, name: string): { name: string; group?: string; kind: string } {
  return { name, ...(type.group ? { group: type.group } : {}), kind: type.resource };
}

export function notFound(type: ResourceType, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, detailsOf(type, name));
}

export function alreadyExists(type: ResourceType, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, detailsOf(type, name));
}

export function staleConflict(type: ResourceType, name: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(type, name),
  );
}

export function invalid(type: ResourceType | undefined, name: string, message: string, causes: StatusCause[] = []): StatusError {
  const details = type ? { ...detailsOf(type, name), ...(causes.length ? { causes } : {}) } : {};
  return new StatusError(422, 'Invalid', message, details);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
}

export function methodNotSupported(method: string, resource: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${resource})`);
}

/** A path the server does not serve (unknown resource, subresource or group-version). */
export function pathNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

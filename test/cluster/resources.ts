/**
 * REST semantics on top of the store: create/update/patch/apply/delete with dryRun, preconditions, defaulting,
 * generation, managedFields, finalizers and garbage collection (ownerReferences, namespace deletion).
 */
import { randomUUID } from 'node:crypto';
import { applyDefaults, keepAllocatedValues, type Allocator } from './defaults.js';
import { clone, deepEqual, isObject, timestamp } from './json.js';
import { apiVersionOf, hasGeneration, type JsonObject, type KubeObject, type ObjectMeta, type ResourceType, type TypeRegistry } from './kinds.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { ObjectStore } from './store.js';
import { alreadyExists, badRequest, invalid, notFound, staleConflict, unsupportedMediaType } from './status-error.js';
import { checkAppliedConfiguration, decodeObject, validateObject, validateUpdate, type ClientWrite } from './validation.js';

export interface WriteOptions {
  dryRun: boolean;
  /** Field manager for managedFields: ?fieldManager=, else derived from the User-Agent. */
  manager: string;
  subresource?: string;
  /** Set for clients' requests, which are validated; the emulator's own controller writes are not. */
  client?: ClientWrite;
}

export interface PatchOptions extends WriteOptions {
  contentType: string;
  force: boolean;
}

export interface DeleteOptions {
  dryRun: boolean;
  propagationPolicy?: string;
}

export interface ListQuery {
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

export type PatchKind = 'apply' | 'strategic' | 'merge' | 'json';

export function patchKindOf(contentType: string): PatchKind {
  const mediaType = contentType.split(';')[0]?.trim() ?? '';
  switch (mediaType) {
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/json-patch+json':
      return 'json';
    default:
      throw unsupportedMediaType(contentType);
  }
}

/** Everything but metadata and status: what a generation bump tracks. */
function specOf(object: KubeObject): JsonObject {
  const { metadata: _metadata, status: _status, apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return JSON.parse(JSON.stringify(rest)) as JsonObject;
}

/** The object as stored JSON (undefined members dropped) without its resourceVersion, to detect no-op writes. */
function comparable(object: KubeObject): KubeObject {
  const copy = JSON.parse(JSON.stringify(object)) as KubeObject;
  delete copy.metadata.resourceVersion;
  return copy;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}

export class ResourceService {
  private nextClusterIP = 10;
  private nextNodePort = 30000;
  private readonly allocator: Allocator = {
    clusterIP: () => {
      const index = this.nextClusterIP++;
      return `10.96.${Math.floor(index / 250)}.${(index % 250) + 1}`;
    },
    nodePort: () => this.nextNodePort++,
  };

  constructor(
    readonly store: ObjectStore,
    readonly registry: TypeRegistry,
  ) {}

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace: string | undefined, query: ListQuery): KubeObject[] {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector);
    return this.store.list(type, namespace, (object) => labels(object.metadata.labels ?? {}) && fields(object));
  }

  create(type: ResourceType, namespace: string | undefined, body: KubeObject, options: WriteOptions): KubeObject {
    const object = this.checkIdentity(type, namespace, clone(body));
    if (!object.metadata.name && object.metadata.generateName) object.metadata.name = object.metadata.generateName + randomSuffix();
    if (!object.metadata.name) throw invalid(type, '', `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
    this.validate(type, object, options.client);
    this.requireNamespace(type, object.metadata.namespace);
    if (this.store.get(type, object.metadata.namespace, object.metadata.name)) throw alreadyExists(type, object.metadata.name);
    if (type.subresources?.includes('status')) delete object.status;
    return this.commit(type, undefined, object, options);
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: KubeObject, options: WriteOptions): KubeObject {
    const before = this.get(type, namespace, name);
    const object = this.checkIdentity(type, namespace, clone(body));
    if (object.metadata.name !== name) throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${name})`);
    const requested = object.metadata.resourceVersion;
    if (requested && requested !== before.metadata.resourceVersion) throw staleConflict(type, name);
    this.validate(type, object, options.client);
    return this.commit(type, before, this.forSubresource(type, before, object, options.subresource), options);
  }

  /** PATCH of any kind; apply patches create missing objects. Returns whether the object was created. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: PatchOptions,
  ): { object: KubeObject; created: boolean } {
    const kind = patchKindOf(options.contentType);
    const before = this.store.get(type, namespace, name);
    if (kind === 'apply') {
      if (!isObject(body) || !isObject(body.metadata)) throw badRequest('an apply patch must be an object with metadata');
      const applied = this.checkIdentity(type, namespace, clone(body as KubeObject));
      if (applied.metadata.name !== name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
      if (!before) this.requireNamespace(type, applied.metadata.namespace);
      const requested = applied.metadata.resourceVersion;
      if (requested && requested !== before?.metadata.resourceVersion) throw staleConflict(type, name);
      if (options.client) checkAppliedConfiguration(type, applied, options.client);
      const merged = serverSideApply(before, applied, { manager: options.manager, force: options.force });
      if (options.client) validateObject(type, merged);
      if (before) merged.status = before.status;
      else if (type.subresources?.includes('status')) delete merged.status;
      return { object: this.commit(type, before, merged, { ...options, manager: '' }), created: !before };
    }
    if (!before) throw notFound(type, name);
    const patched = this.applyPatch(kind, before, body) as KubeObject;
    if (!isObject(patched) || !isObject(patched.metadata)) throw badRequest('the patch produced an invalid object');
    if (patched.metadata.resourceVersion !== before.metadata.resourceVersion) throw staleConflict(type, name);
    if (patched.metadata.name !== name) throw badRequest('a patch cannot change metadata.name');
    this.validate(type, patched, options.client);
    const object = this.forSubresource(type, before, this.checkIdentity(type, namespace, patched), options.subresource);
    return { object: this.commit(type, before, object, options), created: false };
  }

  applyPatch(kind: Exclude<PatchKind, 'apply'>, target: unknown, body: unknown): unknown {
    if (kind === 'json') return jsonPatch(target, body);
    if (kind === 'merge') return jsonMergePatch(target, body);
    return strategicMergePatch(target, body);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions): KubeObject {
    const object = this.get(type, namespace, name);
    if (options.dryRun) return object;
    return this.deleteObject(type, object, options.propagationPolicy ?? 'Background');
  }

  /** Write status as a controller would (no managedFields entry, no generation change). */
  writeStatus(type: ResourceType, object: KubeObject, status: JsonObject): KubeObject | undefined {
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name ?? '');
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    if (deepEqual(current.status, status)) return current;
    return this.store.put(type, { ...current, status });
  }

  /** Create or replace an object on behalf of a controller (ReplicaSets, PVCs of the simulator). */
  controllerWrite(type: ResourceType, object: KubeObject, manager: string): KubeObject {
    const before = this.store.get(type, object.metadata.namespace, object.metadata.name ?? '');
    if (before) {
      object.metadata = { ...before.metadata, ...object.metadata, uid: before.metadata.uid, managedFields: before.metadata.managedFields };
      object.status ??= before.status;
    }
    return this.commit(type, before, object, { dryRun: false, manager });
  }

  private checkIdentity(type: ResourceType, namespace: string | undefined, object: KubeObject): KubeObject {
    if (!isObject(object.metadata)) object.metadata = {};
    const expectedApiVersion = apiVersionOf(type);
    if ((object.apiVersion && object.apiVersion !== expectedApiVersion) || (object.kind && object.kind !== type.kind)) {
      throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expectedApiVersion})`);
    }
    object.apiVersion = expectedApiVersion;
    object.kind = type.kind;
    if (type.namespaced) {
      if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      object.metadata.namespace = namespace ?? object.metadata.namespace;
      if (!object.metadata.namespace) throw badRequest('the namespace of the object is required');
    } else {
      delete object.metadata.namespace;
    }
    return object;
  }

  private validate(type: ResourceType, object: KubeObject, client: ClientWrite | undefined): void {
    if (!client) return;
    decodeObject(type, object, client);
    validateObject(type, object);
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    const namespaces = this.registry.byKind('v1', 'Namespace');
    if (namespaces && !this.store.get(namespaces, undefined, namespace ?? '')) throw notFound(namespaces, namespace ?? '');
  }

  /** Main-resource writes keep the live status; status writes change nothing but status. */
  private forSubresource(type: ResourceType, before: KubeObject, object: KubeObject, subresource: string | undefined): KubeObject {
    if (subresource === 'status') return { ...before, status: object.status };
    if (type.subresources?.includes('status')) {
      if (before.status === undefined) delete object.status;
      else object.status = before.status;
    }
    return object;
  }

  private commit(type: ResourceType, before: KubeObject | undefined, object: KubeObject, options: WriteOptions): KubeObject {
    const metadata = object.metadata;
    metadata.uid = before?.metadata.uid ?? randomUUID();
    metadata.creationTimestamp = before?.metadata.creationTimestamp ?? timestamp();
    if (before?.metadata.deletionTimestamp) metadata.deletionTimestamp = before.metadata.deletionTimestamp;
    if (metadata.managedFields === undefined && before?.metadata.managedFields) metadata.managedFields = before.metadata.managedFields;
    if (before) keepAllocatedValues(before, object);
    applyDefaults(object, this.allocator);
    if (before && options.client) validateUpdate(type, before, object);
    if (hasGeneration(type)) {
      const changed = !before || !deepEqual(specOf(before), specOf(object));
      metadata.generation = before ? (before.metadata.generation ?? 1) + (changed ? 1 : 0) : 1;
    } else {
      delete metadata.generation;
    }
    if (options.manager) recordUpdate(before, object, options.manager, { subresource: options.subresource });
    if (before && deepEqual(comparable(before), comparable(object))) return before;
    if (options.dryRun) {
      if (before) metadata.resourceVersion = before.metadata.resourceVersion;
      else delete metadata.resourceVersion;
      return object;
    }
    if (metadata.deletionTimestamp && (metadata.finalizers ?? []).length === 0) {
      return this.deleteObject(type, this.store.put(type, object), 'Background');
    }
    return this.store.put(type, object);
  }

  private deleteObject(type: ResourceType, object: KubeObject, propagationPolicy: string): KubeObject {
    const namespace = object.metadata.namespace;
    const name = object.metadata.name ?? '';
    if ((object.metadata.finalizers ?? []).length > 0) {
      if (object.metadata.deletionTimestamp) return object;
      return this.store.put(type, { ...object, metadata: { ...object.metadata, deletionTimestamp: timestamp() } });
    }
    if (type.kind === 'Namespace' && type.group === '') {
      for (const contained of this.registry.all().filter((candidate) => candidate.namespaced)) {
        for (const member of this.store.list(contained, name)) this.deleteObject(contained, { ...member, metadata: { ...member.metadata, finalizers: [] } }, 'Background');
      }
    }
    if (type.kind === 'CustomResourceDefinition') {
      // Custom resources go with their definition.
      for (const custom of this.registry.typesOfCrd(name)) {
        for (const member of this.store.list(custom)) this.store.remove(custom, member.metadata.namespace, member.metadata.name ?? '');
      }
      this.registry.unregisterCrd(name);
    }
    const removed = this.store.remove(type, namespace, name);
    if (!removed) return object;
    this.collectDependents(removed, propagationPolicy);
    return removed;
  }

  /** The garbage collector: dependents of a deleted owner are deleted, or orphaned with propagationPolicy=Orphan. */
  private collectDependents(owner: KubeObject, propagationPolicy: string): void {
    const uid = owner.metadata.uid;
    for (const type of this.registry.all()) {
      for (const dependent of this.store.list(type)) {
        const references = dependent.metadata.ownerReferences ?? [];
        if (!references.some((reference) => reference.uid === uid)) continue;
        if (propagationPolicy === 'Orphan') {
          const remaining = references.filter((reference) => reference.uid !== uid);
          const metadata: ObjectMeta = { ...dependent.metadata, ownerReferences: remaining };
          if (remaining.length === 0) delete metadata.ownerReferences;
          this.store.put(type, { ...dependent, metadata });
        } else {
          this.deleteObject(type, dependent, propagationPolicy);
        }
      }
    }
  }
}

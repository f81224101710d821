/**
 * Server-side apply and managedFields bookkeeping: which manager owns which fields, removal of fields a manager
 * stopped applying, and conflicts between managers (409 unless force=true), after Kubernetes' structured-merge-diff.
 */
import {
  changedPaths,
  describePath,
  fieldSet,
  findItem,
  fromFieldsV1,
  isMembershipPath,
  itemElement,
  listSemantics,
  parsePathKey,
  removeAt,
  setElement,
  toFieldsV1,
  valueAt,
  type PathScope,
} from './field-paths.js';
import { clone, deepEqual, isObject, timestamp, withoutNulls } from './json.js';
import type { JsonObject, KubeObject, ManagedFieldsEntry } from './kinds.js';
import { StatusError, type StatusCause } from './status-error.js';

interface Ownership {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function ownershipsOf(object: KubeObject | undefined): Ownership[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({ entry, paths: fromFieldsV1(entry.fieldsV1) }));
}

/** Write ownerships back, keeping each unchanged entry's time and dropping managers that own nothing. */
function storeOwnerships(object: KubeObject, ownerships: Ownership[], now: Date): void {
  const entries = ownerships
    .filter((ownership) => ownership.paths.size > 0)
    .map(({ entry, paths }) => {
      const fieldsV1 = toFieldsV1([...paths].sort());
      return deepEqual(fieldsV1, entry.fieldsV1) ? entry : { ...entry, time: timestamp(now), fieldsV1 };
    });
  if (entries.length > 0) object.metadata.managedFields = entries;
  else delete object.metadata.managedFields;
}

function sameEntry(entry: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource?: string): boolean {
  return entry.manager === manager && entry.operation === operation && (entry.subresource ?? '') === (subresource ?? '');
}

function findOrAddOwnership(
  ownerships: Ownership[],
  object: KubeObject,
  manager: string,
  operation: 'Apply' | 'Update',
  subresource?: string,
): Ownership {
  const existing = ownerships.find(({ entry }) => sameEntry(entry, manager, operation, subresource));
  if (existing) return existing;
  const created: Ownership = {
    entry: {
      manager,
      operation,
      apiVersion: object.apiVersion,
      time: '',
      fieldsType: 'FieldsV1',
      fieldsV1: {},
      ...(subresource ? { subresource } : {}),
    },
    paths: new Set(),
  };
  ownerships.push(created);
  return created;
}

/** Metadata members that belong to the object's identity or the server, never merged from an applied config. */
const serverMetadata = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp'];

function mergeValue(live: unknown, applied: unknown, field: string): unknown {
  if (isObject(applied) && isObject(live)) {
    const result: JsonObject = { ...live };
    for (const [key, value] of Object.entries(applied)) result[key] = mergeValue(live[key], value, key);
    return result;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const semantics = listSemantics(field, [...live, ...applied]);
    if (semantics.type === 'set') return [...live, ...applied.filter((value) => !live.some((item) => setElement(item) === setElement(value)))];
    if (semantics.type === 'keyed') {
      const result: unknown[] = [...live];
      for (const item of applied) {
        const position = findItem(result, itemElement(item, semantics.keys), semantics.keys);
        if (position >= 0) result[position] = mergeValue(result[position], item, '');
        else result.push(clone(item));
      }
      return result;
    }
  }
  return clone(applied);
}

function conflictError(object: KubeObject, conflicts: { ownership: Ownership; path: string[] }[]): StatusError {
  const byManager = new Map<Ownership, string[]>();
  for (const { ownership, path } of conflicts) byManager.set(ownership, [...(byManager.get(ownership) ?? []), describePath(path)]);
  const who = (entry: ManagedFieldsEntry): string =>
    `"${entry.manager}"${entry.subresource ? ` with subresource "${entry.subresource}"` : ''} using ${entry.apiVersion}`;
  const summary =
    conflicts.length === 1
      ? `conflict with ${who(conflicts[0]!.ownership.entry)}: ${describePath(conflicts[0]!.path)}`
      : [...byManager]
          .map(([ownership, fields]) => `conflicts with ${who(ownership.entry)}:\n${fields.map((field) => `- ${field}`).join('\n')}`)
          .join('\n');
  const causes: StatusCause[] = conflicts.map(({ ownership, path }) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${who(ownership.entry)}`,
    field: describePath(path),
  }));
  const plural = conflicts.length === 1 ? 'conflict' : 'conflicts';
  return new StatusError(409, 'Conflict', `Apply failed with ${conflicts.length} ${plural}: ${summary}`, {
    name: object.metadata.name,
    causes,
  });
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now?: Date;
}

/**
 * Server-side apply of `applied` onto `live` (undefined = create). Returns the merged object with updated
 * managedFields; throws a 409 Conflict StatusError when another manager owns a field with a different value.
 */
export function serverSideApply(live: KubeObject | undefined, applied: KubeObject, options: ApplyOptions): KubeObject {
  const config = withoutNulls(applied) as KubeObject;
  delete config.status;
  const base: KubeObject = live
    ? clone(live)
    : { apiVersion: config.apiVersion, kind: config.kind, metadata: { name: config.metadata.name, namespace: config.metadata.namespace } };
  const appliedPaths = fieldSet(config);
  const ownerships = ownershipsOf(base);
  const mine = findOrAddOwnership(ownerships, base, options.manager, 'Apply');
  const others = ownerships.filter((ownership) => ownership !== mine);

  const conflicts: { ownership: Ownership; path: string[] }[] = [];
  for (const ownership of others) {
    for (const key of ownership.paths) {
      if (!appliedPaths.has(key)) continue;
      const path = parsePathKey(key);
      if (isMembershipPath(path)) continue;
      const current = valueAt(base, path);
      if (current.found && !deepEqual(current.value, valueAt(config, path).value)) conflicts.push({ ownership, path });
    }
  }
  if (conflicts.length > 0 && !options.force) throw conflictError(base, conflicts);
  for (const { ownership, path } of conflicts) ownership.paths.delete(JSON.stringify(path));

  // Fields this manager applied last time but omits now go away, unless someone (this apply included) still owns a
  // part of them: an empty map that now has members, or a list item another manager added fields to.
  const ownsWithin = (paths: Iterable<string>, key: string): boolean => {
    const prefix = `${key.slice(0, -1)},`;
    for (const other of paths) if (other === key || other.startsWith(prefix)) return true;
    return false;
  };
  const dropped = [...mine.paths].filter(
    (key) => !ownsWithin(appliedPaths, key) && !others.some((ownership) => ownsWithin(ownership.paths, key)),
  );
  // Shortest first: a dropped list item goes as a whole, before its key fields could be removed from under it.
  for (const key of dropped.sort((left, right) => left.length - right.length)) removeAt(base, parsePathKey(key));

  const { metadata: appliedMetadata, ...appliedBody } = config;
  const metadataToMerge = Object.fromEntries(Object.entries(appliedMetadata).filter(([key]) => !serverMetadata.includes(key)));
  const merged = mergeValue(base, { ...appliedBody, metadata: metadataToMerge }, '') as KubeObject;
  mine.paths = appliedPaths;
  storeOwnerships(merged, ownerships, options.now ?? new Date());
  return merged;
}

/**
 * Record a non-apply write (create, update, patch) by `manager`: it takes ownership of every field it changed,
 * and fields that disappeared are no longer owned by anyone. A client that rewrote managedFields itself (helm's
 * CSA→SSA switch) keeps exactly what it wrote.
 */
export function recordUpdate(
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  options: { subresource?: string; now?: Date } = {},
): void {
  if (before && !deepEqual(before.metadata.managedFields, after.metadata.managedFields)) return;
  const scope: PathScope = { status: options.subresource === 'status' };
  const beforeObject: JsonObject = before ?? {};
  const changed = changedPaths(beforeObject, after, scope);
  const remaining = fieldSet(after, scope);
  const ownerships = ownershipsOf(before);
  for (const ownership of ownerships) {
    for (const key of ownership.paths) {
      const inScope = parsePathKey(key)[0] === 'f:status' ? scope.status : !scope.status;
      if (inScope && (changed.has(key) || !remaining.has(key))) ownership.paths.delete(key);
    }
  }
  if (changed.size > 0) {
    const mine = findOrAddOwnership(ownerships, after, manager, 'Update', options.subresource);
    for (const key of changed) mine.paths.add(key);
  }
  storeOwnerships(after, ownerships, options.now ?? new Date());
}

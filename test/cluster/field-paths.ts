/**
 * Field paths and sets in the shape of structured-merge-diff's fieldsV1: `f:name` for struct/map members,
 * `k:{"name":"web"}` for items of keyed lists, `v:"x"` for members of sets. List semantics are keyed by the
 * field name (a practical stand-in for the OpenAPI schema): containers by name, container ports by
 * containerPort+protocol, Service ports by port+protocol, and so on; unknown lists are atomic.
 */
import type { JsonObject } from './kinds.js';
import { deepEqual, isObject } from './json.js';

export type PathElement = string;
export type FieldPath = PathElement[];

type ListSemantics = { type: 'keyed'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

const keyedByName = ['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'env', 'imagePullSecrets', 'resourceClaims'];

/** Defaults that the schema gives key fields, so `{containerPort: 80}` and `{containerPort: 80, protocol: TCP}` are one item. */
const keyDefaults: Record<string, unknown> = { protocol: 'TCP' };

export function listSemantics(field: string, items: unknown[]): ListSemantics {
  if (keyedByName.includes(field)) return { type: 'keyed', keys: ['name'] };
  switch (field) {
    case 'ports':
      return items.some((item) => isObject(item) && 'containerPort' in item)
        ? { type: 'keyed', keys: ['containerPort', 'protocol'] }
        : { type: 'keyed', keys: ['port', 'protocol'] };
    case 'volumeMounts':
      return { type: 'keyed', keys: ['mountPath'] };
    case 'ownerReferences':
      return { type: 'keyed', keys: ['uid'] };
    case 'conditions':
      return { type: 'keyed', keys: ['type'] };
    case 'hostAliases':
      return { type: 'keyed', keys: ['ip'] };
    case 'topologySpreadConstraints':
      return { type: 'keyed', keys: ['topologyKey', 'whenUnsatisfiable'] };
    case 'finalizers':
      return { type: 'set' };
    default:
      return { type: 'atomic' };
  }
}

function keyValues(item: unknown, keys: string[]): JsonObject {
  const source = isObject(item) ? item : {};
  return Object.fromEntries(
    [...keys].sort().flatMap((key) => {
      const value = source[key] ?? keyDefaults[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );
}

export function itemElement(item: unknown, keys: string[]): PathElement {
  return `k:${JSON.stringify(keyValues(item, keys))}`;
}

export function setElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** The index of the list item a `k:` element names, or -1. */
export function findItem(items: unknown[], element: PathElement, keys: string[]): number {
  return items.findIndex((item) => itemElement(item, keys) === element);
}

export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}

export function parsePathKey(key: string): FieldPath {
  return JSON.parse(key) as FieldPath;
}

/** Members that a client's object never owns: identity and server-managed metadata. */
const unownedMetadata = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

export interface PathScope {
  /** true: only `status`; false: everything except `status` (the main resource). */
  status: boolean;
}

/** Every owned leaf and list item of an object, as the set of path keys a manager would own. */
export function fieldSet(object: JsonObject, scope: PathScope = { status: false }): Set<string> {
  const paths = new Set<string>();
  for (const [field, value] of Object.entries(object)) {
    if (field === 'apiVersion' || field === 'kind' || value === undefined || value === null) continue;
    if ((field === 'status') !== scope.status) continue;
    if (field === 'metadata' && isObject(value)) {
      for (const [metaField, metaValue] of Object.entries(value)) {
        if (unownedMetadata.has(metaField) || metaValue === undefined || metaValue === null) continue;
        collect(metaValue, ['f:metadata', `f:${metaField}`], metaField, paths);
      }
      continue;
    }
    collect(value, [`f:${field}`], field, paths);
  }
  return paths;
}

function collect(value: unknown, path: FieldPath, field: string, paths: Set<string>): void {
  if (isObject(value)) {
    const entries = Object.entries(value).filter(([, member]) => member !== null && member !== undefined);
    if (entries.length === 0) paths.add(pathKey(path));
    for (const [key, member] of entries) collect(member, [...path, `f:${key}`], key, paths);
    return;
  }
  if (Array.isArray(value)) {
    const semantics = listSemantics(field, value);
    if (semantics.type === 'atomic' || value.length === 0) {
      paths.add(pathKey(path));
    } else if (semantics.type === 'set') {
      for (const item of value) paths.add(pathKey([...path, setElement(item)]));
    } else {
      for (const item of value) {
        const itemPath = [...path, itemElement(item, semantics.keys)];
        paths.add(pathKey(itemPath));
        if (isObject(item)) {
          for (const [key, member] of Object.entries(item)) {
            if (member !== null && member !== undefined) collect(member, [...itemPath, `f:${key}`], key, paths);
          }
        }
      }
    }
    return;
  }
  paths.add(pathKey(path));
}

/** The field name a path element refers to, for list-semantics lookups. */
function fieldName(element: PathElement | undefined): string {
  return element?.startsWith('f:') ? element.slice(2) : '';
}

interface Located {
  found: boolean;
  value: unknown;
}

/** Resolve a path inside an object. */
export function valueAt(object: unknown, path: FieldPath): Located {
  let current: unknown = object;
  for (let index = 0; index < path.length; index++) {
    const element = path[index] ?? '';
    if (element.startsWith('f:')) {
      if (!isObject(current) || !(element.slice(2) in current)) return { found: false, value: undefined };
      current = current[element.slice(2)];
    } else if (Array.isArray(current)) {
      const items: unknown[] = current;
      const semantics = listSemantics(fieldName(path[index - 1]), items);
      const position = element.startsWith('v:')
        ? items.findIndex((item) => setElement(item) === element)
        : semantics.type === 'keyed'
          ? findItem(items, element, semantics.keys)
          : -1;
      if (position < 0) return { found: false, value: undefined };
      current = items[position];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

/** Remove the member, list item or set value a path names; a no-op when it is absent. */
export function removeAt(object: JsonObject, path: FieldPath): void {
  const parent = valueAt(object, path.slice(0, -1));
  const last = path[path.length - 1] ?? '';
  if (!parent.found) return;
  if (last.startsWith('f:') && isObject(parent.value)) {
    delete parent.value[last.slice(2)];
  } else if (Array.isArray(parent.value)) {
    const items: unknown[] = parent.value;
    const semantics = listSemantics(fieldName(path[path.length - 2]), items);
    const position = last.startsWith('v:')
      ? items.findIndex((item) => setElement(item) === last)
      : semantics.type === 'keyed'
        ? findItem(items, last, semantics.keys)
        : -1;
    if (position >= 0) items.splice(position, 1);
  }
}

/** `.spec.template.spec.containers[name="web"].image`, the way conflicts are reported. */
export function describePath(path: FieldPath): string {
  return path
    .map((element) => {
      if (element.startsWith('f:')) return `.${element.slice(2)}`;
      if (element.startsWith('v:')) return `[=${element.slice(2)}]`;
      const keys = JSON.parse(element.slice(2)) as JsonObject;
      return `[${Object.entries(keys)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(',')}]`;
    })
    .join('');
}

/** A path names a list item or set member, which are owned but never "conflict" by value. */
export function isMembershipPath(path: FieldPath): boolean {
  const last = path[path.length - 1] ?? '';
  return last.startsWith('k:') || last.startsWith('v:');
}

/** Encode a set of paths as a fieldsV1 tree (`"."` marks a node that is itself owned and has children). */
export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  const owned = new Set<JsonObject>();
  for (const key of paths) {
    let node = root;
    for (const element of parsePathKey(key)) {
      const next = node[element];
      node = isObject(next) ? next : (node[element] = {}) as JsonObject;
    }
    owned.add(node);
  }
  const finish = (node: JsonObject): void => {
    const children = Object.keys(node);
    for (const childKey of children) finish(node[childKey] as JsonObject);
    if (owned.has(node) && children.length > 0) node['.'] = {};
  };
  for (const childKey of Object.keys(root)) finish(root[childKey] as JsonObject);
  return root;
}

export function fromFieldsV1(tree: unknown): Set<string> {
  const paths = new Set<string>();
  const walk = (node: unknown, path: FieldPath): void => {
    if (!isObject(node)) return;
    const children = Object.keys(node);
    if (children.length === 0 && path.length > 0) paths.add(pathKey(path));
    for (const childKey of children) {
      if (childKey === '.') paths.add(pathKey(path));
      else walk(node[childKey], [...path, childKey]);
    }
  };
  walk(tree, []);
  return paths;
}

/** Paths of `after` that are new or hold a different value than in `before`: what an Update operation changed. */
export function changedPaths(before: JsonObject, after: JsonObject, scope: PathScope): Set<string> {
  const changed = new Set<string>();
  for (const key of fieldSet(after, scope)) {
    const path = parsePathKey(key);
    const previous = valueAt(before, path);
    if (!previous.found) changed.add(key);
    else if (!isMembershipPath(path) && !deepEqual(previous.value, valueAt(after, path).value)) changed.add(key);
  }
  return changed;
}

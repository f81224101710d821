/**
 * The three non-apply PATCH formats: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
 * patch with the directives kubectl's client-side apply and helm's CSA path send ($patch, $retainKeys,
 * $setElementOrder, $deleteFromPrimitiveList).
 */
import { clone, isObject } from './json.js';
import type { JsonObject } from './kinds.js';
import { badRequest, StatusError } from './status-error.js';

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function patchFailure(message: string): StatusError {
  return new StatusError(422, 'Invalid', message);
}

function containerAt(document: unknown, tokens: string[]): unknown {
  let current = document;
  for (const token of tokens) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else return undefined;
  }
  return current;
}

function getPointer(document: unknown, pointer: string): unknown {
  const tokens = decodePointer(pointer);
  const value = containerAt(document, tokens);
  if (value === undefined) throw patchFailure(`jsonpatch: path ${pointer} does not exist`);
  return value;
}

function removePointer(document: unknown, pointer: string): void {
  const tokens = decodePointer(pointer);
  const parent = containerAt(document, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent) && Number(last) < parent.length) parent.splice(Number(last), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw patchFailure(`jsonpatch remove operation does not apply: doc is missing path: ${pointer}`);
}

function addPointer(document: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = decodePointer(pointer);
  if (tokens.length === 0) return clone(value);
  const parent = containerAt(document, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (replace) parent[index] = clone(value);
    else parent.splice(index, 0, clone(value));
  } else if (isObject(parent)) {
    if (replace && !(last in parent)) throw patchFailure(`jsonpatch replace operation does not apply: doc is missing key: ${pointer}`);
    parent[last] = clone(value);
  } else {
    throw patchFailure(`jsonpatch add operation does not apply: doc is missing path: ${pointer}`);
  }
  return document;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch must be an array of operations');
  let document = clone(target);
  for (const operation of operations as JsonPatchOperation[]) {
    switch (operation.op) {
      case 'add':
        document = addPointer(document, operation.path, operation.value, false);
        break;
      case 'replace':
        document = addPointer(document, operation.path, operation.value, true);
        break;
      case 'remove':
        removePointer(document, operation.path);
        break;
      case 'test':
        if (JSON.stringify(getPointer(document, operation.path)) !== JSON.stringify(operation.value)) {
          throw patchFailure(`testing value ${operation.path} failed`);
        }
        break;
      case 'move':
      case 'copy': {
        const value = clone(getPointer(document, operation.from ?? ''));
        if (operation.op === 'move') removePointer(document, operation.from ?? '');
        document = addPointer(document, operation.path, value, false);
        break;
      }
      default:
        throw badRequest(`unknown JSON patch operation ${operation.op}`);
    }
  }
  return document;
}

/** patchMergeKey of the lists Kubernetes types merge by key; lists not named here are replaced. */
function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
      return 'name';
    case 'ports':
      return items.some((item) => isObject(item) && 'containerPort' in item) ? 'containerPort' : 'port';
    case 'volumeMounts':
      return 'mountPath';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
      return 'type';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Lists of scalars merged as sets (patchStrategy: merge). */
const primitiveMergeLists = new Set(['finalizers']);

function mergeList(field: string, live: unknown[], patch: unknown[]): unknown[] {
  const key = mergeKeyFor(field, [...live, ...patch]);
  if (key === undefined) {
    if (primitiveMergeLists.has(field)) return [...live, ...patch.filter((value) => !live.includes(value))];
    return clone(patch);
  }
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map((item) => clone(item));
  }
  const result = [...live];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const position = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (position >= 0) result.splice(position, 1);
    } else if (position >= 0) {
      result[position] = strategicMergePatch(result[position], item);
    } else {
      result.push(strategicMergePatch({}, item));
    }
  }
  return result;
}

/** Reorder `items` to follow `$setElementOrder` where it names them; unnamed items keep their place at the end. */
function applyElementOrder(field: string, items: unknown[], order: unknown[]): unknown[] {
  const key = mergeKeyFor(field, items);
  const identify = (item: unknown): unknown => (key !== undefined && isObject(item) ? item[key] : item);
  const wanted = order.map(identify);
  const ranked = items.map((item, index) => {
    const rank = wanted.findIndex((value) => value === identify(item));
    return { item, rank: rank < 0 ? wanted.length + index : rank };
  });
  return ranked.sort((left, right) => left.rank - right.rank).map(({ item }) => item);
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'delete') return undefined;
  const base: JsonObject = isObject(target) && patch.$patch !== 'replace' ? { ...target } : {};
  const retainKeys = Array.isArray(patch.$retainKeys) ? (patch.$retainKeys as string[]) : undefined;
  const orders: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      orders.push([key.slice('$setElementOrder/'.length), value as unknown[]]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = base[field];
      if (Array.isArray(current)) base[field] = current.filter((item) => !(value as unknown[]).includes(item));
      continue;
    }
    if (value === null) {
      delete base[key];
    } else if (Array.isArray(value) && Array.isArray(base[key])) {
      base[key] = mergeList(key, base[key] as unknown[], value);
    } else if (Array.isArray(value)) {
      base[key] = mergeList(key, [], value);
    } else if (isObject(value)) {
      const merged = strategicMergePatch(base[key], value);
      if (merged === undefined) delete base[key];
      else base[key] = merged;
    } else {
      base[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const current = base[field];
    if (Array.isArray(current)) base[field] = applyElementOrder(field, current, order);
  }
  if (retainKeys) {
    for (const key of Object.keys(base)) if (!retainKeys.includes(key) && !(key in patch)) delete base[key];
  }
  return base;
}

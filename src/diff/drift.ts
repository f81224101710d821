import { isDeepStrictEqual } from 'node:util';
import type { DriftedField } from './model.js';
import { objectKey, objectRef, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';
import { normalizeObject } from './normalize.js';

/**
 * Every field the last sync applied whose live value differs (kubectl edit, kubectl scale...).
 * Fields only the live object has (server defaults, other controllers) are not drift. Lists of objects
 * that all carry a distinct `name` are matched by name (containers, env, volumes, ports), other lists of
 * objects by position, and lists of scalars (args, command) compare as a whole.
 * Both objects are expected normalized; a subtree missing from the live object is reported once, with `live: null`,
 * unless it is a zero value the API server omits.
 */
export function findDrift(applied: KubeObject, live: KubeObject): DriftedField[] {
  const drifted: DriftedField[] = [];
  // `key` is the value's own field name, `mapKey` the field name of the map holding it (`requests` for `requests.cpu`).
  const visit = (appliedValue: unknown, liveValue: unknown, path: string, key: string, mapKey: string): void => {
    if (liveValue === undefined || liveValue === null) {
      if (!isZeroValue(appliedValue)) drifted.push({ path, applied: appliedValue, live: null });
    } else if (isRecord(appliedValue) && isRecord(liveValue)) {
      for (const [fieldKey, field] of Object.entries(appliedValue)) {
        visit(field, liveValue[fieldKey], joinPath(path, fieldKey), fieldKey, key);
      }
    } else if (Array.isArray(appliedValue) && Array.isArray(liveValue) && appliedValue.some(isRecord)) {
      const names = namesOf(appliedValue);
      appliedValue.forEach((element, index) => {
        const name = names?.[index];
        const counterpart =
          name === undefined ? liveValue[index] : liveValue.find((item) => isRecord(item) && item.name === name);
        visit(element, counterpart, `${path}[${name === undefined ? index : `name=${name}`}]`, key, mapKey);
      });
    } else if (!sameValue(appliedValue, liveValue, mapKey)) {
      drifted.push({ path, applied: appliedValue, live: liveValue });
    }
  };
  for (const [key, field] of Object.entries(applied)) visit(field, live[key], key, key, '');
  return drifted;
}

/**
 * Go's omitempty drops these from what the API server returns, so a chart's `nodeSelector: {}`,
 * `tolerations: []` or `hostNetwork: false` is absent from the live object without anyone changing it.
 */
function isZeroValue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return value === '' || value === 0 || value === false;
}

/** The element names when every element is an object with a distinct string `name`, otherwise undefined. */
function namesOf(list: unknown[]): string[] | undefined {
  const names = list.map((element) =>
    isRecord(element) && typeof element.name === 'string' ? element.name : undefined,
  );
  if (names.some((name) => name === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function joinPath(path: string, key: string): string {
  // Label and annotation keys hold dots and slashes; bracket them so the path stays readable.
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}["${key}"]`;
}

// Maps whose values are resource quantities: the API server canonicalizes them (0.5 → 500m, 1024Mi → 1Gi).
const QUANTITY_MAPS = new Set(['limits', 'requests', 'hard', 'capacity', 'overhead']);

function sameValue(applied: unknown, live: unknown, mapKey: string): boolean {
  if (isDeepStrictEqual(applied, live)) return true;
  // Templates often render numbers that the server keeps as strings, or the other way round (ports, replicas).
  if (isScalar(applied) && isScalar(live) && String(applied) === String(live)) return true;
  if (!QUANTITY_MAPS.has(mapKey)) return false;
  const appliedQuantity = parseQuantity(applied);
  const liveQuantity = parseQuantity(live);
  if (appliedQuantity === undefined || liveQuantity === undefined) return false;
  return Math.abs(appliedQuantity - liveQuantity) <= 1e-9 * Math.max(Math.abs(appliedQuantity), Math.abs(liveQuantity));
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const QUANTITY_SUFFIXES: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes resource quantity (`250m`, `1.5Gi`, `1e3`, `2`) as a number, or undefined. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(value);
  if (!match) return undefined;
  const [, number = '', exponent, suffix = ''] = match;
  if (exponent !== undefined) return Number(number + exponent);
  const multiplier = QUANTITY_SUFFIXES[suffix];
  return multiplier === undefined ? undefined : Number(number) * multiplier;
}

/** A drift ignore rule of releases.yaml (see config/types.ts IgnoreDifference). */
export interface IgnoreRule {
  kind?: string;
  name?: string;
  jsonPointers: readonly string[];
}

/** `spec.template.spec.containers[name=server].image` → spec, template, spec, containers, name=server, image. */
function driftPathSegments(path: string): string[] {
  return [...path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[([^\]]+)\]|([^.[\]]+)/g)].map(
    (match) => match[1] ?? match[2] ?? match[3]!,
  );
}

/** `/spec/template/spec/containers/server/image`; a list element by index, by its name, or `*` for any. */
function pointerCovers(pointer: string, path: string): boolean {
  const wanted = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const actual = driftPathSegments(path);
  return (
    wanted.length <= actual.length &&
    wanted.every(
      (segment, index) => segment === '*' || segment === actual[index] || `name=${segment}` === actual[index],
    )
  );
}

/**
 * The pointers that drift of `obj` leaves out: the release's rules for its kind (and name), and `/spec/replicas` of
 * anything an HorizontalPodAutoscaler of the release scales, since the autoscaler owns that field.
 */
export function ignoredPointers(
  obj: KubeObject,
  rules: readonly IgnoreRule[],
  released: readonly KubeObject[],
): string[] {
  const scaled = released.some((other) => {
    const target =
      other.kind === 'HorizontalPodAutoscaler'
        ? (other.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef
        : undefined;
    return target?.kind === obj.kind && target.name === obj.metadata.name;
  });
  return [
    ...(scaled ? ['/spec/replicas'] : []),
    ...rules
      .filter((rule) => (!rule.kind || rule.kind === obj.kind) && (!rule.name || rule.name === obj.metadata.name))
      .flatMap((rule) => rule.jsonPointers),
  ];
}

/** findDrift, less the fields the given pointers cover. */
export function driftIgnoring(applied: KubeObject, live: KubeObject, pointers: readonly string[]): DriftedField[] {
  return findDrift(applied, live).filter((field) => !pointers.some((pointer) => pointerCovers(pointer, field.path)));
}

/**
 * The objects a deployed revision applied that no longer match the cluster: drifted (`Deployment/web`) or gone
 * (`Deployment/web (deleted)`). Compared as JSON, without rendering YAML: this is the no-op check of every sync.
 */
export function driftedObjects(
  deployed: readonly KubeObject[],
  liveByKey: ReadonlyMap<string, KubeObject>,
  namespace: string,
  rules: readonly IgnoreRule[] = [],
): string[] {
  return deployed.flatMap((applied) => {
    const live = liveByKey.get(objectKey(applied, namespace));
    if (!live) return [`${objectRef(applied)} (deleted)`];
    return driftIgnoring(normalizeObject(applied), normalizeObject(live), ignoredPointers(applied, rules, deployed))
      .length > 0
      ? [objectRef(applied)]
      : [];
  });
}

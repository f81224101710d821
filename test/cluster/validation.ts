/**
 * Server-side validation with the API server's own message texts: decoding (wrong types, unknown and duplicate
 * fields under fieldValidation Strict/Warn/Ignore), server-side apply's typed conversion, object validation
 * (required fields, names, file modes) and update validation (immutable fields). Texts are those of
 * k8s.io/apimachinery field errors, structured-merge-diff and pkg/apis/{core,apps,batch}/validation.
 */
import { deepEqual, isObject } from './json.js';
import type { JsonObject, KubeObject, ResourceType } from './kinds.js';
import { modelOfKind } from './openapi.js';
import { fieldPath, goLiteral, jsonDecoderPath, mergePath, nodeOfType, walk, type Step, type TypeMismatch } from './schema-walk.js';
import { StatusError, type StatusCause } from './status-error.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The validation context of a client's write; controller writes of the emulator itself have none. */
export interface ClientWrite {
  fieldValidation: FieldValidation;
  /** Warning texts for the response's Warning headers. */
  warnings: string[];
  /** Keys the request body repeats within one object. */
  duplicates: DuplicateKey[];
}

export interface DuplicateKey {
  key: string;
  line: number;
}

export function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const value = query.get('fieldValidation');
  return value === 'Strict' || value === 'Ignore' ? value : 'Warn';
}

type FieldErrorType = 'Required' | 'Invalid' | 'Forbidden';

interface FieldError {
  type: FieldErrorType;
  field: string;
  detail?: string;
  /** The bad value as Go prints it (Invalid only). */
  value?: string;
}

function errorBody(error: FieldError): string {
  switch (error.type) {
    case 'Required':
      return `Required value${error.detail ? `: ${error.detail}` : ''}`;
    case 'Invalid':
      return `Invalid value: ${error.value}${error.detail ? `: ${error.detail}` : ''}`;
    case 'Forbidden':
      return `Forbidden: ${error.detail ?? ''}`;
  }
}

/** `Deployment.apps "web" is invalid: spec.selector: Required value` (422 Invalid), as errors.NewInvalid writes it. */
function invalidObject(type: ResourceType, name: string, errors: FieldError[]): StatusError {
  const texts = errors.map((error) => `${error.field}: ${errorBody(error)}`);
  const qualifiedKind = type.group ? `${type.kind}.${type.group}` : type.kind;
  const causes: StatusCause[] = errors.map((error) => ({ reason: `FieldValue${error.type}`, message: errorBody(error), field: error.field }));
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`}`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.kind,
    causes,
  });
}

function gvkString(type: ResourceType): string {
  return `${type.group}/${type.version}, Kind=${type.kind}`;
}

/** Go's %T of a decoded JSON value. */
function goTypeOf(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return Array.isArray(value) ? '[]interface {}' : 'map[string]interface {}';
}

function mergeMismatch(mismatch: TypeMismatch): string {
  const got = mismatch.expected === 'numeric' ? goTypeOf(mismatch.value) : `&value.valueUnstructured{Value:${goLiteral(mismatch.value)}}`;
  const expected = mismatch.expected === 'numeric' ? 'numeric (int or float)' : mismatch.expected;
  return `${mergePath(mismatch.path)}: expected ${expected}, got ${got}`;
}

/**
 * Server-side apply converts the applied configuration to its schema's type first; a value of the wrong type or
 * an undeclared field fails the request whatever fieldValidation says (an error without a reason, code 500).
 */
export function checkAppliedConfiguration(type: ResourceType, applied: KubeObject, client: ClientWrite): void {
  reportDuplicatesOfApply(client);
  const node = nodeOfType(type);
  if (!node) return;
  const { mismatches, unknown } = walk(applied, node);
  const errors = [...mismatches.map(mergeMismatch), ...unknown.map((path) => `${mergePath(path)}: field not declared in schema`)];
  if (errors.length === 0) return;
  const { namespace = '', name = '' } = applied.metadata;
  const detail = errors.length === 1 ? errors[0] : ['errors:', ...errors.map((error) => `  ${error}`)].join('\n');
  throw new StatusError(500, '', `failed to create typed patch object (${namespace}/${name}; ${gvkString(type)}): ${detail}`);
}

/** Duplicate keys in an apply body: strict YAML decoding of the patch, after the apply itself. */
function reportDuplicatesOfApply(client: ClientWrite): void {
  if (client.duplicates.length === 0 || client.fieldValidation === 'Ignore') return;
  const lines = client.duplicates.map(({ key, line }) => `line ${line}: key ${JSON.stringify(key)} already set in map`);
  if (client.fieldValidation === 'Strict') {
    throw new StatusError(400, 'BadRequest', `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n${lines.map((line) => `  ${line}`).join('\n')}`);
  }
  client.warnings.push(...lines);
}

function jsonKindOf(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function deleteAt(object: JsonObject, path: Step[]): void {
  let current: unknown = object;
  for (const step of path.slice(0, -1)) {
    current = 'field' in step ? (current as JsonObject)[step.field] : (current as unknown[])[step.index];
  }
  const last = path.at(-1);
  if (last && 'field' in last && isObject(current)) delete current[last.field];
}

/**
 * Decoding of a create, update or (non-apply) patch result: a built-in kind's decoder rejects a value of the
 * wrong type (400); unknown and duplicate fields fail under Strict, are warnings under Warn, and are dropped.
 * A custom resource's wrong types are schema errors (422); its unknown fields are pruned.
 */
export function decodeObject(type: ResourceType, object: KubeObject, client: ClientWrite): void {
  const node = nodeOfType(type);
  const cannotHandle = `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}`;
  const { mismatches, unknown } = node ? walk(object, node) : { mismatches: [], unknown: [] };
  const first = mismatches[0];
  if (first && modelOfKind(type)) {
    throw new StatusError(
      400,
      'BadRequest',
      `${cannotHandle}: json: cannot unmarshal ${jsonKindOf(first.value)} into Go struct field ${first.struct}.${jsonDecoderPath(first.path)} of type ${first.goType}`,
    );
  }
  if (first) {
    throw invalidObject(
      type,
      object.metadata.name ?? '',
      mismatches.map((mismatch) => {
        const field = fieldPath(mismatch.path);
        const actual = jsonSchemaTypeOf(mismatch.value);
        return { type: 'Invalid', field, value: JSON.stringify(actual), detail: `${field} in body must be of type ${mismatch.schemaType}: ${JSON.stringify(actual)}` };
      }),
    );
  }
  const problems = [...client.duplicates.map(({ key }) => `duplicate field ${JSON.stringify(key)}`), ...unknown.map((path) => `unknown field "${fieldPath(path)}"`)];
  if (problems.length > 0 && client.fieldValidation === 'Strict') {
    throw new StatusError(400, 'BadRequest', `${cannotHandle}: strict decoding error: ${problems.join(', ')}`);
  }
  if (client.fieldValidation === 'Warn') client.warnings.push(...problems);
  for (const path of unknown) deleteAt(object, path);
}

function jsonSchemaTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

// --- object validation ---

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const label1123Message =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const label1035Message =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function dnsErrors(field: string, value: string, format: 'subdomain' | 'label1123' | 'label1035'): FieldError[] {
  const [pattern, message, max] =
    format === 'subdomain' ? [subdomain, subdomainMessage, 253] : format === 'label1123' ? [label1123, label1123Message, 63] : [label1035, label1035Message, 63];
  const errors: FieldError[] = [];
  if (value.length > max) errors.push({ type: 'Invalid', field, value: JSON.stringify(value), detail: `must be no more than ${max} characters` });
  if (!pattern.test(value)) errors.push({ type: 'Invalid', field, value: JSON.stringify(value), detail: message });
  return errors;
}

/** RBAC objects are named by path segments (`system:aggregate-to-edit`), custom resources by their CRD's rules. */
const pathSegmentNamed = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameErrors(type: ResourceType, name: string): FieldError[] {
  if (!modelOfKind(type)) return [];
  if (pathSegmentNamed.has(type.kind) && type.group === 'rbac.authorization.k8s.io') {
    if (name === '.' || name === '..') return [{ type: 'Invalid', field: 'metadata.name', value: JSON.stringify(name), detail: `may not be '${name}'` }];
    return /[/%]/.test(name) ? [{ type: 'Invalid', field: 'metadata.name', value: JSON.stringify(name), detail: "may not contain '/'" }] : [];
  }
  if (type.group === '' && type.kind === 'Namespace') return dnsErrors('metadata.name', name, 'label1123');
  if (type.group === '' && type.kind === 'Service') return dnsErrors('metadata.name', name, 'label1035');
  return dnsErrors('metadata.name', name, 'subdomain');
}

const fileModeMessage = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Where a kind keeps its pod spec. */
function podSpecPath(object: KubeObject): { spec: JsonObject; path: string } | undefined {
  const spec = object.spec;
  if (!isObject(spec)) return undefined;
  if (object.kind === 'Pod') return { spec, path: 'spec' };
  if (object.kind === 'CronJob') {
    const jobSpec = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
    const podSpec = jobSpec && isObject(jobSpec.template) && isObject(jobSpec.template.spec) ? jobSpec.template.spec : undefined;
    return podSpec && { spec: podSpec, path: 'spec.jobTemplate.spec.template.spec' };
  }
  const podSpec = isObject(spec.template) && isObject(spec.template.spec) ? spec.template.spec : undefined;
  return podSpec && { spec: podSpec, path: 'spec.template.spec' };
}

function modeErrors(field: string, mode: unknown): FieldError[] {
  if (typeof mode !== 'number' || (mode >= 0 && mode <= 0o777)) return [];
  return [{ type: 'Invalid', field, value: String(mode), detail: fileModeMessage }];
}

function itemsModeErrors(field: string, items: unknown): FieldError[] {
  return Array.isArray(items) ? items.flatMap((item, index) => (isObject(item) ? modeErrors(`${field}[${index}].mode`, item.mode) : [])) : [];
}

function podSpecErrors(spec: JsonObject, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  volumes.forEach((volume, index) => {
    if (!isObject(volume)) return;
    const base = `${path}.volumes[${index}]`;
    for (const source of ['configMap', 'secret', 'downwardAPI', 'projected'] as const) {
      const value = volume[source];
      if (!isObject(value)) continue;
      errors.push(...modeErrors(`${base}.${source}.defaultMode`, value.defaultMode), ...itemsModeErrors(`${base}.${source}.items`, value.items));
      if (source === 'projected' && Array.isArray(value.sources)) {
        value.sources.forEach((projection, sourceIndex) => {
          if (!isObject(projection)) return;
          for (const kind of ['configMap', 'secret', 'downwardAPI'] as const) {
            const projected = projection[kind];
            if (isObject(projected)) errors.push(...itemsModeErrors(`${base}.projected.sources[${sourceIndex}].${kind}.items`, projected.items));
          }
        });
      }
    }
  });
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = Array.isArray(spec[list]) ? spec[list] : [];
    containers.forEach((container, index) => {
      if (isObject(container) && typeof container.name === 'string') errors.push(...dnsErrors(`${path}.${list}[${index}].name`, container.name, 'label1123'));
    });
  }
  return errors;
}

function requiredErrors(type: ResourceType, object: KubeObject): FieldError[] {
  const node = nodeOfType(type);
  if (!node) return [];
  // The status is the controllers' to write; managedFields are the server's.
  const { status: _status, ...rest } = object;
  return walk({ ...rest, metadata: { ...object.metadata, managedFields: undefined } }, node).missing.map((path) => ({ type: 'Required', field: fieldPath(path) }));
}

/** Validation of a new or updated object before defaulting: required fields, names, file modes. */
export function validateObject(type: ResourceType, object: KubeObject): void {
  const name = object.metadata.name ?? '';
  const podSpec = podSpecPath(object);
  const errors = [...nameErrors(type, name), ...requiredErrors(type, object), ...(podSpec ? podSpecErrors(podSpec.spec, podSpec.path) : [])];
  if (errors.length > 0) throw invalidObject(type, name, errors);
}

// --- update validation: immutable fields ---

/** metav1.LabelSelector as Go's %#v prints it in "field is immutable" messages. */
function labelSelectorLiteral(selector: unknown): string {
  const value = isObject(selector) ? selector : {};
  const labels = isObject(value.matchLabels) ? value.matchLabels : undefined;
  const labelText = labels
    ? `map[string]string{${Object.keys(labels)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${JSON.stringify(labels[key])}`)
        .join(', ')}}`
    : 'map[string]string(nil)';
  const expressions = Array.isArray(value.matchExpressions) ? (value.matchExpressions as JsonObject[]) : undefined;
  const expressionText = expressions
    ? `[]v1.LabelSelectorRequirement{${expressions
        .map((requirement) => {
          const values = Array.isArray(requirement.values) ? `[]string{${(requirement.values as string[]).map((item) => JSON.stringify(item)).join(', ')}}` : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(requirement.key ?? '')}, Operator:${JSON.stringify(requirement.operator ?? '')}, Values:${values}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labelText}, MatchExpressions:${expressionText}}`;
}

const immutable = 'field is immutable';

function specOf(object: KubeObject): JsonObject {
  return isObject(object.spec) ? object.spec : {};
}

function without(object: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

const statefulSetMutable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

type UpdateRule = (before: KubeObject, after: KubeObject) => FieldError[];

function selectorRule(before: KubeObject, after: KubeObject): FieldError[] {
  const selector = specOf(after).selector;
  return deepEqual(specOf(before).selector, selector) ? [] : [{ type: 'Invalid', field: 'spec.selector', value: labelSelectorLiteral(selector), detail: immutable }];
}

function immutableWhenSet(before: KubeObject, after: KubeObject, fields: string[]): FieldError[] {
  if (before.immutable !== true) return [];
  const detail = 'field is immutable when `immutable` is set';
  const errors: FieldError[] = after.immutable === true ? [] : [{ type: 'Forbidden', field: 'immutable', detail }];
  for (const field of fields) if (!deepEqual(before[field], after[field])) errors.push({ type: 'Forbidden', field, detail });
  return errors;
}

/** A claim's spec as the immutability check compares it: what may change is taken from the other side. */
function claimSpecs(before: KubeObject, after: KubeObject): [JsonObject, JsonObject] {
  const [oldSpec, newSpec] = [structuredClone(specOf(before)), structuredClone(specOf(after))];
  delete oldSpec.volumeAttributesClassName;
  delete newSpec.volumeAttributesClassName;
  // The binder sets volumeName once.
  if (!oldSpec.volumeName) oldSpec.volumeName = newSpec.volumeName;
  const bound = isObject(before.status) && before.status.phase === 'Bound';
  const requests = (spec: JsonObject): JsonObject | undefined => (isObject(spec.resources) && isObject(spec.resources.requests) ? spec.resources.requests : undefined);
  const newRequests = requests(newSpec);
  if (bound && newRequests) newRequests.storage = requests(oldSpec)?.storage;
  return [JSON.parse(JSON.stringify(oldSpec)) as JsonObject, JSON.parse(JSON.stringify(newSpec)) as JsonObject];
}

const updateRules: Record<string, UpdateRule> = {
  'apps/Deployment': selectorRule,
  'apps/ReplicaSet': selectorRule,
  'apps/DaemonSet': selectorRule,
  'apps/StatefulSet': (before, after) =>
    deepEqual(without(specOf(before), statefulSetMutable), without(specOf(after), statefulSetMutable))
      ? []
      : [
          {
            type: 'Forbidden',
            field: 'spec',
            detail: `updates to statefulset spec for fields other than ${statefulSetMutable
              .slice(0, -1)
              .map((field) => `'${field}'`)
              .join(', ')} and '${statefulSetMutable.at(-1)}' are forbidden`,
          },
        ],
  'batch/Job': (before, after) => {
    const errors = selectorRule(before, after);
    if (!deepEqual(specOf(before).template, specOf(after).template)) {
      errors.push({ type: 'Invalid', field: 'spec.template', value: 'core.PodTemplateSpec{…}', detail: immutable });
    }
    return errors;
  },
  '/Service': (before, after) => {
    const [oldSpec, newSpec] = [specOf(before), specOf(after)];
    if (oldSpec.type === 'ExternalName' || newSpec.type === 'ExternalName' || !oldSpec.clusterIP) return [];
    if (deepEqual(oldSpec.clusterIPs, newSpec.clusterIPs) && oldSpec.clusterIP === newSpec.clusterIP) return [];
    const ips = Array.isArray(newSpec.clusterIPs) ? `[]string{${(newSpec.clusterIPs as string[]).map((ip) => JSON.stringify(ip)).join(', ')}}` : '[]string(nil)';
    return [{ type: 'Invalid', field: 'spec.clusterIPs[0]', value: ips, detail: 'may not change once set' }];
  },
  '/PersistentVolumeClaim': (before, after) => {
    const [oldSpec, newSpec] = claimSpecs(before, after);
    if (deepEqual(oldSpec, newSpec)) return [];
    return [{ type: 'Forbidden', field: 'spec', detail: 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }];
  },
  '/ConfigMap': (before, after) => immutableWhenSet(before, after, ['data', 'binaryData']),
  '/Secret': (before, after) => {
    const errors = immutableWhenSet(before, after, ['data']);
    if (before.type !== after.type) errors.push({ type: 'Invalid', field: 'type', value: JSON.stringify(after.type), detail: immutable });
    return errors;
  },
  'apiextensions.k8s.io/CustomResourceDefinition': (before, after) =>
    ['scope', 'group'].flatMap((field): FieldError[] =>
      specOf(before)[field] === specOf(after)[field] ? [] : [{ type: 'Invalid', field: `spec.${field}`, value: JSON.stringify(specOf(after)[field]), detail: immutable }],
    ),
};

/** Validation of an update against the live object, both defaulted: the immutable fields. */
export function validateUpdate(type: ResourceType, before: KubeObject, after: KubeObject): void {
  const rule = updateRules[`${type.group}/${type.kind}`];
  const errors = rule ? rule(before, after) : [];
  if (errors.length > 0) throw invalidObject(type, after.metadata.name ?? '', errors);
}

/**
 * Keys repeated within one object of a JSON text, with their lines: JSON.parse keeps the last silently, the
 * API server's strict decoders report them.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // One entry per open container: the keys seen so far for an object, undefined for an array.
  const stack: (Set<string> | undefined)[] = [];
  let line = 1;
  let expectKey = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') line++;
    else if (char === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (char === '[') {
      stack.push(undefined);
      expectKey = false;
    } else if (char === '}' || char === ']') {
      stack.pop();
      expectKey = false;
    } else if (char === ',') expectKey = stack.at(-1) !== undefined;
    else if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = stack.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key)) found.push({ key, line });
        keys.add(key);
        expectKey = false;
      }
      index = end;
    }
  }
  return found;
}

/**
 * Walks an object against its schema (a built-in kind's catalogue model, or a custom resource's structural
 * schema) and reports what the API server's decoders report: values of the wrong type, unknown fields and
 * missing required fields, each with the path in the forms the server's messages use.
 */
import { listSemantics } from './field-paths.js';
import { isObject } from './json.js';
import type { JsonObject, ResourceType } from './kinds.js';
import { goPackageName, goStructName, isScalarType, model, modelOfKind, type TypeExpression } from './openapi.js';

type Scalar = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'any';

/** A schema node, resolved lazily so recursive models (JSONSchemaProps) cost nothing until walked. */
export type SchemaNode =
  | { kind: 'scalar'; scalar: Scalar }
  | { kind: 'object'; goType: string; members: () => Map<string, SchemaNode>; required: string[]; preserveUnknown: boolean }
  | { kind: 'array'; items: SchemaNode; goType: string }
  | { kind: 'map'; values: SchemaNode; goType: string };

const anyNode: SchemaNode = { kind: 'scalar', scalar: 'any' };

function goTypeOfExpression(expression: TypeExpression): string {
  if (expression.startsWith('[]')) return `[]${goTypeOfExpression(expression.slice(2))}`;
  if (expression.startsWith('{}')) return `map[string]${goTypeOfExpression(expression.slice(2))}`;
  const scalars: Record<string, string> = {
    string: 'string',
    integer: 'int32',
    number: 'float64',
    boolean: 'bool',
    'int-or-string': 'intstr.IntOrString',
    quantity: 'resource.Quantity',
    any: 'interface {}',
  };
  return scalars[expression] ?? `${goPackageName(expression)}.${goStructName(expression)}`;
}

const nodeCache = new Map<string, SchemaNode>();

export function nodeOfExpression(expression: TypeExpression): SchemaNode {
  const cached = nodeCache.get(expression);
  if (cached) return cached;
  let node: SchemaNode;
  if (expression.startsWith('[]')) node = { kind: 'array', items: nodeOfExpression(expression.slice(2)), goType: goTypeOfExpression(expression) };
  else if (expression.startsWith('{}')) node = { kind: 'map', values: nodeOfExpression(expression.slice(2)), goType: goTypeOfExpression(expression) };
  else if (isScalarType(expression)) node = { kind: 'scalar', scalar: expression as Scalar };
  else {
    const schema = model(expression);
    if (!schema) node = { kind: 'scalar', scalar: 'string' };
    else {
      let members: Map<string, SchemaNode> | undefined;
      node = {
        kind: 'object',
        goType: goStructName(expression),
        members: () => (members ??= new Map(Object.entries(schema.properties).map(([name, type]) => [name, nodeOfExpression(type)]))),
        required: schema.required ?? [],
        preserveUnknown: false,
      };
    }
  }
  nodeCache.set(expression, node);
  return node;
}

/** A node for a structural schema (CRD openAPIV3Schema). */
export function nodeOfJsonSchema(schema: JsonObject): SchemaNode {
  if (schema['x-kubernetes-int-or-string'] === true) return { kind: 'scalar', scalar: 'int-or-string' };
  const preserveUnknown = schema['x-kubernetes-preserve-unknown-fields'] === true || schema['x-kubernetes-embedded-resource'] === true;
  switch (schema.type) {
    case 'string':
    case 'boolean':
    case 'integer':
    case 'number':
      return { kind: 'scalar', scalar: schema.type };
    case 'array':
      return { kind: 'array', items: isObject(schema.items) ? nodeOfJsonSchema(schema.items) : anyNode, goType: '[]interface {}' };
    case 'object': {
      if (isObject(schema.additionalProperties)) return { kind: 'map', values: nodeOfJsonSchema(schema.additionalProperties), goType: 'map[string]interface {}' };
      const properties = isObject(schema.properties) ? schema.properties : undefined;
      if (!properties && (preserveUnknown || schema.additionalProperties === true)) return anyNode;
      let members: Map<string, SchemaNode> | undefined;
      return {
        kind: 'object',
        goType: 'map[string]interface {}',
        members: () => (members ??= new Map(Object.entries(properties ?? {}).map(([name, member]) => [name, nodeOfJsonSchema(member as JsonObject)]))),
        required: (schema.required ?? []) as string[],
        preserveUnknown,
      };
    }
    default:
      return anyNode;
  }
}

/** The schema of a resource type's objects, or undefined when nothing is known (then nothing is checked). */
export function nodeOfType(type: ResourceType): SchemaNode | undefined {
  const builtin = modelOfKind(type);
  if (builtin) return nodeOfExpression(builtin);
  if (!type.schema) return undefined;
  const node = nodeOfJsonSchema(type.schema);
  if (node.kind !== 'object') return node;
  const own = node.members;
  return {
    ...node,
    members: () =>
      new Map([...own(), ['apiVersion', nodeOfExpression('string')], ['kind', nodeOfExpression('string')], ['metadata', nodeOfExpression('V1ObjectMeta')]]),
  };
}

/** One step of a path: an object member, or a list item (with the list's field name, to render keyed items). */
export type Step = { field: string } | { index: number; item: unknown; list: string };

export interface TypeMismatch {
  path: Step[];
  expected: 'string' | 'numeric' | 'boolean' | 'map' | 'list';
  /** The JSON schema type that was expected: string, integer, number, boolean, object, array. */
  schemaType: string;
  /** The Go type the JSON decoder would unmarshal into, and the struct and field it belongs to. */
  goType: string;
  struct: string;
  value: unknown;
}

export interface WalkResult {
  mismatches: TypeMismatch[];
  unknown: Step[][];
  missing: Step[][];
}

function scalarMatches(scalar: Scalar, value: unknown): TypeMismatch['expected'] | undefined {
  switch (scalar) {
    case 'string':
      return typeof value === 'string' ? undefined : 'string';
    case 'integer':
    case 'number':
      return typeof value === 'number' ? undefined : 'numeric';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'boolean';
    case 'int-or-string':
    case 'quantity':
      return typeof value === 'string' || typeof value === 'number' ? undefined : 'string';
    default:
      return undefined;
  }
}

/** Walk `value` against `node`. */
export function walk(value: unknown, node: SchemaNode): WalkResult {
  const result: WalkResult = { mismatches: [], unknown: [], missing: [] };
  visit(value, node, [], 'Object', result);
  return result;
}

function visit(value: unknown, node: SchemaNode, path: Step[], struct: string, result: WalkResult): void {
  if (value === null || value === undefined) return;
  const mismatch = (expected: TypeMismatch['expected'], goType: string, schemaType: string): void => {
    result.mismatches.push({ path, expected, goType, schemaType, struct, value });
  };
  switch (node.kind) {
    case 'scalar': {
      const expected = scalarMatches(node.scalar, value);
      if (expected) mismatch(expected, goTypeOfExpression(node.scalar), node.scalar === 'integer' || node.scalar === 'number' || node.scalar === 'boolean' ? node.scalar : 'string');
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return mismatch('list', node.goType, 'array');
      const field = lastField(path);
      value.forEach((item, index) => visit(item, node.items, [...path, { index, item, list: field }], struct, result));
      return;
    }
    case 'map': {
      if (!isObject(value)) return mismatch('map', node.goType, 'object');
      for (const [key, member] of Object.entries(value)) visit(member, node.values, [...path, { field: key }], struct, result);
      return;
    }
    case 'object': {
      if (!isObject(value)) return mismatch('map', node.goType, 'object');
      const members = node.members();
      for (const [key, member] of Object.entries(value)) {
        const memberNode = members.get(key);
        const memberPath = [...path, { field: key }];
        if (memberNode) visit(member, memberNode, memberPath, node.goType, result);
        else if (!node.preserveUnknown) result.unknown.push(memberPath);
      }
      for (const name of node.required) {
        if (value[name] === undefined || value[name] === null) result.missing.push([...path, { field: name }]);
      }
      return;
    }
  }
}

function lastField(path: Step[]): string {
  for (let index = path.length - 1; index >= 0; index--) {
    const step = path[index];
    if (step && 'field' in step) return step.field;
  }
  return '';
}

/** `spec.template.spec.containers[0].name`: the path form of field errors and strict decoding errors. */
export function fieldPath(path: Step[]): string {
  return path.map((step, index) => ('field' in step ? `${index === 0 ? '' : '.'}${step.field}` : `[${step.index}]`)).join('');
}

/** `spec.template.spec.containers.env.value`: the path form of encoding/json type errors (no indices). */
export function jsonDecoderPath(path: Step[]): string {
  return path.flatMap((step) => ('field' in step ? [step.field] : [])).join('.');
}

/** `.spec.containers[name="app"].env[name="FLAG"].value`: the path form of structured-merge-diff. */
export function mergePath(path: Step[]): string {
  return path
    .map((step) => {
      if ('field' in step) return `.${step.field}`;
      const semantics = listSemantics(step.list, [step.item]);
      if (semantics.type === 'keyed' && isObject(step.item)) {
        const keys = semantics.keys.filter((key) => step.item && (step.item as JsonObject)[key] !== undefined);
        return `[${keys.map((key) => `${key}=${goLiteral((step.item as JsonObject)[key], false)}`).join(',')}]`;
      }
      if (semantics.type === 'set') return `[${goLiteral(step.item, false)}]`;
      return `[${step.index}]`;
    })
    .join('');
}

/** Go's %#v of a decoded JSON value, as structured-merge-diff and encoding/json print them. */
export function goLiteral(value: unknown, typed = true): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return typed ? 'interface {}(nil)' : 'null';
  if (Array.isArray(value)) return `[]interface {}{${value.map((item) => goLiteral(item)).join(', ')}}`;
  const members = Object.keys(value as JsonObject)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${goLiteral((value as JsonObject)[key])}`);
  return `map[string]interface {}{${members.join(', ')}}`;
}

import type { Ajv, ValidateFunction } from 'ajv';
import { newAjv } from '../jsonschema/ajv.js';
import type { JsonSchema } from './kube-catalogue.js';
import { isCustomResourceDefinition } from '../kube/objects.js';
import type { KubeObject } from './types.js';
import { record } from './untyped.js';

const COPIED_KEYWORDS = [
  'type',
  'enum',
  'required',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
];

// The API server fills these in for every custom resource, so CRD schemas usually leave them out.
const OBJECT_HEADER: Record<string, JsonSchema> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
};

/**
 * Validators for the custom resources whose CustomResourceDefinitions are in `objects`, keyed
 * "group/version/Kind" like built-in kinds. A version whose schema ajv cannot compile is left out, so its
 * objects are reported as having no schema instead of failing the whole lint.
 */
export function crdSchemas(objects: KubeObject[]): Map<string, ValidateFunction> {
  const validators = new Map<string, ValidateFunction>();
  let ajv: Ajv | undefined; // most releases render no CRD: skip creating one
  for (const object of objects) {
    if (!isCustomResourceDefinition(object)) continue;
    const spec = record(object.spec);
    const kind = record(spec.names).kind;
    if (typeof spec.group !== 'string' || typeof kind !== 'string' || !Array.isArray(spec.versions)) continue;
    for (const version of spec.versions.map(record)) {
      const openApi = record(version.schema).openAPIV3Schema;
      if (typeof version.name !== 'string' || openApi === undefined) continue;
      const root = structuralToJsonSchema(openApi);
      root.properties = { ...OBJECT_HEADER, ...record(root.properties) };
      try {
        ajv ??= newAjv();
        validators.set(`${spec.group}/${version.name}/${kind}`, ajv.compile(root));
      } catch {
        // Left out on purpose (see above): e.g. a Go regexp `pattern` that JavaScript cannot compile.
      }
    }
  }
  return validators;
}

/**
 * Converts a CRD structural schema (OpenAPI v3 with Kubernetes extensions) to strict JSON Schema: unknown
 * fields are rejected unless x-kubernetes-preserve-unknown-fields says otherwise, as the API server prunes them.
 */
export function structuralToJsonSchema(node: unknown): JsonSchema {
  const source = record(node);
  const schema: JsonSchema = {};
  for (const keyword of COPIED_KEYWORDS) if (keyword in source) schema[keyword] = source[keyword];
  if (source.properties !== undefined) {
    schema.properties = Object.fromEntries(
      Object.entries(record(source.properties)).map(([name, child]) => [name, structuralToJsonSchema(child)]),
    );
  }
  if (source.items !== undefined) schema.items = structuralToJsonSchema(source.items);
  if (typeof source.additionalProperties === 'boolean') schema.additionalProperties = source.additionalProperties;
  else if (source.additionalProperties !== undefined)
    schema.additionalProperties = structuralToJsonSchema(source.additionalProperties);
  for (const combinator of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = source[combinator];
    if (Array.isArray(branches)) schema[combinator] = branches.map(structuralToJsonSchema);
  }
  if (source.not !== undefined) schema.not = structuralToJsonSchema(source.not);

  if (source['x-kubernetes-embedded-resource'] === true) {
    schema.properties = { ...OBJECT_HEADER, ...record(schema.properties) };
  }
  if (source['x-kubernetes-int-or-string'] === true) schema.type = ['integer', 'string'];
  else if (
    schema.properties !== undefined &&
    schema.additionalProperties === undefined &&
    source['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  if (source.nullable === true && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  return schema;
}

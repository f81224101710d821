/**
 * The schemas of the built-in kinds and of custom resources, served as OpenAPI v3 (one document per
 * group-version, JSON) and OpenAPI v2 (one document, protobuf as client-go asks for it, or JSON), and read by
 * the validator. Built-in schemas come from the Kubernetes type catalogue the project keeps for lint
 * (schema/kube, generated from the official JavaScript client's OpenAPI models), loaded as data
 * once per process on first use. Field names, types and required-ness are real; descriptions are not carried.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isObject } from './json.js';
import { apiVersionOf, type JsonObject, type ResourceType } from './kinds.js';
import { lengthDelimited } from './protobuf.js';

/**
 * A field's type in the catalogue's compact notation:
 * string | integer | number | boolean | int-or-string | quantity | any | <Model> | []<type> | {}<type>.
 */
export type TypeExpression = string;

export interface ModelSchema {
  properties: Record<string, TypeExpression>;
  required?: string[];
}

interface Catalogue {
  source: string;
  /** `apps/v1/Deployment` → model name. */
  kinds: Record<string, string>;
  types: Record<string, ModelSchema>;
}

const catalogueFile = new URL('../../schema/kube/kube-1.36.json', import.meta.url);
let loaded: Catalogue | undefined;

function catalogue(): Catalogue {
  loaded ??= JSON.parse(readFileSync(catalogueFile, 'utf8')) as Catalogue;
  return loaded;
}

const scalarTypes = new Set(['string', 'integer', 'number', 'boolean', 'int-or-string', 'quantity', 'any']);

export function isScalarType(expression: TypeExpression): boolean {
  return scalarTypes.has(expression);
}

/** The model of a built-in kind, e.g. V1Deployment for apps/v1 Deployment. */
export function modelOfKind(type: Pick<ResourceType, 'group' | 'version' | 'kind'>): string | undefined {
  return catalogue().kinds[`${apiVersionOf(type)}/${type.kind}`];
}

export function model(name: string): ModelSchema | undefined {
  return catalogue().types[name];
}

/** V1EnvVar → EnvVar, CoreV1EventSeries → EventSeries: the Go type name. */
export function goStructName(modelName: string): string {
  return /^(?:[A-Z][a-z]*)?V\d+(?:alpha\d+|beta\d+)?([A-Z].*)$/.exec(modelName)?.[1] ?? modelName;
}

/** V1EnvVar → v1: the Go package name of the type's version. */
export function goPackageName(modelName: string): string {
  return /V\d+(?:alpha\d+|beta\d+)?/.exec(modelName)?.[0]?.toLowerCase() ?? 'v1';
}

/** Component name of a model: `io.k8s.api.v1.Deployment`, `io.k8s.api.core.v1.EventSeries`. */
function definitionName(modelName: string): string {
  const match = /^([A-Z][a-z]*?)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/.exec(modelName);
  if (!match) return `io.k8s.api.${modelName}`;
  const [, groupWord, version = 'V1', name] = match;
  return ['io.k8s.api', ...(groupWord ? [groupWord.toLowerCase()] : []), version.toLowerCase(), name].join('.');
}

type RefStyle = (definition: string) => string;
const v3Ref: RefStyle = (definition) => `#/components/schemas/${definition}`;
const v2Ref: RefStyle = (definition) => `#/definitions/${definition}`;

function schemaOfExpression(expression: TypeExpression, ref: RefStyle, reached: Set<string>): JsonObject {
  if (expression.startsWith('[]')) return { type: 'array', items: schemaOfExpression(expression.slice(2), ref, reached) };
  if (expression.startsWith('{}')) return { type: 'object', additionalProperties: schemaOfExpression(expression.slice(2), ref, reached) };
  switch (expression) {
    case 'string':
    case 'boolean':
      return { type: expression };
    case 'integer':
      return { type: 'integer', format: 'int64' };
    case 'number':
      return { type: 'number', format: 'double' };
    case 'int-or-string':
      return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
    case 'quantity':
      return { type: 'string', format: 'quantity' };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      // MicroTime is a string on the wire; the catalogue names it without defining it.
      if (!model(expression)) return { type: 'string', format: 'date-time' };
      reached.add(expression);
      return { $ref: ref(definitionName(expression)) };
  }
}

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

/** Every model reachable from the given roots, each as an OpenAPI schema keyed by its definition name. */
function definitionsFrom(roots: Map<string, Gvk[]>, ref: RefStyle): Record<string, JsonObject> {
  const definitions: Record<string, JsonObject> = {};
  const pending = new Set(roots.keys());
  const done = new Set<string>();
  for (const name of pending) {
    if (done.has(name)) continue;
    done.add(name);
    const schema = model(name);
    if (!schema) continue;
    const reached = new Set<string>();
    const properties = Object.fromEntries(
      Object.entries(schema.properties).map(([field, expression]) => [field, schemaOfExpression(expression, ref, reached)]),
    );
    const gvks = roots.get(name);
    definitions[definitionName(name)] = {
      type: 'object',
      properties,
      ...(schema.required ? { required: schema.required } : {}),
      ...(gvks ? { 'x-kubernetes-group-version-kind': gvks } : {}),
    };
    for (const next of reached) pending.add(next);
  }
  return definitions;
}

function rootsOf(types: ResourceType[]): Map<string, Gvk[]> {
  const roots = new Map<string, Gvk[]>();
  for (const type of types) {
    const name = modelOfKind(type);
    if (name) roots.set(name, [...(roots.get(name) ?? []), { group: type.group, version: type.version, kind: type.kind }]);
  }
  return roots;
}

/** A custom resource's schema: its CRD's openAPIV3Schema with the standard apiVersion/kind/metadata members. */
function customResourceSchema(type: ResourceType, ref: RefStyle): JsonObject {
  const schema = type.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = (isObject(schema.properties) ? schema.properties : {}) as JsonObject;
  return {
    ...schema,
    properties: {
      ...properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: ref(definitionName(objectMetaModel)) },
    },
    'x-kubernetes-group-version-kind': [{ group: type.group, version: type.version, kind: type.kind }],
  };
}

const objectMetaModel = 'V1ObjectMeta';

function customDefinitionName(type: ResourceType): string {
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

function componentSchemas(members: ResourceType[], ref: RefStyle): Record<string, JsonObject> {
  const custom = members.filter((type) => !modelOfKind(type));
  const roots = rootsOf(members);
  if (custom.length > 0) roots.set(objectMetaModel, roots.get(objectMetaModel) ?? []);
  const definitions = definitionsFrom(roots, ref);
  for (const type of custom) definitions[customDefinitionName(type)] = customResourceSchema(type, ref);
  return definitions;
}

/** `api/v1` or `apis/apps/v1`: the key of a group-version in /openapi/v3. */
function openApiKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/**
 * One PATCH path per kind advertising the `fieldValidation` parameter: helm and kubectl look for it to leave
 * validation to the server (see the surface doc, section 1).
 */
function pathsOf(members: ResourceType[], group: string, version: string): JsonObject {
  return Object.fromEntries(
    members.map((type) => {
      const scope = type.namespaced ? '/namespaces/{namespace}' : '';
      return [
        `/${openApiKey(group, version)}${scope}/${type.resource}/{name}`,
        {
          patch: {
            'x-kubernetes-group-version-kind': { group, version, kind: type.kind },
            parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
          },
        },
      ];
    }),
  );
}

export function openApiDocument(types: ResourceType[], group: string, version: string): Record<string, unknown> | undefined {
  const members = types.filter((type) => type.group === group && type.version === version);
  if (members.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths: pathsOf(members, group, version),
    components: { schemas: componentSchemas(members, v3Ref) },
  };
}

export function openApiIndex(types: ResourceType[]): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const groupVersions = new Set(types.map((type) => `${type.group}\0${type.version}`));
  for (const entry of groupVersions) {
    const [group = '', version = ''] = entry.split('\0');
    const members = types.filter((type) => type.group === group && type.version === version);
    // The hash only has to change when the document does; the members' identity and schemas decide that.
    const hash = createHash('sha512')
      .update(JSON.stringify(members.map((type) => [type.kind, type.resource, type.namespaced, type.schema ?? null])))
      .digest('hex')
      .slice(0, 32)
      .toUpperCase();
    const key = openApiKey(group, version);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

export function swaggerDocument(types: ResourceType[]): JsonObject {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.35.0' },
    paths: {},
    definitions: componentSchemas(types, v2Ref),
  };
}

/** What kube-openapi answers a protobuf request with (the Accept type itself is not a valid media type in Go). */
export const openApiV2ProtobufType = 'application/octet-stream';

export function wantsProtobufOpenApi(accept: string | undefined): boolean {
  return (accept ?? '').includes('com.github.proto-openapi.spec.v2');
}

// --- protobuf encoding of gnostic's openapi_v2.Document (the message client-go's OpenAPISchema() parses) ---

/** Any{yaml}: gnostic keeps vendor extensions and defaults as YAML text; JSON is YAML. */
function anyMessage(value: unknown): Buffer {
  return lengthDelimited(2, JSON.stringify(value));
}

function schemaMessage(schema: JsonObject): Buffer {
  const parts: Buffer[] = [];
  if (typeof schema.$ref === 'string') parts.push(lengthDelimited(1, schema.$ref));
  if (typeof schema.format === 'string') parts.push(lengthDelimited(2, schema.format));
  for (const name of (schema.required ?? []) as string[]) parts.push(lengthDelimited(19, name));
  if (isObject(schema.additionalProperties)) parts.push(lengthDelimited(21, lengthDelimited(1, schemaMessage(schema.additionalProperties))));
  if (typeof schema.type === 'string') parts.push(lengthDelimited(22, lengthDelimited(1, schema.type)));
  if (isObject(schema.items)) parts.push(lengthDelimited(23, lengthDelimited(1, schemaMessage(schema.items))));
  if (isObject(schema.properties)) {
    const named = Object.entries(schema.properties).map(([name, member]) =>
      lengthDelimited(1, Buffer.concat([lengthDelimited(1, name), lengthDelimited(2, schemaMessage(member as JsonObject))])),
    );
    parts.push(lengthDelimited(25, Buffer.concat(named)));
  }
  for (const [name, value] of Object.entries(schema)) {
    if (name.startsWith('x-')) parts.push(lengthDelimited(31, Buffer.concat([lengthDelimited(1, name), lengthDelimited(2, anyMessage(value))])));
  }
  return Buffer.concat(parts);
}

export function swaggerProtobuf(document: JsonObject): Buffer {
  const info = document.info as { title: string; version: string };
  const definitions = Object.entries(document.definitions as Record<string, JsonObject>).map(([name, schema]) =>
    lengthDelimited(1, Buffer.concat([lengthDelimited(1, name), lengthDelimited(2, schemaMessage(schema))])),
  );
  return Buffer.concat([
    lengthDelimited(1, String(document.swagger)),
    lengthDelimited(2, Buffer.concat([lengthDelimited(1, info.title), lengthDelimited(2, info.version)])),
    lengthDelimited(8, Buffer.alloc(0)),
    lengthDelimited(9, Buffer.concat(definitions)),
  ]);
}

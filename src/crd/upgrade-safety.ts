import type { ErrorObject } from 'ajv';
import { crdSchemas } from '../lint/crd-schemas.js';
import { list, record } from '../lint/untyped.js';
import type { KubeObject } from '../kube/objects.js';
import type { ReleaseDiff } from '../diff/model.js';

/**
 * What upgrading a CustomResourceDefinition would do to the objects stored under it and to their clients, decided
 * before helm writes it (helm applies a templated CRD like any object; OLM's preflight is the anchor).
 * Pure: the live CRD, the rendered one and the live custom resources come in; findings go out.
 */

export type CrdRule =
  /** A version that clients use (served) is gone or no longer served. */
  | 'served-version-removed'
  /** A version the API server has stored objects in (`status.storedVersions`) is gone: they can no longer be read. */
  | 'stored-version-removed'
  /** A live custom resource fails the new schema: a field narrowed, made required, bounded, or dropped (pruned). */
  | 'object-rejected'
  /** The storage version moves to one with another schema while conversion is `None`: nothing converts the objects. */
  | 'storage-without-conversion';

export interface CrdFinding {
  crd: string;
  rule: CrdRule;
  message: string;
  /** The live objects affected, `namespace/name` (or `name`), each with why. */
  objects: string[];
}

/** A CustomResourceDefinition a release would change: its schema change, line by line, and what it would break. */
export interface CrdUpgrade {
  crd: string;
  changes: string[];
  findings: CrdFinding[];
}

/** The release diff with each changed CRD's schema change and unsafe findings as impacts of that CRD's change. */
export function withCrdImpacts(diff: ReleaseDiff, upgrades: readonly CrdUpgrade[]): ReleaseDiff {
  if (upgrades.length === 0) return diff;
  const byRef = new Map(upgrades.map((upgrade) => [`CustomResourceDefinition/${upgrade.crd}`, upgrade]));
  return {
    ...diff,
    changes: diff.changes.map((change) => {
      const upgrade = byRef.get(change.ref);
      if (!upgrade) return change;
      const unsafe = upgrade.findings.map((finding) => ({
        kind: 'crd-unsafe' as const,
        message: `unsafe, sync refuses it without --allow-unsafe-crd-change ${upgrade.crd}: ${finding.message}${finding.objects.length > 0 ? ` (${finding.objects.join('; ')})` : ''}`,
      }));
      return {
        ...change,
        impacts: [
          ...change.impacts,
          ...unsafe,
          ...upgrade.changes.map((line) => ({ kind: 'crd-schema' as const, message: `schema ${line}` })),
        ],
      };
    }),
  };
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: unknown;
}

const versionsOf = (crd: KubeObject): CrdVersion[] =>
  list(record(crd.spec).versions)
    .map(record)
    .filter((version) => typeof version.name === 'string')
    .map((version) => ({
      name: version.name as string,
      served: version.served !== false,
      storage: version.storage === true,
      schema: record(version.schema).openAPIV3Schema,
    }));

/** The versions a CRD serves, in its order. */
export const servedVersions = (crd: KubeObject): string[] =>
  versionsOf(crd)
    .filter((version) => version.served)
    .map((version) => version.name);

const objectName = (obj: KubeObject) =>
  obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
const versionOf = (obj: KubeObject) => obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1);

/** The unsafe parts of changing `current` (live, with its status) into `proposed`, given the live custom resources. */
export function unsafeCrdChanges(current: KubeObject, proposed: KubeObject, liveObjects: KubeObject[]): CrdFinding[] {
  const crd = current.metadata.name;
  const before = versionsOf(current);
  const after = new Map(versionsOf(proposed).map((version) => [version.name, version]));
  const findings: CrdFinding[] = [];
  const objectsAt = (version: string) => liveObjects.filter((obj) => versionOf(obj) === version).map(objectName);

  for (const version of before.filter((old) => old.served)) {
    const next = after.get(version.name);
    if (next?.served) continue;
    findings.push({
      crd,
      rule: 'served-version-removed',
      message: `version ${version.name} is served today and ${next ? 'would no longer be served' : 'would be removed'}: clients that use it break`,
      objects: objectsAt(version.name),
    });
  }
  for (const stored of list(record(current.status).storedVersions).filter(
    (name): name is string => typeof name === 'string',
  )) {
    if (after.has(stored)) continue;
    findings.push({
      crd,
      rule: 'stored-version-removed',
      message: `version ${stored} is in status.storedVersions and would be removed: objects stored in it could no longer be read (migrate them and drop it from storedVersions first)`,
      objects: liveObjects.map(objectName),
    });
  }

  const validators = crdSchemas([proposed]);
  const group = record(proposed.spec).group;
  const kind = record(record(proposed.spec).names).kind;
  const rejected = new Map<string, string[]>();
  for (const obj of liveObjects) {
    const version = versionOf(obj);
    if (!after.get(version)?.served) continue; // reported above, by version
    const validate = validators.get(`${group}/${version}/${kind}`);
    if (!validate || validate(withoutServerFields(obj))) continue;
    // Read at each version that stays served: one object may fail at several, each reason said once.
    const reasons = [...(rejected.get(objectName(obj)) ?? []), ...(validate.errors ?? []).map(describeError)];
    rejected.set(objectName(obj), [...new Set(reasons)]);
  }
  if (rejected.size > 0) {
    findings.push({
      crd,
      rule: 'object-rejected',
      message: `${rejected.size} live ${kind} ${rejected.size === 1 ? 'object fails' : 'objects fail'} the new schema`,
      objects: [...rejected].map(([name, reasons]) => `${name}: ${reasons.join('; ')}`),
    });
  }

  const oldStorage = before.find((version) => version.storage);
  const newStorage = [...after.values()].find((version) => version.storage);
  const strategy = record(record(proposed.spec).conversion).strategy ?? 'None';
  if (
    oldStorage &&
    newStorage &&
    oldStorage.name !== newStorage.name &&
    strategy === 'None' &&
    !sameSchema(oldStorage.schema, newStorage.schema)
  ) {
    findings.push({
      crd,
      rule: 'storage-without-conversion',
      message: `the storage version moves from ${oldStorage.name} to ${newStorage.name}, whose schema differs, with conversion strategy None: nothing converts the stored objects`,
      objects: objectsAt(oldStorage.name),
    });
  }
  return findings;
}

/** The server sets these on every object; a CRD schema does not describe them. */
function withoutServerFields(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj;
  return rest as KubeObject;
}

function describeError(error: ErrorObject): string {
  const path = error.instancePath.replace(/\//g, '.') || '.';
  if (error.keyword === 'additionalProperties') {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path === '.' ? '' : path}.${field} is set and no longer in the schema (the API server would prune it)`;
  }
  return `${path} ${error.message ?? error.keyword}`;
}

function sameSchema(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
  );
}

/** One line per difference between two CRDs' versions and schemas, for diff to show the schema change as such. */
export function crdSchemaChanges(current: KubeObject, proposed: KubeObject): string[] {
  const before = new Map(versionsOf(current).map((version) => [version.name, version]));
  const after = new Map(versionsOf(proposed).map((version) => [version.name, version]));
  const lines: string[] = [];
  for (const [name, version] of after) {
    const old = before.get(name);
    if (!old) {
      lines.push(`+ version ${name}${version.served ? '' : ' (not served)'}${version.storage ? ' (storage)' : ''}`);
      continue;
    }
    if (old.served !== version.served)
      lines.push(`~ version ${name}: ${version.served ? 'served' : 'no longer served'}`);
    if (old.storage !== version.storage)
      lines.push(`~ version ${name}: ${version.storage ? 'now the storage version' : 'no longer the storage version'}`);
    lines.push(
      ...schemaChanges(old.schema, version.schema, '').map((line) => `${line.slice(0, 2)}${name} ${line.slice(2)}`),
    );
  }
  for (const name of before.keys()) if (!after.has(name)) lines.push(`- version ${name}`);
  return lines;
}

const CONSTRAINTS = [
  'type',
  'enum',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
];

function schemaChanges(before: unknown, after: unknown, path: string): string[] {
  const old = record(before);
  const next = record(after);
  const lines: string[] = [];
  const at = path || '.';
  for (const keyword of CONSTRAINTS) {
    if (JSON.stringify(old[keyword]) === JSON.stringify(next[keyword])) continue;
    lines.push(
      `~ ${at}: ${keyword} ${JSON.stringify(old[keyword]) ?? '(none)'} → ${JSON.stringify(next[keyword]) ?? '(none)'}`,
    );
  }
  const oldRequired = new Set(list(old.required));
  const newRequired = new Set(list(next.required));
  for (const field of newRequired) if (!oldRequired.has(field)) lines.push(`~ ${path}.${String(field)}: now required`);
  for (const field of oldRequired)
    if (!newRequired.has(field)) lines.push(`~ ${path}.${String(field)}: no longer required`);
  const oldProperties = record(old.properties);
  const newProperties = record(next.properties);
  for (const [field, schema] of Object.entries(newProperties)) {
    if (field in oldProperties) lines.push(...schemaChanges(oldProperties[field], schema, `${path}.${field}`));
    else lines.push(`+ ${path}.${field}`);
  }
  for (const field of Object.keys(oldProperties)) if (!(field in newProperties)) lines.push(`- ${path}.${field}`);
  if (old.items !== undefined || next.items !== undefined)
    lines.push(...schemaChanges(old.items, next.items, `${path}[]`));
  return lines;
}

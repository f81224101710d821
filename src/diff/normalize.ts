import { stringify } from 'yaml';
import { isCoreSecret, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';

// Written by the API server or by controllers, never by the user: diffing them is pure noise.
const SERVER_METADATA_FIELDS = [
  'creationTimestamp',
  'deletionGracePeriodSeconds',
  'deletionTimestamp',
  'generation',
  'managedFields',
  'resourceVersion',
  'selfLink',
  'uid',
];

const SERVER_ANNOTATIONS = [
  'deployment.kubernetes.io/revision',
  // Holds a full copy of the object, Secret data included.
  'kubectl.kubernetes.io/last-applied-configuration',
  // Helm's ownership bookkeeping, added by helm at install time and absent from rendered charts.
  'meta.helm.sh/release-name',
  'meta.helm.sh/release-namespace',
];

/**
 * The object as it should be compared and shown: no status, no server-managed metadata, no null fields
 * (the API server drops them), no empty label/annotation maps, Secret `stringData` folded into base64 `data`
 * the way the API server stores it, and every map's keys sorted so that YAML output is byte-stable.
 */
export function normalizeObject(obj: KubeObject): KubeObject {
  const { status: _status, ...rest } = obj;
  const metadata: Record<string, unknown> = { ...obj.metadata };
  for (const field of SERVER_METADATA_FIELDS) delete metadata[field];
  for (const mapField of ['labels', 'annotations'] as const) {
    const map = { ...obj.metadata[mapField] };
    if (mapField === 'annotations') for (const annotation of SERVER_ANNOTATIONS) delete map[annotation];
    if (Object.keys(map).length === 0) delete metadata[mapField];
    else metadata[mapField] = map;
  }
  const normalized = { ...rest, metadata };
  if (isCoreSecret(obj)) foldStringData(normalized);
  return sortKeysDeep(dropNulls(normalized)) as KubeObject;
}

function foldStringData(secret: Record<string, unknown>): void {
  const data = new Map<string, unknown>();
  // Re-encode so that equal bytes compare equal whatever padding or line breaks the chart used.
  for (const [key, value] of Object.entries(isRecord(secret.data) ? secret.data : {})) {
    data.set(key, typeof value === 'string' ? Buffer.from(value, 'base64').toString('base64') : value);
  }
  // stringData wins over data for the same key, as on the API server.
  for (const [key, value] of Object.entries(isRecord(secret.stringData) ? secret.stringData : {})) {
    data.set(key, Buffer.from(String(value), 'utf8').toString('base64'));
  }
  delete secret.stringData;
  if (data.size > 0) secret.data = Object.fromEntries(data);
  else delete secret.data;
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null && field !== undefined)
      .map(([key, field]) => [key, dropNulls(field)]),
  );
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (!isRecord(value)) return value;
  // fromEntries rather than assignment: a `__proto__` key must stay a plain field.
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeysDeep(value[key])]),
  );
}

/** YAML for display and line diffs: no line folding (a folded line would diff as two), no anchors. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

import { isDeepStrictEqual } from 'node:util';
import type { ComparedObject, Impact } from './model.js';
import { fieldAt, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';

// Controllers that replace running pods when their pod template changes. A ReplicaSet is left out on
// purpose: it never touches pods that already run.
const ROLLING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

const POD_TEMPLATE_PATH = ['spec', 'template'];

/** Impacts of every changed object of one release, by object key (objects without impact are absent). */
export function assessImpacts(objects: readonly ComparedObject[]): Map<string, Impact[]> {
  const impacts = new Map<string, Impact[]>();
  for (const object of objects) {
    if (object.action !== 'change' || !object.live || !object.desired) continue;
    const found = [
      ...rolloutImpacts(object.desired, object.live),
      ...staleConfigImpacts(object, objects),
      ...replaceImpacts(object.live, object.desired),
    ];
    if (found.length > 0) impacts.set(object.key, found);
  }
  return impacts;
}

function rolloutImpacts(desired: KubeObject, live: KubeObject): Impact[] {
  if (!ROLLING_KINDS.has(desired.kind) || !podTemplateChanged(live, desired)) return [];
  const ref = `${desired.kind}/${desired.metadata.name}`;
  if (fieldAt(desired, ['spec', 'updateStrategy', 'type']) === 'OnDelete') {
    return [
      { kind: 'rollout', message: `pods of ${ref} keep the old template until deleted (updateStrategy OnDelete)` },
    ];
  }
  if (desired.kind === 'DaemonSet') return [{ kind: 'rollout', message: `rolls the pods of ${ref}` }];
  const replicas = fieldAt(desired, ['spec', 'replicas']);
  const count = typeof replicas === 'number' ? replicas : 1;
  if (count === 0) return [];
  return [{ kind: 'rollout', message: `rolls ${count} ${count === 1 ? 'pod' : 'pods'} of ${ref}` }];
}

function podTemplateChanged(live: KubeObject, desired: KubeObject): boolean {
  return !isDeepStrictEqual(fieldAt(live, POD_TEMPLATE_PATH), fieldAt(desired, POD_TEMPLATE_PATH));
}

/**
 * A changed ConfigMap or Secret reaches running pods only when they restart; charts usually force that
 * with a checksum annotation on the pod template, which then shows up as a rollout of the consumer instead.
 */
function staleConfigImpacts(config: ComparedObject, objects: readonly ComparedObject[]): Impact[] {
  const { live, desired } = config;
  if (!live || !desired || !isConfigKind(desired) || !configContentChanged(live, desired)) return [];
  return objects
    .filter((workload) => workload.namespace === config.namespace && isStaleConsumer(workload, desired))
    .map((workload) => ({
      kind: 'stale-config',
      message: `pods of ${workload.ref} keep the old config until restarted`,
    }));
}

function isStaleConsumer(workload: ComparedObject, config: KubeObject): boolean {
  const { live, desired } = workload;
  if (!live || !desired || !ROLLING_KINDS.has(desired.kind) || podTemplateChanged(live, desired)) return false;
  const podSpec = fieldAt(desired, [...POD_TEMPLATE_PATH, 'spec']);
  const references = config.kind === 'ConfigMap' ? configMapReferences(podSpec) : secretReferences(podSpec);
  return references.has(config.metadata.name);
}

function isConfigKind(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && (obj.kind === 'ConfigMap' || obj.kind === 'Secret');
}

function configContentChanged(live: KubeObject, desired: KubeObject): boolean {
  return ['data', 'binaryData', 'stringData'].some((field) => !isDeepStrictEqual(live[field], desired[field]));
}

function configMapReferences(podSpec: unknown): Set<string> {
  return collectReferences(podSpec, {
    keyRef: 'configMapKeyRef',
    fromRef: 'configMapRef',
    volume: ['configMap', 'name'],
    projection: 'configMap',
  });
}

function secretReferences(podSpec: unknown): Set<string> {
  return collectReferences(podSpec, {
    keyRef: 'secretKeyRef',
    fromRef: 'secretRef',
    volume: ['secret', 'secretName'],
    projection: 'secret',
  });
}

/** Where a pod spec names a ConfigMap or Secret: env valueFrom, envFrom, volumes and projected volume sources. */
interface ReferenceFields {
  keyRef: string;
  fromRef: string;
  volume: [string, string];
  projection: string;
}

function collectReferences(podSpec: unknown, fields: ReferenceFields): Set<string> {
  const names = new Set<string>();
  const add = (name: unknown): void => {
    if (typeof name === 'string') names.add(name);
  };
  const containers = [...listAt(podSpec, ['initContainers']), ...listAt(podSpec, ['containers'])];
  for (const container of containers) {
    for (const env of listAt(container, ['env'])) add(fieldAt(env, ['valueFrom', fields.keyRef, 'name']));
    for (const envFrom of listAt(container, ['envFrom'])) add(fieldAt(envFrom, [fields.fromRef, 'name']));
  }
  for (const volume of listAt(podSpec, ['volumes'])) {
    add(fieldAt(volume, fields.volume));
    for (const source of listAt(volume, ['projected', 'sources'])) add(fieldAt(source, [fields.projection, 'name']));
  }
  return names;
}

function listAt(value: unknown, path: readonly string[]): unknown[] {
  const list = fieldAt(value, path);
  return Array.isArray(list) ? list : [];
}

interface ImmutableField {
  path: string[];
  /** Only when the live object has set it: the API server assigns some of these itself. */
  onceSet?: boolean;
}

// Fields the API server refuses to update: changing them fails unless the object is deleted and recreated.
const IMMUTABLE_FIELDS: Record<string, ImmutableField[]> = {
  Deployment: [{ path: ['spec', 'selector'] }],
  ReplicaSet: [{ path: ['spec', 'selector'] }],
  DaemonSet: [{ path: ['spec', 'selector'] }],
  StatefulSet: [
    { path: ['spec', 'selector'] },
    { path: ['spec', 'volumeClaimTemplates'] },
    { path: ['spec', 'serviceName'] },
    { path: ['spec', 'podManagementPolicy'] },
  ],
  Job: [{ path: ['spec', 'selector'] }, { path: ['spec', 'template'] }],
  Service: [{ path: ['spec', 'clusterIP'], onceSet: true }],
};

function replaceImpacts(live: KubeObject, desired: KubeObject): Impact[] {
  const changed = (IMMUTABLE_FIELDS[desired.kind] ?? [])
    .filter(({ path, onceSet }) => {
      const liveValue = fieldAt(live, path);
      const desiredValue = fieldAt(desired, path);
      if (onceSet && (liveValue === undefined || liveValue === '' || desiredValue === undefined)) return false;
      return !isDeepStrictEqual(liveValue, desiredValue);
    })
    .map(({ path }) => `${path.join('.')} is immutable`);
  if (desired.kind === 'PersistentVolumeClaim' && !isDeepStrictEqual(withoutRequests(live), withoutRequests(desired))) {
    changed.push('spec is immutable except resources.requests');
  }
  if (isConfigKind(desired) && live.immutable === true && configContentChanged(live, desired)) {
    changed.push(`data of an immutable ${desired.kind} cannot change`);
  }
  return changed.map((reason) => ({ kind: 'replace', message: `requires replace: ${reason}` }));
}

function withoutRequests(pvc: KubeObject): unknown {
  const spec = isRecord(pvc.spec) ? pvc.spec : {};
  const resources = isRecord(spec.resources) ? spec.resources : {};
  const { requests: _requests, ...otherResources } = resources;
  return { ...spec, resources: otherResources };
}

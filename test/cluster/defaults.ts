/**
 * Defaulting as the API server does it on every write. Clients depend on it: helm's legacy wait dereferences
 * Deployment/StatefulSet spec.replicas and Job spec.backoffLimit, and kubectl diff compares defaulted objects.
 */
import { child, isObject } from './json.js';
import type { JsonObject, KubeObject } from './kinds.js';

export interface Allocator {
  /** A fresh ClusterIP for a Service. */
  clusterIP(): string;
  /** A fresh NodePort in 30000-32767. */
  nodePort(): number;
}

function setDefault(object: JsonObject, key: string, value: unknown): void {
  if (object[key] === undefined) object[key] = value;
}

function defaultProbe(probe: unknown): void {
  if (!isObject(probe)) return;
  setDefault(probe, 'timeoutSeconds', 1);
  setDefault(probe, 'periodSeconds', 10);
  setDefault(probe, 'successThreshold', 1);
  setDefault(probe, 'failureThreshold', 3);
  if (isObject(probe.httpGet)) setDefault(probe.httpGet, 'scheme', 'HTTP');
  if (isObject(probe.httpGet)) setDefault(probe.httpGet, 'path', '/');
  if (isObject(probe.grpc)) setDefault(probe.grpc, 'service', '');
}

function defaultContainer(container: unknown): void {
  if (!isObject(container)) return;
  const image = String(container.image ?? '');
  const tag = image.includes('@') ? 'digest' : (/:([^/:]+)$/.exec(image)?.[1] ?? 'latest');
  setDefault(container, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  for (const port of (container.ports ?? []) as unknown[]) if (isObject(port)) setDefault(port, 'protocol', 'TCP');
  for (const variable of (container.env ?? []) as unknown[]) {
    if (isObject(variable) && isObject(variable.valueFrom) && isObject(variable.valueFrom.fieldRef)) {
      setDefault(variable.valueFrom.fieldRef, 'apiVersion', 'v1');
    }
  }
  defaultProbe(container.livenessProbe);
  defaultProbe(container.readinessProbe);
  defaultProbe(container.startupProbe);
}

export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  for (const container of [...((spec.containers ?? []) as unknown[]), ...((spec.initContainers ?? []) as unknown[])]) {
    defaultContainer(container);
  }
  for (const volume of (spec.volumes ?? []) as unknown[]) {
    if (!isObject(volume)) continue;
    for (const source of ['configMap', 'secret'] as const) if (isObject(volume[source])) setDefault(volume[source], 'defaultMode', 420);
  }
}

function defaultTemplate(spec: JsonObject): void {
  const template = child(spec, 'template');
  child(template, 'metadata');
  defaultPodSpec(child(template, 'spec'));
}

function defaultClaimTemplate(claim: unknown): void {
  if (!isObject(claim)) return;
  setDefault(claim, 'apiVersion', 'v1');
  setDefault(claim, 'kind', 'PersistentVolumeClaim');
  setDefault(child(claim, 'spec'), 'volumeMode', 'Filesystem');
  setDefault(child(claim, 'status'), 'phase', 'Pending');
}

function defaultServiceSpec(spec: JsonObject, allocator: Allocator): void {
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocator.clusterIP();
  setDefault(spec, 'clusterIPs', [spec.clusterIP]);
  setDefault(spec, 'ipFamilies', ['IPv4']);
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  const exposesNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (exposesNodePorts) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const port of (spec.ports ?? []) as unknown[]) {
    if (!isObject(port)) continue;
    setDefault(port, 'protocol', 'TCP');
    setDefault(port, 'targetPort', port.port);
    if (exposesNodePorts) setDefault(port, 'nodePort', allocator.nodePort());
  }
}

/**
 * Values the server allocated (a Service's clusterIP, node ports) survive an update that omits them, so a
 * client can resubmit the object it created (the registry's patchAllocatedValues), and go with a switch to
 * ExternalName.
 */
export function keepAllocatedValues(before: KubeObject, after: KubeObject): void {
  if (before.kind !== 'Service' || !isObject(before.spec) || !isObject(after.spec)) return;
  const [oldSpec, newSpec] = [before.spec, after.spec];
  if (oldSpec.type === 'ExternalName') return;
  if (newSpec.type === 'ExternalName') {
    // A switch to a type without a cluster IP releases the allocated one (the registry's dropTypeDependentFields).
    if (newSpec.clusterIP === oldSpec.clusterIP) for (const field of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) delete newSpec[field];
    return;
  }
  if (newSpec.clusterIP === undefined || newSpec.clusterIP === '') {
    newSpec.clusterIP = oldSpec.clusterIP;
    newSpec.clusterIPs ??= oldSpec.clusterIPs;
  }
  const exposesNodePorts = (spec: JsonObject): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (!exposesNodePorts(oldSpec) || !exposesNodePorts(newSpec)) return;
  const oldPorts = (Array.isArray(oldSpec.ports) ? oldSpec.ports : []).filter(isObject);
  for (const port of (Array.isArray(newSpec.ports) ? newSpec.ports : []).filter(isObject)) {
    const previous = oldPorts.find((candidate) => candidate.port === port.port && (candidate.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (port.nodePort === undefined && previous?.nodePort !== undefined) port.nodePort = previous.nodePort;
  }
}

type KindDefaulter = (object: KubeObject, allocator: Allocator) => void;

const defaulters: Record<string, KindDefaulter> = {
  Namespace(object) {
    object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': object.metadata.name ?? '' };
    setDefault(child(object, 'spec'), 'finalizers', ['kubernetes']);
    setDefault(child(object, 'status'), 'phase', 'Active');
  },
  Secret(object) {
    setDefault(object, 'type', 'Opaque');
    // stringData is write-only: the API server folds it into data.
    if (isObject(object.stringData)) {
      const data = child(object, 'data');
      for (const [key, value] of Object.entries(object.stringData)) data[key] = Buffer.from(String(value)).toString('base64');
      delete object.stringData;
    }
  },
  Service(object, allocator) {
    defaultServiceSpec(child(object, 'spec'), allocator);
    child(object, 'status').loadBalancer ??= {};
  },
  Pod(object) {
    defaultPodSpec(child(object, 'spec'));
    setDefault(child(object, 'status'), 'phase', 'Pending');
  },
  PersistentVolumeClaim(object) {
    setDefault(child(object, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(child(object, 'status'), 'phase', 'Pending');
  },
  Deployment(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    const strategy = child(spec, 'strategy');
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const rollingUpdate = child(strategy, 'rollingUpdate');
      setDefault(rollingUpdate, 'maxUnavailable', '25%');
      setDefault(rollingUpdate, 'maxSurge', '25%');
    }
    defaultTemplate(spec);
  },
  ReplicaSet(object) {
    setDefault(child(object, 'spec'), 'replicas', 1);
    defaultTemplate(child(object, 'spec'));
  },
  StatefulSet(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
    const updateStrategy = child(spec, 'updateStrategy');
    setDefault(updateStrategy, 'type', 'RollingUpdate');
    if (updateStrategy.type === 'RollingUpdate') setDefault(child(updateStrategy, 'rollingUpdate'), 'partition', 0);
    for (const claim of (spec.volumeClaimTemplates ?? []) as unknown[]) defaultClaimTemplate(claim);
    defaultTemplate(spec);
  },
  DaemonSet(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'revisionHistoryLimit', 10);
    const updateStrategy = child(spec, 'updateStrategy');
    setDefault(updateStrategy, 'type', 'RollingUpdate');
    if (updateStrategy.type === 'RollingUpdate') {
      const rollingUpdate = child(updateStrategy, 'rollingUpdate');
      setDefault(rollingUpdate, 'maxUnavailable', 1);
      setDefault(rollingUpdate, 'maxSurge', 0);
    }
    defaultTemplate(spec);
  },
  Job(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'backoffLimit', 6);
    setDefault(spec, 'completions', 1);
    setDefault(spec, 'parallelism', 1);
    setDefault(spec, 'completionMode', 'NonIndexed');
    setDefault(spec, 'suspend', false);
    setDefault(spec, 'manualSelector', false);
    setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
    const uid = object.metadata.uid ?? '';
    const controllerLabels = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': object.metadata.name ?? '' };
    setDefault(spec, 'selector', { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    const templateMetadata = child(child(spec, 'template'), 'metadata');
    templateMetadata.labels = { ...(templateMetadata.labels as Record<string, string> | undefined), ...controllerLabels };
    const templateSpec = child(child(spec, 'template'), 'spec');
    setDefault(templateSpec, 'restartPolicy', 'Never');
    defaultPodSpec(templateSpec);
  },
  CronJob(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'concurrencyPolicy', 'Allow');
    setDefault(spec, 'suspend', false);
    setDefault(spec, 'successfulJobsHistoryLimit', 3);
    setDefault(spec, 'failedJobsHistoryLimit', 1);
  },
  NetworkPolicy(object) {
    const spec = child(object, 'spec');
    setDefault(spec, 'policyTypes', Array.isArray(spec.egress) ? ['Ingress', 'Egress'] : ['Ingress']);
  },
};

/** Fill in the defaults of `object` in place; also drops empty labels/annotations maps, which clients treat as absent. */
export function applyDefaults(object: KubeObject, allocator: Allocator): void {
  defaulters[object.kind]?.(object, allocator);
  for (const key of ['labels', 'annotations'] as const) {
    const map = object.metadata[key];
    if (map && Object.keys(map).length === 0) delete object.metadata[key];
  }
}

import type { KubeObject } from './types.js';
import { list, record, stringMap } from './untyped.js';

// Loose shapes of the rendered fields the rules read. Rendered objects may be schema-invalid (layer 3
// reports that), so every accessor below tolerates missing or mistyped fields instead of trusting these types.
export interface Probe {
  httpGet?: { port?: number | string };
  tcpSocket?: { port?: number | string };
  grpc?: { port?: number };
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
}

export interface EnvVar {
  name?: string;
  value?: unknown;
  valueFrom?: { configMapKeyRef?: { name?: string } };
}

export interface Container {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name?: string } }[];
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  affinity?: { podAntiAffinity?: unknown };
  topologySpreadConstraints?: unknown[];
  restartPolicy?: string;
  volumes?: {
    configMap?: { name?: string };
    projected?: { sources?: { configMap?: { name?: string } }[] };
  }[];
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: PodSpec;
}

export interface Workload {
  object: KubeObject;
  template: PodTemplate;
  /** Desired replicas for scalable kinds (unset means 1); undefined for DaemonSets, Jobs and Pods. */
  replicas: number | undefined;
  /** Runs until stopped (Deployments, Pods that restart…), as opposed to Jobs and hook Pods. */
  longRunning: boolean;
}

const SCALABLE_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
const TEMPLATE_KINDS = new Set([...SCALABLE_KINDS, 'DaemonSet', 'Job']);

/** Every object that runs pods, with its pod template, in the order they were rendered. */
export function findWorkloads(objects: KubeObject[]): Workload[] {
  const workloads: Workload[] = [];
  for (const object of objects) {
    const spec = record(object.spec);
    if (TEMPLATE_KINDS.has(object.kind)) {
      workloads.push({
        object,
        template: podTemplate(spec.template),
        replicas: SCALABLE_KINDS.has(object.kind) ? (typeof spec.replicas === 'number' ? spec.replicas : 1) : undefined,
        longRunning: object.kind !== 'Job',
      });
    } else if (object.kind === 'CronJob') {
      const jobSpec = record(record(spec.jobTemplate).spec);
      workloads.push({ object, template: podTemplate(jobSpec.template), replicas: undefined, longRunning: false });
    } else if (object.kind === 'Pod' && object.apiVersion === 'v1') {
      const template = podTemplate({ metadata: object.metadata, spec });
      const restarts = (template.spec.restartPolicy ?? 'Always') === 'Always';
      const hook = object.metadata.annotations?.['helm.sh/hook'] !== undefined;
      workloads.push({ object, template, replicas: undefined, longRunning: restarts && !hook });
    }
  }
  return workloads;
}

function podTemplate(value: unknown): PodTemplate {
  const template = record(value);
  const metadata = record(template.metadata);
  return {
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    spec: record(template.spec) as PodSpec,
  };
}

/** App containers only: probes and resources concern what serves traffic. */
export function appContainers(spec: PodSpec): Container[] {
  return list(spec.containers).map((container) => record(container) as Container);
}

/** App and init containers: both run code with the pod's privileges. */
export function allContainers(spec: PodSpec): Container[] {
  return [...list(spec.initContainers), ...list(spec.containers)].map((container) => record(container) as Container);
}

export function objectRef(object: KubeObject): string {
  return `${object.kind}/${object.metadata?.name}`;
}

export function containerRef(container: Container): string {
  return `container "${container.name ?? '?'}"`;
}

export function namespaceOf(object: KubeObject, releaseNamespace: string): string {
  return object.metadata?.namespace ?? releaseNamespace;
}

/** Equality-based selector semantics (Service selectors, matchLabels); an empty selector matches nothing here. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

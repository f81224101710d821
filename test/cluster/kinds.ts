/** The resource types the emulator serves: built-ins plus custom resources of Established CRDs. */

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name as it appears in URLs. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served for this type, e.g. status and scale. */
  subresources?: string[];
}

export type JsonObject = Record<string, unknown>;

export interface ObjectMeta extends JsonObject {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export const resourceVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function builtin(
  groupVersion: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  extra: Partial<ResourceType> = {},
): ResourceType {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  return { group: group ?? '', version: version ?? 'v1', kind, resource, singular: kind.toLowerCase(), namespaced, ...extra };
}

const all = ['all'];
const statusOnly = ['status'];
const scalable = ['status', 'scale'];

export const builtinTypes: ResourceType[] = [
  builtin('v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: statusOnly }),
  builtin('v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  builtin('v1', 'Secret', 'secrets', true),
  builtin('v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  builtin('v1', 'Service', 'services', true, { shortNames: ['svc'], categories: all, subresources: statusOnly }),
  builtin('v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: all, subresources: statusOnly }),
  builtin('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: statusOnly }),
  builtin('v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  builtin('apps/v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: all, subresources: statusOnly }),
  builtin('batch/v1', 'Job', 'jobs', true, { categories: all, subresources: statusOnly }),
  builtin('batch/v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: all, subresources: statusOnly }),
  builtin('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: all,
    subresources: statusOnly,
  }),
  builtin('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: statusOnly }),
  builtin('networking.k8s.io/v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: statusOnly }),
  builtin('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  builtin('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    subresources: statusOnly,
  }),
];

export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Kinds whose metadata.generation tracks spec changes; the rest (ConfigMap, Secret, Service…) have none, like Kubernetes. */
const kindsWithGeneration = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'NetworkPolicy',
  'CustomResourceDefinition',
]);

export function hasGeneration(type: ResourceType): boolean {
  return kindsWithGeneration.has(type.kind) || !builtinTypes.includes(type);
}

/** The live registry: built-ins plus the served versions of every Established CRD. */
export class TypeRegistry {
  private readonly custom = new Map<string, ResourceType[]>();

  all(): ResourceType[] {
    return [...builtinTypes, ...[...this.custom.values()].flat()];
  }

  byResource(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all().find((type) => type.group === group && type.version === version && type.resource === resource);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.all().find((type) => type.group === group && type.version === version && type.kind === kind);
  }

  /** Register (or replace) the types a CRD defines; called once the CRD is Established. */
  registerCrd(crd: KubeObject): void {
    const spec = (crd.spec ?? {}) as JsonObject;
    const names = (spec.names ?? {}) as JsonObject;
    const versions = (spec.versions ?? []) as JsonObject[];
    const types = versions
      .filter((version) => version.served !== false)
      .map((version) => {
        const subresources = Object.keys((version.subresources ?? {}) as JsonObject);
        return {
          group: String(spec.group),
          version: String(version.name),
          kind: String(names.kind),
          resource: String(names.plural),
          singular: String(names.singular ?? String(names.kind).toLowerCase()),
          namespaced: spec.scope !== 'Cluster',
          shortNames: names.shortNames as string[] | undefined,
          categories: names.categories as string[] | undefined,
          subresources,
        } satisfies ResourceType;
      });
    this.custom.set(crd.metadata.name ?? '', types);
  }

  typesOfCrd(name: string): ResourceType[] {
    return this.custom.get(name) ?? [];
  }

  unregisterCrd(name: string): void {
    this.custom.delete(name);
  }
}

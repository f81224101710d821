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
  /** A custom resource's structural schema (its CRD version's openAPIV3Schema); built-ins use the catalogue. */
  schema?: JsonObject;
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
const apiExtensions = ['api-extensions'];
const status = ['status'];
const scalable = ['status', 'scale'];
const cluster = false;
const namespaced = true;

/**
 * Every stored built-in resource a kube-apiserver 1.35 serves by default (GA group-versions only; one version
 * per kind, the preferred one). Create-only virtual resources (reviews, bindings, tokens) are not stored and
 * not listed. Short names, categories and subresources are the real server's.
 */
export const builtinTypes: ResourceType[] = [
  builtin('v1', 'Namespace', 'namespaces', cluster, { shortNames: ['ns'], subresources: status }),
  builtin('v1', 'ConfigMap', 'configmaps', namespaced, { shortNames: ['cm'] }),
  builtin('v1', 'Secret', 'secrets', namespaced),
  builtin('v1', 'ServiceAccount', 'serviceaccounts', namespaced, { shortNames: ['sa'] }),
  builtin('v1', 'Service', 'services', namespaced, { shortNames: ['svc'], categories: all, subresources: status }),
  builtin('v1', 'Pod', 'pods', namespaced, { shortNames: ['po'], categories: all, subresources: status }),
  builtin('v1', 'PodTemplate', 'podtemplates', namespaced),
  builtin('v1', 'ReplicationController', 'replicationcontrollers', namespaced, { shortNames: ['rc'], categories: all, subresources: scalable }),
  builtin('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', namespaced, { shortNames: ['pvc'], subresources: status }),
  builtin('v1', 'PersistentVolume', 'persistentvolumes', cluster, { shortNames: ['pv'], subresources: status }),
  builtin('v1', 'Endpoints', 'endpoints', namespaced, { shortNames: ['ep'] }),
  builtin('v1', 'Event', 'events', namespaced, { shortNames: ['ev'] }),
  builtin('v1', 'LimitRange', 'limitranges', namespaced, { shortNames: ['limits'] }),
  builtin('v1', 'ResourceQuota', 'resourcequotas', namespaced, { shortNames: ['quota'], subresources: status }),
  builtin('v1', 'Node', 'nodes', cluster, { shortNames: ['no'], subresources: status }),
  builtin('apps/v1', 'Deployment', 'deployments', namespaced, { shortNames: ['deploy'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'ReplicaSet', 'replicasets', namespaced, { shortNames: ['rs'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'StatefulSet', 'statefulsets', namespaced, { shortNames: ['sts'], categories: all, subresources: scalable }),
  builtin('apps/v1', 'DaemonSet', 'daemonsets', namespaced, { shortNames: ['ds'], categories: all, subresources: status }),
  builtin('apps/v1', 'ControllerRevision', 'controllerrevisions', namespaced),
  builtin('batch/v1', 'Job', 'jobs', namespaced, { categories: all, subresources: status }),
  builtin('batch/v1', 'CronJob', 'cronjobs', namespaced, { shortNames: ['cj'], categories: all, subresources: status }),
  builtin('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', namespaced, { shortNames: ['hpa'], categories: all, subresources: status }),
  builtin('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', namespaced, { shortNames: ['pdb'], subresources: status }),
  builtin('networking.k8s.io/v1', 'Ingress', 'ingresses', namespaced, { shortNames: ['ing'], subresources: status }),
  builtin('networking.k8s.io/v1', 'IngressClass', 'ingressclasses', cluster),
  builtin('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', namespaced, { shortNames: ['netpol'] }),
  builtin('networking.k8s.io/v1', 'IPAddress', 'ipaddresses', cluster, { shortNames: ['ip'] }),
  builtin('networking.k8s.io/v1', 'ServiceCIDR', 'servicecidrs', cluster, { subresources: status }),
  builtin('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', cluster),
  builtin('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', cluster),
  builtin('rbac.authorization.k8s.io/v1', 'Role', 'roles', namespaced),
  builtin('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', namespaced),
  builtin('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', cluster, { categories: apiExtensions }),
  builtin('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', cluster, { categories: apiExtensions }),
  builtin('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', cluster, { categories: apiExtensions, subresources: status }),
  builtin('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', cluster, { categories: apiExtensions }),
  builtin('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', cluster, { shortNames: ['crd', 'crds'], categories: apiExtensions, subresources: status }),
  builtin('apiregistration.k8s.io/v1', 'APIService', 'apiservices', cluster, { categories: apiExtensions, subresources: status }),
  builtin('scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', cluster, { shortNames: ['pc'] }),
  builtin('storage.k8s.io/v1', 'StorageClass', 'storageclasses', cluster, { shortNames: ['sc'] }),
  builtin('storage.k8s.io/v1', 'CSIDriver', 'csidrivers', cluster),
  builtin('storage.k8s.io/v1', 'CSINode', 'csinodes', cluster),
  builtin('storage.k8s.io/v1', 'CSIStorageCapacity', 'csistoragecapacities', namespaced),
  builtin('storage.k8s.io/v1', 'VolumeAttachment', 'volumeattachments', cluster, { subresources: status }),
  builtin('storage.k8s.io/v1', 'VolumeAttributesClass', 'volumeattributesclasses', cluster, { shortNames: ['vac'] }),
  builtin('coordination.k8s.io/v1', 'Lease', 'leases', namespaced),
  builtin('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', namespaced),
  builtin('node.k8s.io/v1', 'RuntimeClass', 'runtimeclasses', cluster),
  builtin('certificates.k8s.io/v1', 'CertificateSigningRequest', 'certificatesigningrequests', cluster, { shortNames: ['csr'], subresources: status }),
  builtin('flowcontrol.apiserver.k8s.io/v1', 'FlowSchema', 'flowschemas', cluster, { subresources: status }),
  builtin('flowcontrol.apiserver.k8s.io/v1', 'PriorityLevelConfiguration', 'prioritylevelconfigurations', cluster, { subresources: status }),
  builtin('resource.k8s.io/v1', 'DeviceClass', 'deviceclasses', cluster),
  builtin('resource.k8s.io/v1', 'ResourceClaim', 'resourceclaims', namespaced, { subresources: status }),
  builtin('resource.k8s.io/v1', 'ResourceClaimTemplate', 'resourceclaimtemplates', namespaced),
  builtin('resource.k8s.io/v1', 'ResourceSlice', 'resourceslices', cluster),
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
  'ReplicationController',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

export function hasGeneration(type: ResourceType): boolean {
  return kindsWithGeneration.has(type.kind) || !builtinTypes.includes(type);
}

/** The live registry: built-ins plus the served versions of every Established CRD. */
export class TypeRegistry {
  private readonly custom = new Map<string, ResourceType[]>();
  private served: ResourceType[] | undefined;

  /** The served types: the same array until a CRD changes them, so what is derived from it can be kept with it. */
  all(): ResourceType[] {
    return (this.served ??= [...builtinTypes, ...[...this.custom.values()].flat()]);
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
        const validation = (version.schema ?? {}) as JsonObject;
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
          ...(validation.openAPIV3Schema ? { schema: validation.openAPIV3Schema as JsonObject } : {}),
        } satisfies ResourceType;
      });
    this.custom.set(crd.metadata.name ?? '', types);
    this.changed();
  }

  typesOfCrd(name: string): ResourceType[] {
    return this.custom.get(name) ?? [];
  }

  unregisterCrd(name: string): void {
    this.custom.delete(name);
    this.changed();
  }

  private changed(): void {
    this.served = undefined;
  }
}

/**
 * A minimal valid object of every built-in kind of the table, for the conformance suites that take every kind
 * through kubectl and helm.
 */
import { apiVersionOf, builtinTypes, type JsonObject, type ResourceType } from './kinds.js';

const podSpec = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
const podTemplate = { metadata: { labels: { app: 'sample' } }, spec: podSpec };
const selector = { matchLabels: { app: 'sample' } };
const webhook = {
  name: 'check.example.com',
  admissionReviewVersions: ['v1'],
  sideEffects: 'None',
  clientConfig: { service: { name: 'webhook', namespace: 'default', path: '/check' } },
};

/** The body of a minimal valid object of each kind, beside apiVersion, kind and metadata. */
export const samples: Record<string, JsonObject> = {
  Namespace: {},
  ConfigMap: { data: { key: 'value' } },
  Secret: { type: 'Opaque', stringData: { password: 's3cret' } },
  ServiceAccount: {},
  Service: { spec: { selector: { app: 'sample' }, ports: [{ port: 80 }] } },
  Pod: { spec: podSpec },
  PodTemplate: { template: podTemplate },
  ReplicationController: { spec: { selector: { app: 'sample' }, template: podTemplate } },
  PersistentVolumeClaim: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  PersistentVolume: { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } } },
  Endpoints: { subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
  Event: { involvedObject: { kind: 'Pod', name: 'sample', namespace: 'default' }, reason: 'Sample', message: 'a sample event', type: 'Normal' },
  LimitRange: { spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] } },
  ResourceQuota: { spec: { hard: { pods: '10' } } },
  Node: { spec: { podCIDR: '10.244.0.0/24' } },
  Deployment: { spec: { selector, template: podTemplate } },
  ReplicaSet: { spec: { selector, template: podTemplate } },
  StatefulSet: { spec: { selector, serviceName: 'sample', template: podTemplate } },
  DaemonSet: { spec: { selector, template: podTemplate } },
  ControllerRevision: { revision: 1, data: { spec: {} } },
  Job: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
  CronJob: { spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'OnFailure' } } } } } },
  HorizontalPodAutoscaler: { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'sample' }, maxReplicas: 3 } },
  PodDisruptionBudget: { spec: { minAvailable: 1, selector } },
  Ingress: { spec: { defaultBackend: { service: { name: 'sample', port: { number: 80 } } } } },
  IngressClass: { spec: { controller: 'example.com/ingress-controller' } },
  NetworkPolicy: { spec: { podSelector: {} } },
  IPAddress: { spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'sample' } } },
  ServiceCIDR: { spec: { cidrs: ['10.100.0.0/16'] } },
  ClusterRole: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] },
  ClusterRoleBinding: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sample' }, subjects: [{ kind: 'ServiceAccount', name: 'sample', namespace: 'default' }] },
  Role: { rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
  RoleBinding: { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'sample' }, subjects: [{ kind: 'ServiceAccount', name: 'sample', namespace: 'default' }] },
  MutatingWebhookConfiguration: { webhooks: [webhook] },
  ValidatingWebhookConfiguration: { webhooks: [webhook] },
  ValidatingAdmissionPolicy: { spec: { validations: [{ expression: 'object.spec.replicas <= 5' }] } },
  ValidatingAdmissionPolicyBinding: { spec: { policyName: 'sample', validationActions: ['Deny'] } },
  CustomResourceDefinition: {
    spec: {
      group: 'samples.example.com',
      names: { kind: 'Sample', plural: 'samples', singular: 'sample' },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
    },
  },
  APIService: { spec: { group: 'samples.example.com', version: 'v1beta1', groupPriorityMinimum: 1000, versionPriority: 15, service: { name: 'api', namespace: 'default' } } },
  PriorityClass: { value: 1000, globalDefault: false, description: 'sample priority' },
  StorageClass: { provisioner: 'example.com/provisioner', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' },
  CSIDriver: { spec: { attachRequired: false } },
  CSINode: { spec: { drivers: [{ name: 'example.com/csi', nodeID: 'node-1' }] } },
  CSIStorageCapacity: { storageClassName: 'sample', capacity: '10Gi' },
  VolumeAttachment: { spec: { attacher: 'example.com/csi', nodeName: 'node-1', source: { persistentVolumeName: 'sample' } } },
  VolumeAttributesClass: { driverName: 'example.com/csi', parameters: { iops: '3000' } },
  Lease: { spec: { holderIdentity: 'sample-holder', leaseDurationSeconds: 15 } },
  EndpointSlice: { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] },
  RuntimeClass: { handler: 'runc' },
  CertificateSigningRequest: { spec: { request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----').toString('base64'), signerName: 'example.com/signer', usages: ['client auth'] } },
  FlowSchema: { spec: { priorityLevelConfiguration: { name: 'sample' }, matchingPrecedence: 1000, rules: [{ subjects: [{ kind: 'Group', group: { name: 'sample' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'] }] }] } },
  PriorityLevelConfiguration: { spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, limitResponse: { type: 'Reject' } } } },
  DeviceClass: { spec: { selectors: [{ cel: { expression: 'device.driver == "example.com"' } }] } },
  ResourceClaim: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'sample' } }] } } },
  ResourceClaimTemplate: { spec: { spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'sample' } }] } } } },
  ResourceSlice: { spec: { driver: 'example.com', pool: { name: 'pool', generation: 1, resourceSliceCount: 1 }, nodeName: 'node-1' } },
};

/** `sample-<kind>`, or the name form a kind requires (`<plural>.<group>` of a CRD, `<version>.<group>` of an APIService). */
export const nameOf = (type: ResourceType): string => (type.kind === 'CustomResourceDefinition' ? 'samples.samples.example.com' : type.kind === 'APIService' ? 'v1beta1.samples.example.com' : `sample-${type.kind.toLowerCase()}`);

export function sampleManifest(type: ResourceType, namespace: string | undefined, labels: Record<string, string> = {}): JsonObject {
  const metadata = { name: nameOf(type), ...(type.namespaced && namespace ? { namespace } : {}), labels: { conformance: 'kinds', ...labels } };
  return { apiVersion: apiVersionOf(type), kind: type.kind, metadata, ...samples[type.kind] };
}

/** Every kind's sample as one multi-document stream. */
export const sampleManifests = (namespace: string | undefined, labels?: Record<string, string>): string =>
  builtinTypes.map((type) => JSON.stringify(sampleManifest(type, namespace, labels))).join('\n---\n');
/** `deployments.apps`: how kubectl names a resource unambiguously. */
export const qualified = (type: ResourceType): string => (type.group ? `${type.resource}.${type.group}` : type.resource);


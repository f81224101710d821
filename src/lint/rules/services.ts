import type { RuleDefinition } from '../rule.js';
import type { KubeObject } from '../types.js';
import { list, record, stringMap } from '../untyped.js';
import { namespaceOf, selectorMatches } from '../workloads.js';

/**
 * Pods the cluster runs for itself, by the labels their manifests carry (kubeadm's static pods: `component`;
 * the add-ons: `k8s-app`). Monitoring charts expose their metrics with Services that select them.
 */
const CLUSTER_COMPONENTS = new Set([
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'kube-dns',
  'coredns',
  'metrics-server',
  'cloud-controller-manager',
]);
const COMPONENT_LABELS = ['component', 'k8s-app'];

const selectsClusterComponent = (selector: Record<string, string>) =>
  COMPONENT_LABELS.some((label) => CLUSTER_COMPONENTS.has(selector[label] ?? ''));

/** Workload kinds an operator creates pods through; a role that may create one of them can make pods. */
const POD_MAKING_RESOURCES = new Set([
  'pods',
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'jobs',
  'cronjobs',
  '*',
]);
const WRITING_VERBS = new Set(['create', 'patch', 'update', '*']);
/** Fields of a custom resource's spec that shape the pods an operator makes from it. */
const POD_SHAPING_FIELDS = [
  'replicas',
  'image',
  'podMetadata',
  'podTemplate',
  'template',
  'containers',
  'resources',
  'nodeSelector',
  'affinity',
  'tolerations',
  'serviceAccountName',
];

/** A custom resource: an API group of its own (with a dot), not one of Kubernetes' (`*.k8s.io`). */
const apiGroup = (object: KubeObject) =>
  object.apiVersion.includes('/') ? object.apiVersion.slice(0, object.apiVersion.indexOf('/')) : '';
const isCustomResource = (object: KubeObject) =>
  apiGroup(object).includes('.') && !apiGroup(object).endsWith('.k8s.io') && object.kind !== 'CustomResourceDefinition';

/** The API groups that a (Cluster)Role of the release lets its holder manage while it may also make pods: operators. */
function operatorGroups(objects: readonly KubeObject[]): Set<string> {
  const groups = new Set<string>();
  for (const role of objects.filter((object) => object.kind === 'Role' || object.kind === 'ClusterRole')) {
    const rules = list(role.rules).map(record);
    const makesPods = rules.some(
      (rule) =>
        list(rule.resources).some((resource) => POD_MAKING_RESOURCES.has(String(resource))) &&
        list(rule.verbs).some((verb) => WRITING_VERBS.has(String(verb))),
    );
    if (!makesPods) continue;
    for (const rule of rules) for (const group of list(rule.apiGroups)) groups.add(String(group));
  }
  return groups;
}

/**
 * The custom resources of the release whose kind owns workloads: an operator of the same release may make pods and
 * manage the resource's API group (its Role or ClusterRole says so), or the resource's spec shapes pods
 * (POD_SHAPING_FIELDS), as it does when the operator runs in another release.
 */
export function workloadOwningResources(objects: readonly KubeObject[]): KubeObject[] {
  const managed = operatorGroups(objects);
  return objects.filter(
    (object) =>
      isCustomResource(object) &&
      (managed.has(apiGroup(object)) ||
        managed.has('*') ||
        POD_SHAPING_FIELDS.some((field) => field in record(object.spec))),
  );
}

/**
 * Whether a selector may pick the pods an operator makes from `owner`: operators label them with the resource's name
 * (`prometheus: main`, `app.kubernetes.io/instance: main-db`) or with the labels the resource asks for.
 */
function mayMatchPodsOf(owner: KubeObject, selector: Record<string, string>): boolean {
  const name = owner.metadata.name ?? '';
  const spec = record(owner.spec);
  const asked = {
    ...stringMap(owner.metadata.labels),
    ...stringMap(record(spec.podMetadata).labels),
    ...stringMap(record(record(spec.template).metadata).labels),
  };
  return Object.entries(selector).some(([key, value]) => (name !== '' && value.includes(name)) || asked[key] === value);
}

export const serviceSelector: RuleDefinition = {
  id: 'service-selector',
  severity: 'error',
  summary:
    'Every Service selector matches the pods of a workload in the same release, unless an operator or the cluster makes them.',
  fix: 'Make spec.selector equal to labels of the pod template it should route to.',
  check: ({ target, workloads }) => {
    const owners = workloadOwningResources(target.objects);
    return target.objects.flatMap((object) => {
      if (object.kind !== 'Service' || object.apiVersion !== 'v1') return [];
      const spec = record(object.spec);
      const selector = stringMap(spec.selector);
      // Services without a selector (ExternalName, manual Endpoints) route elsewhere by design.
      if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) return [];
      if (selectsClusterComponent(selector)) return [];
      const namespace = namespaceOf(object, target.namespace);
      // Pods an operator makes from a custom resource of the release are not rendered: the selector may match them.
      if (owners.some((owner) => namespaceOf(owner, target.namespace) === namespace && mayMatchPodsOf(owner, selector)))
        return [];
      const matched = workloads.some(
        (workload) =>
          namespaceOf(workload.object, target.namespace) === namespace &&
          selectorMatches(selector, workload.template.labels),
      );
      if (matched) return [];
      const shown = Object.entries(selector)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      return [{ object, message: `selector ${shown} matches no pod in the release` }];
    });
  },
};

export const nodePortService: RuleDefinition = {
  id: 'nodeport-service',
  severity: 'warning',
  summary: 'Services are not of type NodePort, which opens a port on every node.',
  fix: 'Use type ClusterIP behind an Ingress or Gateway, or a LoadBalancer.',
  check: ({ target }) =>
    target.objects
      .filter((object) => object.kind === 'Service' && record(object.spec).type === 'NodePort')
      .map((object) => ({ object, message: 'is a NodePort service' })),
};

import type { RuleDefinition } from '../rule.js';
import { record, stringMap } from '../untyped.js';
import { namespaceOf, selectorMatches } from '../workloads.js';

export const serviceSelector: RuleDefinition = {
  id: 'service-selector',
  severity: 'error',
  summary: 'Every Service selector matches the pods of a workload in the same release.',
  fix: 'Make spec.selector equal to labels of the pod template it should route to.',
  check: ({ target, workloads }) =>
    target.objects.flatMap((object) => {
      if (object.kind !== 'Service' || object.apiVersion !== 'v1') return [];
      const spec = record(object.spec);
      const selector = stringMap(spec.selector);
      // Services without a selector (ExternalName, manual Endpoints) route elsewhere by design.
      if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) return [];
      const namespace = namespaceOf(object, target.namespace);
      const matched = workloads.some((workload) =>
        namespaceOf(workload.object, target.namespace) === namespace && selectorMatches(selector, workload.template.labels));
      if (matched) return [];
      const shown = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
      return [{ object, message: `selector ${shown} matches no pod in the release` }];
    }),
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

import type { RuleContext, RuleDefinition, Violation } from '../rule.js';
import type { KubeObject } from '../types.js';
import { list, record, stringMap } from '../untyped.js';
import { namespaceOf, selectorMatches, type Workload } from '../workloads.js';

/**
 * The replicas a workload runs with at least: an HorizontalPodAutoscaler in the release that targets it
 * decides (its minReplicas defaults to 1); otherwise spec.replicas does.
 */
function minimumReplicas(workload: Workload, objects: KubeObject[]): number | undefined {
  if (workload.replicas === undefined) return undefined;
  const autoscaler = objects.find((object) => {
    if (object.kind !== 'HorizontalPodAutoscaler') return false;
    const target = record(record(object.spec).scaleTargetRef);
    return target.kind === workload.object.kind && target.name === workload.object.metadata.name;
  });
  if (!autoscaler) return workload.replicas;
  const minReplicas = record(autoscaler.spec).minReplicas;
  return typeof minReplicas === 'number' ? minReplicas : 1;
}

/** Production-only checks over the workloads that run several replicas. */
function perReplicatedWorkload(context: RuleContext, check: (workload: Workload) => string | undefined): Violation[] {
  if (!context.target.production) return [];
  return context.workloads.flatMap((workload) => {
    const replicas = minimumReplicas(workload, context.target.objects);
    if (replicas === undefined || replicas < 2) return [];
    const message = check(workload);
    return message === undefined ? [] : [{ object: workload.object, message }];
  });
}

export const replicasProduction: RuleDefinition = {
  id: 'replicas-production',
  severity: 'warning',
  summary: 'In production, scalable workloads run at least 2 replicas (or an autoscaler with minReplicas >= 2).',
  fix: 'Set replicas: 2 or more in the production values, or an HPA with minReplicas >= 2.',
  check: (context) => {
    if (!context.target.production) return [];
    return context.workloads.flatMap((workload) => {
      const replicas = minimumReplicas(workload, context.target.objects);
      return replicas !== undefined && replicas < 2
        ? [{ object: workload.object, message: `runs ${replicas} replica${replicas === 1 ? '' : 's'} in production` }]
        : [];
    });
  },
};

export const pdbProduction: RuleDefinition = {
  id: 'pdb-production',
  severity: 'warning',
  summary: 'In production, multi-replica workloads are covered by a PodDisruptionBudget in the release.',
  fix: 'Add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod labels.',
  check: (context) => {
    const budgets = context.target.objects.filter((object) => object.kind === 'PodDisruptionBudget');
    return perReplicatedWorkload(context, (workload) => {
      const namespace = namespaceOf(workload.object, context.target.namespace);
      const covered = budgets.some(
        (budget) =>
          namespaceOf(budget, context.target.namespace) === namespace &&
          selectorMatches(stringMap(record(record(budget.spec).selector).matchLabels), workload.template.labels),
      );
      return covered ? undefined : 'has several replicas but no PodDisruptionBudget selects its pods';
    });
  },
};

export const spreadProduction: RuleDefinition = {
  id: 'spread-production',
  severity: 'warning',
  summary:
    'In production, multi-replica workloads spread their pods (pod anti-affinity or topology spread constraints).',
  fix: 'Add topologySpreadConstraints over kubernetes.io/hostname (or a podAntiAffinity) to the pod spec.',
  check: (context) =>
    perReplicatedWorkload(context, ({ template }) => {
      const spread =
        list(template.spec.topologySpreadConstraints).length > 0 ||
        Object.keys(record(record(template.spec.affinity).podAntiAffinity)).length > 0;
      return spread ? undefined : 'has several replicas but nothing spreads them across nodes';
    }),
};

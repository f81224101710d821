import { describeVerdict, notCurrent } from '../health/evaluate.js';
import type { CompiledRule } from '../health/rules.js';
import type { KubeObject } from '../kube/objects.js';
import { objectRef } from '../kube/objects.js';

const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function isWorkload(object: KubeObject): boolean {
  return object.apiVersion === 'apps/v1' && workloadKinds.has(object.kind);
}

type Status = Record<string, number | string | undefined>;

/** Ready as helm's watcher sees it: the controller caught up with the latest spec and every replica is ready. */
function isReady(live: KubeObject): boolean {
  const status = (live.status ?? {}) as Status;
  const generation = live.metadata.generation as number | undefined;
  if (generation !== undefined && Number(status.observedGeneration ?? 0) < generation) return false;
  if (live.kind === 'DaemonSet') return Number(status.numberReady ?? 0) >= Number(status.desiredNumberScheduled ?? 0);
  const replicas = Number((live.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  const counts =
    live.kind === 'Deployment' ? ['readyReplicas', 'updatedReplicas', 'availableReplicas'] : ['readyReplicas'];
  return counts.every((count) => Number(status[count] ?? 0) >= replicas);
}

/**
 * The objects of a release that are not ready in the cluster (or gone from it): workloads as helm's watcher sees
 * them, as `Kind/name`, and custom resources by their health rules (the same rules sync waits with), as
 * `Kind/name: what its status says`. Pure.
 */
export function notReadyObjects(
  declared: readonly KubeObject[],
  live: readonly KubeObject[],
  ruleFor: (object: KubeObject) => CompiledRule | undefined,
): string[] {
  const liveByRef = new Map(live.map((object) => [objectRef(object), object]));
  const liveOf = (object: KubeObject) => liveByRef.get(objectRef(object));
  const workloads = declared.filter(isWorkload).filter((object) => {
    const found = liveOf(object);
    return !found || !isReady(found);
  });
  const customResources = notCurrent(
    declared.filter((object) => !isWorkload(object)),
    liveOf,
    ruleFor,
  );
  return [...workloads.map(objectRef), ...customResources.map(({ ref, verdict }) => describeVerdict(ref, verdict))];
}

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
  const counts = live.kind === 'Deployment' ? ['readyReplicas', 'updatedReplicas', 'availableReplicas'] : ['readyReplicas'];
  return counts.every((count) => Number(status[count] ?? 0) >= replicas);
}

/** The workloads of a release that are not ready in the cluster (or gone from it), as Kind/name. Pure. */
export function notReadyWorkloads(declared: readonly KubeObject[], live: readonly KubeObject[]): string[] {
  const liveByRef = new Map(live.map((object) => [objectRef(object), object]));
  return declared
    .filter(isWorkload)
    .map(objectRef)
    .filter((ref) => {
      const object = liveByRef.get(ref);
      return !object || !isReady(object);
    });
}

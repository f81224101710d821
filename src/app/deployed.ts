import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import type { Release } from '../config/types.js';
import { kindsByScope, parseManifests, type KubeObject } from '../kube/objects.js';
import { versionIn } from '../config/values-merge.js';
import type { DeployedRelease } from '../promotion/gate.js';
import { releaseHealthRules } from './health-wait.js';
import { isWorkload, notReadyObjects } from '../promotion/readiness.js';

/**
 * What runs in an environment's cluster, read from there and never from files: helm's status, the version in the
 * deployed values, and whether every workload and custom resource (by its health rule) the release applied is ready.
 */
export async function readDeployed(release: Release, deps: ClusterDeps): Promise<DeployedRelease> {
  const info = await deps.helm.find(release);
  if (!info) return { notReady: [] };
  if (info.status !== 'deployed') return { status: info.status, notReady: [] };
  const [values, manifest] = await Promise.all([deps.helm.values(release), deps.helm.manifest(release)]);
  const rules = releaseHealthRules(release);
  const ruleFor = (object: KubeObject) => rules.ruleFor(object);
  const checked = parseManifests(manifest).filter((object) => isWorkload(object) || ruleFor(object));
  const live = checked.length > 0 ? await deps.kubectl.listKinds(kindsByScope(checked, release.namespace)) : [];
  return {
    status: info.status,
    version: versionIn(values, release),
    notReady: notReadyObjects(checked, live, ruleFor),
  };
}

export function readAllDeployed(
  releases: readonly Release[],
  deps: ClusterDeps,
  concurrency: number,
): Promise<DeployedRelease[]> {
  return mapInOrder(releases, concurrency, (release) => readDeployed(release, deps));
}

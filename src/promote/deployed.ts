import type { ClusterDeps } from '../app/deps.js';
import { mapInOrder } from '../app/pool.js';
import type { Release } from '../config/types.js';
import { kindsByScope, parseManifests } from '../kube/objects.js';
import { versionIn } from '../gitops/merged-values.js';
import type { DeployedRelease } from './gate.js';
import { isWorkload, notReadyWorkloads } from './readiness.js';

/**
 * What runs in an environment's cluster, read from there and never from files: helm's status, the version in the
 * deployed values, and whether every workload the release applied is ready.
 */
export async function readDeployed(release: Release, deps: ClusterDeps): Promise<DeployedRelease> {
  const info = await deps.helm.find(release);
  if (!info) return { notReady: [] };
  if (info.status !== 'deployed') return { status: info.status, notReady: [] };
  const [values, manifest] = await Promise.all([deps.helm.values(release), deps.helm.manifest(release)]);
  const workloads = parseManifests(manifest).filter(isWorkload);
  const live = await deps.kubectl.listKinds(kindsByScope(workloads, release.namespace));
  return { status: info.status, version: versionIn(values, release), notReady: notReadyWorkloads(workloads, live) };
}

export function readAllDeployed(releases: readonly Release[], deps: ClusterDeps, concurrency: number): Promise<DeployedRelease[]> {
  return mapInOrder(releases, concurrency, (release) => readDeployed(release, deps));
}

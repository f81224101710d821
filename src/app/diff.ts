import type { Release } from '../config/types.js';
import { parseManifests, type KubeObject } from '../diff/objects.js';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import { ValuesFiles } from './values-files.js';

export type ReleaseDiffResult = { release: Release; diff: ReleaseDiff } | { release: Release; error: Error };

/** Values releases.yaml marks secret, which no output may show. */
export function secretValuesOf(release: Release): string[] {
  return release.set.filter((entry) => entry.secret).map((entry) => String(entry.value));
}

const isHook = (obj: KubeObject) => obj.metadata.annotations?.['helm.sh/hook'] !== undefined;

/** helm stamps these on every object it applies; the rendered chart does not carry them. */
function withHelmOwnership(obj: KubeObject, release: Release): KubeObject {
  const { metadata } = obj;
  return {
    ...obj,
    metadata: {
      ...metadata,
      labels: { ...metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...metadata.annotations, 'meta.helm.sh/release-name': release.name, 'meta.helm.sh/release-namespace': release.namespace },
    },
  };
}

function uniqueObjects(objects: KubeObject[], namespace: string): KubeObject[] {
  const seen = new Set<string>();
  return objects.filter((obj) => {
    const key = `${obj.apiVersion}/${obj.kind}/${obj.metadata.namespace ?? namespace}/${obj.metadata.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What a sync would change for one release: rendered manifests as the API server would store them (a server-side
 * dry-run apply, so defaults make no noise) against the live objects, plus what the deployed release has that is
 * no longer rendered, and drift between the deployed manifests and the live objects.
 */
export async function diffOneRelease(release: Release, deps: ClusterDeps, valuesFiles: ValuesFiles): Promise<ReleaseDiff> {
  const info = await deps.helm.find(release);
  const deployed = info ? parseManifests(await deps.helm.manifest(release)) : [];
  let desired: KubeObject[] = [];
  if (release.installed) {
    const rendered = parseManifests(await deps.helm.template(release, valuesFiles.for(release)))
      .filter((obj) => !isHook(obj))
      .map((obj) => withHelmOwnership(obj, release));
    desired = (await deps.kubectl.dryRunApply(rendered, release.namespace)) ?? rendered;
  }
  const live = await deps.kubectl.liveObjects(uniqueObjects([...desired, ...deployed], release.namespace), release.namespace);
  return diffRelease({ release: release.id, namespace: release.namespace, desired, live, deployed, secretValues: secretValuesOf(release) });
}

export async function diffReleases(releases: readonly Release[], deps: ClusterDeps, options: { concurrency: number }): Promise<ReleaseDiffResult[]> {
  const valuesFiles = new ValuesFiles();
  try {
    return await mapInOrder(releases, options.concurrency, async (release): Promise<ReleaseDiffResult> => {
      try {
        return { release, diff: await diffOneRelease(release, deps, valuesFiles) };
      } catch (error) {
        return { release, error: error as Error };
      }
    });
  } finally {
    valuesFiles.dispose();
  }
}

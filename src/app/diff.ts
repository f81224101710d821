import type { Release } from '../config/types.js';
import { objectKey, parseManifests, type KubeObject } from '../kube/objects.js';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import type { HelmReleaseInfo } from '../helm/helm.js';
import { withValuesFiles, type ValuesFiles } from './values-files.js';

export type ReleaseDiffResult = { release: Release; diff: ReleaseDiff } | { release: Release; error: Error };

/** The value at a helm --set path (`a.b[0].c`) of a values tree. */
export function valueAtSetPath(values: unknown, path: string): unknown {
  return path
    .split(/\.|\[(\d+)\]/)
    .filter((segment) => segment !== undefined && segment !== '')
    .reduce<unknown>((node, segment) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined), values);
}

/**
 * Values releases.yaml marks secret, which no output may show: the ones about to be applied, and the ones the
 * deployed release holds at the same paths, since the live objects still carry those.
 */
async function secretValuesOf(release: Release, deps: ClusterDeps, deployed: boolean): Promise<string[]> {
  const secretSets = release.set.filter((entry) => entry.secret);
  if (secretSets.length === 0) return [];
  const deployedValues = deployed ? await deps.helm.values(release) : {};
  const previous = secretSets.map((entry) => valueAtSetPath(deployedValues, entry.name)).filter((value) => ['string', 'number', 'boolean'].includes(typeof value));
  return [...secretSets.map((entry) => entry.value), ...previous].map(String);
}

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
  return [...new Map(objects.map((obj) => [objectKey(obj, namespace), obj])).values()];
}

/**
 * What a sync would change for one release: the manifest helm would apply (helm's own server dry run, so
 * capabilities and lookups resolve as they will), as the API server would store it (a server-side dry-run apply,
 * so defaults make no noise) against the live objects, plus what the deployed release has that is
 * no longer rendered, and drift between the deployed manifests and the live objects. `info` is what
 * `helm.find` says of the release, which callers have already asked.
 */
export async function diffOneRelease(release: Release, info: HelmReleaseInfo | undefined, deps: ClusterDeps, valuesFiles: ValuesFiles): Promise<ReleaseDiff> {
  const deployed = info ? parseManifests(await deps.helm.manifest(release)) : [];
  let desired: KubeObject[] = [];
  if (release.installed) {
    const rendered = parseManifests(await deps.helm.plannedManifest(release, valuesFiles.for(release))).map((obj) => withHelmOwnership(obj, release));
    desired = (await deps.kubectl.dryRunApply(rendered, release.namespace)) ?? rendered;
  }
  const live = await deps.kubectl.liveObjects(uniqueObjects([...desired, ...deployed], release.namespace), release.namespace);
  const secretValues = await secretValuesOf(release, deps, info !== undefined);
  return diffRelease({ release: release.id, namespace: release.namespace, desired, live, deployed, secretValues });
}

export async function diffReleases(releases: readonly Release[], deps: ClusterDeps, options: { concurrency: number }): Promise<ReleaseDiffResult[]> {
  return withValuesFiles((valuesFiles) =>
    mapInOrder(releases, options.concurrency, async (release): Promise<ReleaseDiffResult> => {
      try {
        return { release, diff: await diffOneRelease(release, await deps.helm.find(release), deps, valuesFiles) };
      } catch (error) {
        return { release, error: error as Error };
      }
    }),
  );
}

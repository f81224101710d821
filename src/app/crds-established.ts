import type { KubeObject } from '../kube/objects.js';
import type { ClusterDeps } from './deps.js';

/** How long a CRD in the cluster may take to be Established before helm's error stands (helm 3 waited as long). */
export const ESTABLISH_TIMEOUT = '60s';

/** The kinds helm could not map, as it names them: `no matches for kind "Widget" in version "example.com/v1"`. */
export function unmappedKinds(message: string): { kind: string; apiVersion: string }[] {
  const kinds = new Map<string, { kind: string; apiVersion: string }>();
  for (const [, kind, apiVersion] of message.matchAll(/no matches for kind "([^"]+)" in version "([^"]+)"/g))
    kinds.set(`${kind}/${apiVersion}`, { kind: kind!, apiVersion: apiVersion! });
  return [...kinds.values()];
}

/** The names of the CRDs that serve every one of these kinds, or undefined when one of them has none in the cluster. */
export function servingCrds(
  kinds: readonly { kind: string; apiVersion: string }[],
  crds: readonly KubeObject[],
): string[] | undefined {
  const names = new Set<string>();
  for (const { kind, apiVersion } of kinds) {
    const [group, version] = apiVersion.split('/');
    const crd = crds.find(({ spec }) => {
      const {
        group: crdGroup,
        names: crdNames,
        versions,
      } = (spec ?? {}) as {
        group?: string;
        names?: { kind?: string };
        versions?: { name?: string; served?: boolean }[];
      };
      return (
        crdGroup === group &&
        crdNames?.kind === kind &&
        (versions ?? []).some((served) => served.name === version && served.served === true)
      );
    });
    if (!crd?.metadata.name) return undefined;
    names.add(crd.metadata.name);
  }
  return [...names];
}

/**
 * Runs `apply` (a helm upgrade --install), and once more when helm could not map a kind whose CRD is in the cluster
 * but not served yet. helm 4 without --wait (its hookOnly strategy) does not wait for the CRDs it has just created
 * from a chart's crds/ to be Established before it maps the release's objects (helm/helm#32671): on an HA control
 * plane, which establishes a new CRD 5 s after it is created, or on a busy one, the install fails with `no matches for
 * kind`. A needed release installed without wait leaves its CRDs in the same state. helm fails there before it writes
 * the release (the crds/ CRDs it created are skipped as existing next time), so boutique waits for those CRDs to be
 * Established and tries once more. A kind that no CRD in the cluster serves stays helm's error.
 */
export async function applyOnceCrdsEstablished(
  apply: () => Promise<void>,
  deps: ClusterDeps,
  onWait?: (crds: string[]) => void,
): Promise<void> {
  try {
    return await apply();
  } catch (error) {
    // helm's words name each kind it could not map; any other failure names none and stands.
    const kinds = error instanceof Error ? unmappedKinds(error.message) : [];
    const crds =
      kinds.length === 0
        ? undefined
        : servingCrds(kinds, await deps.kubectl.listEverywhere('apiextensions.k8s.io/v1', 'CustomResourceDefinition'));
    if (!crds) throw error;
    onWait?.(crds);
    await deps.kubectl.waitEstablished(crds, ESTABLISH_TIMEOUT);
  }
  return apply();
}

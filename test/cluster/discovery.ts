/** /version and API discovery, plain and aggregated (v2), generated from the type registry. */
import { apiVersionOf, resourceVerbs, type ResourceType } from './kinds.js';

export const serverVersion = {
  major: '1',
  minor: '35',
  emulationMajor: '1',
  emulationMinor: '35',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '34',
  gitVersion: 'v1.35.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-12-17T00:00:00Z',
  goVersion: 'go1.25.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const aggregatedDiscoveryContentType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return (accept ?? '').includes('as=APIGroupDiscoveryList');
}

function groupsOf(types: ResourceType[]): Map<string, Map<string, ResourceType[]>> {
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const type of types) {
    const versions = groups.get(type.group) ?? new Map<string, ResourceType[]>();
    versions.set(type.version, [...(versions.get(type.version) ?? []), type]);
    groups.set(type.group, versions);
  }
  return groups;
}

export function coreVersions(): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

export function apiGroupList(types: ResourceType[]): Record<string, unknown> {
  const groups = [...groupsOf(types)].filter(([group]) => group !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map(([name, versions]) => {
      const list = [...versions.keys()].map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: list, preferredVersion: list[0] };
    }),
  };
}

function subresourceEntries(type: ResourceType): { name: string; kind: string; verbs: string[] }[] {
  return (type.subresources ?? []).map((subresource) => ({
    name: `${type.resource}/${subresource}`,
    kind: subresource === 'scale' ? 'Scale' : type.kind,
    verbs: ['get', 'patch', 'update'],
  }));
}

export function apiResourceList(types: ResourceType[], group: string, version: string): Record<string, unknown> | undefined {
  const members = types.filter((type) => type.group === group && type.version === version);
  if (members.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: members.flatMap((type) => [
      {
        name: type.resource,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: resourceVerbs,
        ...(type.shortNames ? { shortNames: type.shortNames } : {}),
        ...(type.categories ? { categories: type.categories } : {}),
      },
      ...subresourceEntries(type).map((entry) => ({ ...entry, singularName: '', namespaced: type.namespaced })),
    ]),
  };
}

/** APIGroupDiscoveryList for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(types: ResourceType[], core: boolean): Record<string, unknown> {
  const groups = [...groupsOf(types)].filter(([group]) => (group === '') === core);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map(([group, versions]) => ({
      metadata: { name: group },
      versions: [...versions].map(([version, members]) => ({
        version,
        freshness: 'Current',
        resources: members.map((type) => ({
          resource: type.resource,
          responseKind: { group, version, kind: type.kind },
          scope: type.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: type.singular,
          verbs: resourceVerbs,
          ...(type.shortNames ? { shortNames: type.shortNames } : {}),
          ...(type.categories ? { categories: type.categories } : {}),
          ...((type.subresources ?? []).length > 0
            ? {
                subresources: (type.subresources ?? []).map((subresource) => ({
                  subresource,
                  responseKind: subresource === 'scale' ? { group: 'autoscaling', version: 'v1', kind: 'Scale' } : { group, version, kind: type.kind },
                  verbs: ['get', 'patch', 'update'],
                })),
              }
            : {}),
        })),
      })),
    })),
  };
}

import type { ClusterDeps } from '../../src/app/deps.js';
import type { Release } from '../../src/config/types.js';
import type { KubeObject } from '../../src/kube/objects.js';
import type { Helm, HelmReleaseInfo } from '../../src/helm/helm.js';
import type { Kubectl } from '../../src/helm/kubectl.js';

const tool = (name: 'helm' | 'kubectl') => ({ name, path: `/fake/${name}`, version: 'v4.1.4', source: 'pinned' as const });

/**
 * In-memory helm and kubectl for use-case tests: releases and live objects are plain maps, and every call that
 * changes the cluster is recorded, in order (helmfile's exectest.Helm, in spirit).
 */
export function createFakeCluster(options: { releases?: Record<string, Partial<HelmReleaseInfo>>; manifests?: Record<string, string>; live?: KubeObject[] } = {}) {
  const calls: string[] = [];
  const releases = new Map(Object.entries(options.releases ?? {}));
  const helm: Helm = {
    tool: tool('helm'),
    template: async () => '',
    lint: async () => ({ passed: true, output: '' }),
    plannedManifest: async () => '',
    upgrade: async (release: Release, _files: readonly string[], labels: Record<string, string>) => {
      calls.push(`upgrade ${release.id}`);
      releases.set(release.id, { status: 'deployed', labels });
    },
    uninstall: async (release: Release) => {
      calls.push(`uninstall ${release.id}`);
      releases.delete(release.id);
    },
    find: async (release: Release) => {
      const info = releases.get(release.id);
      return info && ({ name: release.name, namespace: release.namespace, revision: 1, chart: 'c', version: '1', appVersion: '', deployedAt: '', status: 'deployed', ...info } as HelmReleaseInfo);
    },
    manifest: async (release: Release) => options.manifests?.[release.id] ?? '',
    values: async () => ({}),
    history: async () => [],
    rollback: async (release: Release) => {
      calls.push(`rollback ${release.id}`);
    },
  };
  const kubectl: Kubectl = {
    tool: tool('kubectl'),
    liveObjects: async (objects) => (options.live ?? []).filter((live) => objects.some((obj) => obj.kind === live.kind && obj.metadata.name === live.metadata.name)),
    dryRunApply: async (objects) => [...objects],
    ping: async () => undefined,
    releaseStorageLabels: async () => ({}),
  };
  const deps: ClusterDeps = { helm, kubectl };
  return { deps, calls };
}

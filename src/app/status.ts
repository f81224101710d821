import type { Release } from '../config/types.js';
import type { HelmReleaseInfo } from '../helm/helm.js';
import type { ClusterDeps } from './deps.js';
import { diffOneRelease } from './diff.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles } from './values-files.js';

/**
 * in sync: the cluster holds what releases.yaml describes; drifted: live objects differ from the last sync;
 * outdated: a sync would change it; missing: should be installed and is not; not installed: installed: false and absent.
 */
export type SyncStatus = 'in sync' | 'drifted' | 'outdated' | 'missing' | 'not installed' | 'unknown';

export interface ReleaseStatus {
  release: Release;
  helm?: HelmReleaseInfo;
  status: SyncStatus;
  error?: Error;
}

export async function releaseStatuses(releases: readonly Release[], deps: ClusterDeps, options: { concurrency: number }): Promise<ReleaseStatus[]> {
  return withValuesFiles((valuesFiles) =>
    mapInOrder(releases, options.concurrency, async (release): Promise<ReleaseStatus> => {
      try {
        const helm = await deps.helm.find(release);
        if (!helm) return { release, status: release.installed ? 'missing' : 'not installed' };
        const diff = await diffOneRelease(release, helm, deps, valuesFiles);
        const { add, change, destroy } = diff.summary;
        const status: SyncStatus = diff.drift.length > 0 ? 'drifted' : add + change + destroy > 0 || helm.status !== 'deployed' ? 'outdated' : 'in sync';
        return { release, helm, status };
      } catch (error) {
        return { release, status: 'unknown', error: error as Error };
      }
    }),
  );
}

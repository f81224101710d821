import type { Release, ReleasesConfig } from '../config/types.js';
import type { HelmRevision } from '../helm/helm.js';
import { findRelease } from './rollback.js';

/**
 * `history RELEASE`: the release the name picks, and the revisions helm keeps of it (the numbers rollback takes).
 * A name that picks no release is refused before helm is asked.
 */
export async function releaseHistory(
  config: ReleasesConfig,
  name: string,
  history: (release: Release) => Promise<HelmRevision[]>,
): Promise<{ release: Release; revisions: HelmRevision[] }> {
  const release = findRelease(config, name);
  return { release, revisions: await history(release) };
}

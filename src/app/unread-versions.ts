import type { ReleasesConfig } from '../config/types.js';
import { versionKeysOf } from '../config/normalize.js';
import type { Helm } from '../helm/helm.js';
import { renderReleases } from './template.js';

/** A release whose new version changed nothing its chart renders, and where boutique put the version. */
export interface UnreadVersion {
  id: string;
  version: string;
  /** The values path the version went to: versionKeys' tag, or its digest for a sha256: digest. */
  key: string;
}

/**
 * The releases whose version changed between two loads of the same environment (before and after a versions file was
 * edited) but whose render did not: their chart reads the version elsewhere than the release's versionKeys, so a
 * sync would apply nothing new. Releases that do not render are left to lint and sync to report.
 */
export async function unreadVersions(
  before: ReleasesConfig,
  after: ReleasesConfig,
  changed: ReadonlyMap<string, string>,
  helm: Helm,
  concurrency: number,
): Promise<UnreadVersion[]> {
  const pick = (config: ReleasesConfig) =>
    config.releases.filter((release) => release.installed && changed.has(release.name));
  const [old, now] = await Promise.all([
    renderReleases(pick(before), helm, { concurrency }),
    renderReleases(pick(after), helm, { concurrency }),
  ]);
  return now.flatMap((result, index) => {
    const previous = old[index]!;
    if (!('manifest' in result) || !('manifest' in previous) || result.manifest !== previous.manifest) return [];
    const version = changed.get(result.release.name)!;
    const keys = versionKeysOf(result.release);
    return [{ id: result.release.id, version, key: version.startsWith('sha256:') ? keys.digest : keys.tag }];
  });
}

/** The warning for each: what was not read, and what to set. */
export function unreadVersionWarning({ id, version, key }: UnreadVersion): string {
  return `warning: ${id} renders the same with ${version}: its chart does not read ${key}, so a sync applies nothing new; set versionKeys on the release in releases.yaml to the chart's own image keys\n`;
}

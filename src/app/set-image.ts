import type { ReleasesConfig } from '../config/types.js';
import { parseImageAssignments } from '../promotion/image-assignments.js';
import { editVersions, type VersionsEdit } from './promote.js';

/** Sets image versions in the environment's versions file, comments and formatting kept. */
export function setImages(config: ReleasesConfig, assignments: readonly string[]): VersionsEdit {
  return editVersions(
    config,
    parseImageAssignments(
      assignments,
      config.releases.map((release) => release.name),
    ),
  );
}

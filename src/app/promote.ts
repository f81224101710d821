import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { ClusterDeps } from './deps.js';
import type { ReleasesConfig } from '../config/types.js';
import type { Plan } from '../plan/plan.js';
import { readAllDeployed } from './deployed.js';
import { counterpart } from './promotion-gate.js';
import { PromotionGateError, renderRefusals, unhealthyReason, type Refusal } from '../promotion/gate.js';
import { parseVersionsFile, updateVersionsFile } from '../config/versions-file.js';
import { writablePathIn } from '../tools/contained-path.js';

export interface VersionChange {
  /** Release name: the key in the versions file. */
  release: string;
  from?: string;
  to: string;
}

/** A versions file before and after an edit. */
export interface VersionsEdit {
  environment: string;
  /** The versions file, relative to the working folder. */
  file: string;
  before: string;
  after: string;
  changes: VersionChange[];
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

/** Writes `versions` into the environment's versions file, keeping its comments; returns the edit. */
export function editVersions(config: ReleasesConfig, versions: ReadonlyMap<string, string>): VersionsEdit {
  const path = config.environment.versionsFile!;
  const file = relative(process.cwd(), path) || path;
  const before = readText(path);
  const current = parseVersionsFile(
    before,
    file,
    config.releases.map((release) => release.name),
  ).versions;
  const changes = [...versions]
    .filter(([release, to]) => current.get(release) !== to)
    .map(([release, to]) => ({ release, from: current.get(release), to }));
  const after =
    changes.length > 0 ? updateVersionsFile(before, new Map(changes.map(({ release, to }) => [release, to]))) : before;
  if (after !== before) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(writablePathIn(dirname(path), path, 'versions file'), after);
  }
  return { environment: config.environment.name, file, before, after, changes };
}

/**
 * Copies into the target's versions file the versions that are deployed and ready in the source environment's
 * cluster, for the selected releases that the target installs. Writes nothing when any of them is unhealthy there.
 */
export async function promoteVersions(options: {
  source: ReleasesConfig;
  target: ReleasesConfig;
  plan: Plan;
  deps: ClusterDeps;
  concurrency: number;
}): Promise<VersionsEdit> {
  const { source, target } = options;
  const releases = options.plan.releases.filter((release) => release.installed);
  const deployed = await readAllDeployed(
    releases.map((release) => counterpart(release, target, source)),
    options.deps,
    options.concurrency,
  );
  const refused: Refusal[] = [];
  const versions = new Map<string, string>();
  releases.forEach((release, index) => {
    const state = deployed[index]!;
    const reason =
      unhealthyReason(state, source.environment.name) ??
      (state.version === undefined ? `has no image version in its values in ${source.environment.name}` : undefined);
    if (reason) refused.push({ release, reason });
    else versions.set(release.name, state.version!);
  });
  if (refused.length > 0) {
    throw new PromotionGateError(
      `cannot promote ${source.environment.name} -> ${target.environment.name}: ${refused.length} release(s) are not healthy in ${source.environment.name}; nothing was written\n${renderRefusals(refused)}`,
      {
        suggestions: ['fix them there first, or leave them out with -l'],
      },
    );
  }
  return editVersions(target, versions);
}

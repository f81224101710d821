import type { Release, ReleasesConfig } from '../config/types.js';
import { dependencyLevels, transitiveNeeds } from './dag.js';
import { matches, type Selector } from './select.js';

export interface PlanOptions {
  selectors: readonly Selector[];
  /** Also select every release that a selected release needs, transitively. */
  includeNeeds: boolean;
}

/** The selected releases of one environment, ordered by their needs. */
export interface Plan {
  /** Dependency levels: each release needs only releases of earlier levels. Declaration order within a level. */
  levels: Release[][];
  /** Selected releases in apply order (levels flattened). */
  releases: Release[];
  /** Releases selected only because --include-needs pulled them in. */
  addedByNeeds: Release[];
  /** Needs of selected releases that were left out of the selection: not applied, and not waited for. */
  unselectedNeeds: { release: Release; need: Release }[];
}

export function buildPlan(config: ReleasesConfig, options: PlanOptions): Plan {
  const byId = new Map(config.releases.map((release) => [release.id, release]));
  const direct = config.releases.filter((release) => matches(release, options.selectors));
  const pulledIn = options.includeNeeds ? transitiveNeeds(config.releases, direct.map((release) => release.id)) : new Set<string>();
  const selectedIds = new Set([...direct.map((release) => release.id), ...pulledIn]);
  // Keep declaration order for the graph, so ties break the same way on every run.
  const selected = config.releases.filter((release) => selectedIds.has(release.id));
  const levels = dependencyLevels(selected.map((release) => ({ id: release.id, needs: release.needs.filter((need) => selectedIds.has(need)) }))).map(
    (ids) => ids.map((id) => byId.get(id)!),
  );
  return {
    levels,
    releases: levels.flat(),
    addedByNeeds: selected.filter((release) => pulledIn.has(release.id)),
    unselectedNeeds: selected.flatMap((release) =>
      release.needs.filter((need) => !selectedIds.has(need)).map((need) => ({ release, need: byId.get(need)! })),
    ),
  };
}

/** Needs of a release within the plan (needs outside the selection are not waited for). */
export function plannedNeeds(plan: Plan, release: Release): string[] {
  const planned = new Set(plan.releases.map((candidate) => candidate.id));
  return release.needs.filter((need) => planned.has(need));
}

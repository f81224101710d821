import type { Environment, Release, ReleasesConfig } from '../config/types.js';
import { dependencyLevels, transitiveNeeds } from '../graph/dag.js';
import { matches, type Selector } from './select.js';

export interface PlanOptions {
  selectors: readonly Selector[];
  /** Also select every release that a selected release needs, transitively. */
  includeNeeds: boolean;
}

/**
 * The selected releases of one environment and their graph. Every derived fact about the graph (needs within the
 * selection, dependents, apply order, how long a chain hangs below a release) is computed here, once; sync, destroy,
 * the scheduler and the views read it from the plan and never work it out again.
 */
export interface Plan {
  environment: Environment;
  /** Every namespace the environment's releases live in, selected or not: what one run's lock covers. */
  targetNamespaces: string[];
  /** Every release releases.yaml declares for the environment, selected or not: a record of any other is orphaned. */
  declaredIds: ReadonlySet<string>;
  /** Dependency levels: each release needs only releases of earlier levels. Declaration order within a level. */
  levels: Release[][];
  /** Selected releases in apply order (levels flattened). */
  releases: Release[];
  /** Per release id: the releases it needs that are selected (the only ones waited for), in declaration order. */
  needs: ReadonlyMap<string, readonly string[]>;
  /** Per release id: the selected releases that need it (destroy waits for them). */
  dependents: ReadonlyMap<string, readonly string[]>;
  /** Per release id: releases on the longest chain that starts at it, itself included (the scheduler starts long chains first). */
  chainLength: ReadonlyMap<string, number>;
  /** Releases selected only because --include-needs pulled them in. */
  addedByNeeds: Release[];
  /** Needs of selected releases that were left out of the selection: not applied, and not waited for. */
  unselectedNeeds: { release: Release; need: Release }[];
}

export function buildPlan(config: ReleasesConfig, options: PlanOptions): Plan {
  const byId = new Map(config.releases.map((release) => [release.id, release]));
  const direct = config.releases.filter((release) => matches(release, options.selectors));
  const pulledIn = options.includeNeeds
    ? transitiveNeeds(
        config.releases,
        direct.map((release) => release.id),
      )
    : new Set<string>();
  const selectedIds = new Set([...direct.map((release) => release.id), ...pulledIn]);
  // Keep declaration order for the graph, so ties break the same way on every run.
  const selected = config.releases.filter((release) => selectedIds.has(release.id));
  const needs = new Map(selected.map((release) => [release.id, release.needs.filter((need) => selectedIds.has(need))]));
  const dependents = new Map<string, string[]>(selected.map((release) => [release.id, []]));
  for (const [id, releaseNeeds] of needs) for (const need of releaseNeeds) dependents.get(need)!.push(id);
  const levels = dependencyLevels(selected.map((release) => ({ id: release.id, needs: needs.get(release.id)! }))).map(
    (ids) => ids.map((id) => byId.get(id)!),
  );
  const releases = levels.flat();
  // Last level first, so every dependent's chain is known when its needs are measured.
  const chainLength = new Map<string, number>();
  for (const release of [...releases].reverse()) {
    chainLength.set(
      release.id,
      1 + Math.max(0, ...dependents.get(release.id)!.map((dependent) => chainLength.get(dependent)!)),
    );
  }
  return {
    environment: config.environment,
    targetNamespaces: [...new Set(config.releases.map((release) => release.namespace))].sort(),
    declaredIds: new Set(config.releases.map((release) => release.id)),
    levels,
    releases,
    needs,
    dependents,
    chainLength,
    addedByNeeds: selected.filter((release) => pulledIn.has(release.id)),
    unselectedNeeds: selected.flatMap((release) =>
      release.needs.filter((need) => !selectedIds.has(need)).map((need) => ({ release, need: byId.get(need)! })),
    ),
  };
}

/** The plan with its releases replaced by these, the same ids with values read or decrypted; the same plan when nothing changed. */
export function withReleases(plan: Plan, releases: Release[]): Plan {
  if (releases.every((release, index) => release === plan.releases[index])) return plan;
  const byId = new Map(releases.map((release) => [release.id, release]));
  return { ...plan, releases, levels: plan.levels.map((level) => level.map((release) => byId.get(release.id)!)) };
}

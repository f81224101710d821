import type { Release } from '../config/types.js';
import { healthLibrary } from '../health/library.js';
import type { HealthRule } from '../health/rules.js';

/** One rule as `boutique health --list` shows it: where it comes from, and which releases decide with it. */
export interface ListedHealthRule {
  rule: HealthRule;
  /** The releases that use a rule of releases.yaml; for a built-in one, those that replace it by their own. */
  releases: string[];
}

const sameKind = (a: HealthRule, b: HealthRule) =>
  a.kind === b.kind && a.apiVersion.split('/')[0] === b.apiVersion.split('/')[0];

/**
 * The health rules of a run: releases.yaml's (each once, with the selected releases it applies to), then the built-in
 * library, each with the releases whose own rule for the same kind replaces it.
 */
export function listHealthRules(releases: readonly Release[]): ListedHealthRule[] {
  const user = new Map<string, ListedHealthRule>();
  for (const release of releases) {
    for (const rule of release.health) {
      const where = rule.source.kind === 'user' ? rule.source.where : '';
      const listed = user.get(where) ?? { rule, releases: [] };
      listed.releases.push(release.id);
      user.set(where, listed);
    }
  }
  const builtIn = healthLibrary.map((rule) => ({
    rule,
    releases: releases
      .filter((release) => release.health.some((own) => sameKind(own, rule)))
      .map((release) => release.id),
  }));
  return [...user.values(), ...builtIn];
}

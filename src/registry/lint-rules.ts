/**
 * The vocabulary of boutique lint, neutral ground for releases.yaml (config/, which checks `lint.rules` settings)
 * and the rules themselves (lint/, whose every rule takes its id from here): an id missing here is a type error
 * there, and lint's tests check that every id here has its rule.
 */
export type Severity = 'error' | 'warning' | 'info';
export type RuleSetting = Severity | 'off';

/** The layer-4 rules, in the order findings and docs list them. */
export const OBJECT_RULE_IDS = [
  'image-tag',
  'readiness-probe',
  'liveness-probe',
  'probe-port',
  'resource-requests',
  'memory-limit',
  'run-as-non-root',
  'privileged',
  'privilege-escalation',
  'writable-root-fs',
  'replicas-production',
  'pdb-production',
  'spread-production',
  'plaintext-secret',
  'config-checksum',
  'service-selector',
  'nodeport-service',
] as const;
export type ObjectRuleId = (typeof OBJECT_RULE_IDS)[number];

/**
 * helm lint as rules of its own: `helm-lint: off` skips it for a release (a third-party chart helm lint cannot
 * pass); `helm-lint-strict` is what `helm lint --strict` adds to plain helm lint: shown as warnings by default,
 * `error` lints with --strict, `off` not at all (app/lint.ts).
 */
export const HELM_LINT_RULE_IDS = ['helm-lint', 'helm-lint-strict'] as const;

/** Every rule id a `lint.rules` setting may name. */
export const LINT_RULE_IDS: readonly string[] = [...OBJECT_RULE_IDS, ...HELM_LINT_RULE_IDS];

/** Rule ids in `settings` that no rule has, for the config loader to report as typos. */
export function unknownRuleIds(settings: Readonly<Record<string, unknown>>): string[] {
  const known = new Set(LINT_RULE_IDS);
  return Object.keys(settings).filter((id) => !known.has(id));
}

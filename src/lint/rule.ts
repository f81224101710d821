import type { ObjectRuleId } from '../registry/lint-rules.js';
import type { KubeObject, LintTarget, Severity } from './types.js';
import type { Workload } from './workloads.js';

/** What a rule sees: the release being linted, with its workloads already extracted. */
export interface RuleContext {
  target: LintTarget;
  workloads: Workload[];
}

/** One problem found by a rule, about a rendered object or a place in a values file. */
export interface Violation {
  object?: KubeObject;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface RuleDefinition {
  /** Stable kebab-case id, used in releases.yaml `lint.rules` and the `boutique.dev/lint-disable` annotation. */
  id: ObjectRuleId;
  severity: Severity;
  /** What the rule checks, one line (docs and `--list-rules`). */
  summary: string;
  /** How to resolve a finding, one line. */
  fix: string;
  check(context: RuleContext): Violation[];
}

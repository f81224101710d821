// Public API of boutique lint layers 3 (schemas) and 4 (best-practice rules).
export type {
  Finding,
  KubeObject,
  LintLayer,
  LintRuleSettings,
  LintTarget,
  RuleSetting,
  Severity,
  ValuesFile,
} from './types.js';
export type { RuleDefinition } from './rule.js';
export { rules } from './rules/index.js';
export { DISABLE_ANNOTATION, lintObjects } from './lint-objects.js';
export { MISSING_SCHEMA_RULE_ID, SCHEMA_RULE_ID, validateSchemas } from './validate-schemas.js';
export {
  availableKubeVersions,
  catalogueFile,
  DEFAULT_KUBE_VERSION,
  UnknownKubeVersionError,
  type KubeCatalogue,
  type KubeTarget,
} from './kube-catalogue.js';

import type { ListedHealthRule } from '../app/health-rules.js';
import { ruleName } from '../health/evaluate.js';
import { expressionOrder } from '../health/rules.js';

/** `boutique health --list`: each rule as a block of YAML-like lines a user can copy into releases.yaml. */
export function renderHealthRules(rules: readonly ListedHealthRule[]): string {
  return rules
    .map(({ rule, releases }) => {
      const used =
        rule.source.kind === 'user'
          ? `used by ${releases.join(', ')}`
          : releases.length > 0
            ? `replaced in ${releases.join(', ')}`
            : '';
      const lines = [
        `# ${ruleName(rule)}${used ? `: ${used}` : ''}`,
        `- apiVersion: ${rule.apiVersion}`,
        `  kind: ${rule.kind}`,
      ];
      if (rule.matches) lines.push(`  # matches: ${rule.matches}`);
      for (const name of expressionOrder) {
        if (rule[name] !== undefined) lines.push(`  ${name}: ${JSON.stringify(rule[name])}`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/** The JSON of `health --list -o json`. */
export function healthRulesJson(rules: readonly ListedHealthRule[]) {
  return rules.map(({ rule: { source, ...rule }, releases }) => ({
    ...rule,
    source: source.kind === 'user' ? source.where : `built-in (${source.project})`,
    releases,
  }));
}

import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { RuleDefinition, Violation } from '../rule.js';
import type { ValuesFile } from '../types.js';
import { allContainers, containerRef } from '../workloads.js';

const SECRET_WORDS = /password|passwd|secret|token|apikey|privatekey|credential/;
// Names that point at or describe a secret rather than hold one: secretName, existingSecret, tokenFile,
// passwordSecretRef, tokenUrl, tokenTtl…
const REFERENCE_NAMES = /^existing|(name|ref|file|path|dir|mount|enabled|create|url|uri|endpoint|host|ttl|type)$/;

/** `DB_PASSWORD`, `auth.apiKey`, `client-secret` look secret; `secretName` and `existingSecret` do not. */
export function looksSecret(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_WORDS.test(normalized) && !REFERENCE_NAMES.test(normalized);
}

// A switch about a secret, not a secret: ALLOW_EMPTY_PASSWORD: "no", REQUIRE_TOKEN: "true".
const SWITCH_WORDS = /^(y|yes|n|no|true|false|on|off|0|1|enabled|disabled)$/i;

/** A literal worth reporting: non-empty, not a switch, and not a placeholder filled in later (`${VAR}`, `{{ … }}`). */
function isLiteral(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.trim() !== '' &&
    !SWITCH_WORDS.test(value.trim()) &&
    !value.includes('${') &&
    !value.includes('{{')
  );
}

function valuesFileViolations({ path: file, document, lineCounter }: ValuesFile): Violation[] {
  const violations: Violation[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (isSeq(node)) node.items.forEach((item, index) => visit(item, [...path, `[${index}]`]));
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const keyPath = [...path, key];
      const value = pair.value as Node | null;
      if (isScalar(value) && looksSecret(key) && isLiteral(value.value) && value.range) {
        const { line, col } = lineCounter.linePos(value.range[0]);
        const shown = keyPath.join('.').replace(/\.\[/g, '[');
        violations.push({ file, line, column: col, message: `${shown} holds a literal secret` });
      } else {
        visit(value, keyPath);
      }
    }
  };
  visit(document.contents, []);
  return violations;
}

export const plaintextSecret: RuleDefinition = {
  id: 'plaintext-secret',
  severity: 'error',
  summary:
    'No literal secrets (keys or env names like *password*, *secret*, *token*) in values files or container env.',
  fix: 'Keep the value in a Secret created outside the chart and reference it (env valueFrom.secretKeyRef, existingSecret).',
  check: ({ target, workloads }) => [
    ...target.valuesFiles.flatMap(valuesFileViolations),
    ...workloads.flatMap((workload) =>
      allContainers(workload.template.spec).flatMap((container) =>
        (Array.isArray(container.env) ? container.env : [])
          .filter((env) => typeof env?.name === 'string' && looksSecret(env.name) && isLiteral(env.value))
          .map((env) => ({
            object: workload.object,
            message: `${containerRef(container)} sets env ${env.name} to a literal value`,
          })),
      ),
    ),
  ],
};

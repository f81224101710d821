import { rules } from './rules/index.js';
import type { Finding, KubeObject, LintTarget } from './types.js';
import { findWorkloads, objectRef } from './workloads.js';

/** Per-object opt-out, on the object or its pod template: `boutique.dev/lint-disable: "probe-port,image-tag"` or `all`. */
export const DISABLE_ANNOTATION = 'boutique.dev/lint-disable';

/**
 * Layer 4: runs every best-practice rule over one release's rendered objects and values files.
 * `target.rules` turns rules off or changes their severity; the annotation silences them per object.
 * Findings come in rendering order of their objects (values-file findings first), then rule order.
 */
export function lintObjects(target: LintTarget): Finding[] {
  const workloads = findWorkloads(target.objects);
  const templateAnnotations = new Map(workloads.map((workload) => [workload.object, workload.template.annotations]));
  const objectOrder = new Map(target.objects.map((object, index) => [object, index]));
  const findings: { finding: Finding; order: number }[] = [];
  for (const rule of rules) {
    const severity = target.rules[rule.id] ?? rule.severity;
    if (severity === 'off') continue;
    for (const violation of rule.check({ target, workloads })) {
      const { object } = violation;
      if (object && isDisabled(rule.id, object, templateAnnotations.get(object))) continue;
      findings.push({
        order: object ? (objectOrder.get(object) ?? 0) : -1,
        finding: {
          ruleId: rule.id,
          layer: 'rules',
          severity,
          release: target.release,
          ...(object ? { object: objectRef(object) } : {}),
          ...(violation.file !== undefined
            ? { file: violation.file, line: violation.line, column: violation.column }
            : {}),
          message: violation.message,
          fix: rule.fix,
        },
      });
    }
  }
  // Array.prototype.sort is stable, so rule order is kept within an object.
  return findings.sort((a, b) => a.order - b.order).map(({ finding }) => finding);
}

function isDisabled(
  ruleId: string,
  object: KubeObject,
  templateAnnotations: Record<string, string> | undefined,
): boolean {
  return [object.metadata?.annotations?.[DISABLE_ANNOTATION], templateAnnotations?.[DISABLE_ANNOTATION]].some(
    (value) => {
      if (typeof value !== 'string') return false;
      const disabled = value.split(',').map((id) => id.trim());
      return disabled.includes(ruleId) || disabled.includes('all');
    },
  );
}

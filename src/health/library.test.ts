import { describe, expect, it } from 'vitest';
import { bucket, obj, samples } from '../../test/fixtures/health/library-samples.js';
import { evaluateHealth, type HealthState } from './evaluate.js';
import { healthLibrary } from './library.js';
import { compileRule, HealthRules } from './rules.js';

const rules = new HealthRules(healthLibrary);

describe('the built-in health library', () => {
  it('compiles every rule', () => {
    expect(healthLibrary.flatMap((rule) => compileRule(rule).errors)).toEqual([]);
  });

  it.each(samples)('$name: $state', ({ object, state }) => {
    const rule = rules.ruleFor(object);
    expect(rule, `no rule for ${object.apiVersion} ${object.kind}`).toBeDefined();
    // Within the grace period too: only an object without any status waits for one (and not by the conventions).
    expect(evaluateHealth(object, rule!, { statusGraceOver: false }).state).toBe(state);
  });

  it('has a sample of every state for every rule', () => {
    const statesByRule = new Map<unknown, Set<HealthState>>();
    for (const { object, state } of samples) {
      const rule = rules.ruleFor(object)!.rule;
      statesByRule.set(rule, (statesByRule.get(rule) ?? new Set()).add(state));
    }
    const missing = healthLibrary
      .filter((rule) => statesByRule.get(rule)?.size !== 3)
      .map((rule) => `${rule.kind} (${rule.source.kind === 'built-in' ? rule.source.project : ''})`);
    expect(missing).toEqual([]);
  });

  it("matches no built-in kind; a custom resource no rule names falls to the conventions, unless Crossplane's shape is its own", () => {
    expect(rules.ruleFor(obj('apps/v1', 'Deployment', {}, { forProvider: {} }))).toBeUndefined();
    expect(rules.ruleFor(obj('monitoring.coreos.com/v1', 'ServiceMonitor', undefined))?.rule.source).toEqual({
      kind: 'built-in',
      project: 'Kubernetes conventions',
    });
    expect(rules.ruleFor(bucket([]))?.rule.source).toEqual({ kind: 'built-in', project: 'Crossplane' });
  });
});

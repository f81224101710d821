import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { evaluateHealth, ruleName } from './evaluate.js';
import { compileRule, HealthRules, type HealthRule } from './rules.js';

const rule = (expressions: Partial<HealthRule> = {}): HealthRule => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  current: "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
  failed: "status.conditions.exists(c, c.type == 'Ready' && c.status == 'False' && c.reason == 'Broken')",
  source: { kind: 'user', where: 'releases.yaml:7:9' },
  ...expressions,
});
const compiled = (r: HealthRule = rule()) => compileRule(r).compiled!;
const widget = (status?: Record<string, unknown>, generation = 1): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', generation },
  ...(status && { status }),
});
const readyCondition = (status: string, reason: string) => ({
  conditions: [{ type: 'Ready', status, reason, message: `it is ${reason}` }],
});

describe('evaluateHealth', () => {
  it('decides by the first true expression, in Flux order: inProgress, failed, current', () => {
    const all = compiled(rule({ inProgress: 'true', failed: 'true', current: 'true' }));
    expect(evaluateHealth(widget({ a: 1 }), all, { statusGraceOver: true })).toMatchObject({
      state: 'inProgress',
      decidedBy: 'inProgress',
    });
    expect(
      evaluateHealth(widget({ a: 1 }), compiled(rule({ failed: 'true', current: 'true' })), { statusGraceOver: true }),
    ).toMatchObject({ state: 'failed', decidedBy: 'failed' });
  });

  it('is in progress when no expression is true, naming the conditions', () => {
    expect(evaluateHealth(widget(readyCondition('False', 'Issuing')), compiled(), { statusGraceOver: true })).toEqual({
      state: 'inProgress',
      reason: 'Ready=False (Issuing)',
    });
  });

  it('names the condition that decided a failure, with its message', () => {
    expect(evaluateHealth(widget(readyCondition('False', 'Broken')), compiled(), { statusGraceOver: true })).toEqual({
      state: 'failed',
      reason: 'Ready=False (Broken): it is Broken',
      decidedBy: 'failed',
    });
  });

  it('waits for a status until the grace period is over', () => {
    const always = compiled(rule({ current: 'true' }));
    expect(evaluateHealth(widget(), always, { statusGraceOver: false })).toEqual({
      state: 'inProgress',
      reason: 'no status yet',
    });
    expect(evaluateHealth(widget(), always, { statusGraceOver: true }).state).toBe('current');
  });

  it('waits while the controller has not observed the latest generation, whatever the conditions say', () => {
    const stale = widget({ observedGeneration: 1, ...readyCondition('True', 'Ready') }, 2);
    expect(evaluateHealth(stale, compiled(), { statusGraceOver: true })).toEqual({
      state: 'inProgress',
      reason: 'observedGeneration 1, generation 2',
    });
    expect(
      evaluateHealth({ ...stale, status: { ...(stale.status as object), observedGeneration: 2 } }, compiled(), {
        statusGraceOver: true,
      }).state,
    ).toBe('current');
  });

  it('treats an expression that cannot be evaluated as not true, and keeps why', () => {
    const verdict = evaluateHealth(widget({ phase: 'Pending' }), compiled(), { statusGraceOver: true });
    expect(verdict.state).toBe('inProgress');
    expect(verdict.reason).toBe('phase Pending');
    expect(verdict.errors).toHaveLength(2);
  });

  it('reads whole numbers as CEL ints and binds self as well as the top-level fields', () => {
    const r = compiled(
      rule({ current: "string(status.replicas) == '3' && self.status.replicas == spec.replicas", failed: undefined }),
    );
    expect(
      evaluateHealth({ ...widget({ replicas: 3 }), spec: { replicas: 3 } }, r, { statusGraceOver: true }).state,
    ).toBe('current');
  });
});

describe('rules', () => {
  it('reports where an expression does not parse', () => {
    expect(compileRule(rule({ current: 'status.ready ==' })).errors).toEqual([
      expect.objectContaining({ expression: 'current', line: 1, column: expect.any(Number) }),
    ]);
  });

  it('match the API group and kind, not the version, and the first rule for a kind wins', () => {
    const first = rule({ current: 'true' });
    const rules = new HealthRules([first, rule({ current: 'false' })]);
    expect(rules.ruleFor({ ...widget(), apiVersion: 'example.com/v2' })?.rule).toBe(first);
    expect(rules.ruleFor({ ...widget(), apiVersion: 'other.com/v1' })).toBeUndefined();
  });

  it('are named with where they come from', () => {
    expect(ruleName(rule())).toBe('example.com/v1 Widget (releases.yaml:7:9)');
    expect(ruleName({ ...rule(), source: { kind: 'built-in', project: 'cert-manager' } })).toBe(
      'example.com/v1 Widget (built-in, cert-manager)',
    );
  });
});

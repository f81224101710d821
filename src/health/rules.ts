import { celEnv, isCelError, parse, plan, type CelInput, type CelResult } from '@bufbuild/cel';
import { apiGroup, type KubeObject } from '../kube/objects.js';

/**
 * A health rule as Flux's Kustomization `healthCheckExprs` writes one, so a user can copy theirs: CEL expressions
 * over the object for when it is `current` (ready), `inProgress` and `failed`.
 */
export interface HealthRuleSpec {
  apiVersion: string;
  kind: string;
  current: string;
  inProgress?: string;
  failed?: string;
}

/** The three expressions, in the order they are evaluated (Flux's order): the first true one decides. */
export const expressionOrder = ['inProgress', 'failed', 'current'] as const;
export type ExpressionName = (typeof expressionOrder)[number];

/** Where a rule comes from: releases.yaml at a position, or the built-in library (with the project it is for). */
export type RuleSource = { kind: 'user'; where: string } | { kind: 'built-in'; project: string };

export interface HealthRule extends HealthRuleSpec {
  source: RuleSource;
  /**
   * Built-in rules only: `apiVersion: '*'` and `kind: '*'` with this CEL condition over the object as written (the
   * rendered manifest) pick the custom resources of a family whose kinds no list could name (Crossplane's managed
   * resources and claims). A rule that names its kind wins over one that matches.
   */
  matches?: string;
  /**
   * Built-in only: false where an object without a status is judged at once, not after a grace period for its
   * controller (the conventions rule: most custom resources without a rule have no controller writing a status).
   */
  statusGrace?: false;
}

type Evaluate = (object: Record<string, unknown>) => CelResult;

/** A rule whose expressions compiled. */
export interface CompiledRule {
  rule: HealthRule;
  expressions: Partial<Record<ExpressionName, Evaluate>>;
  matches?: Evaluate;
}

/** A CEL expression that does not parse: where in the expression (1-based), and what CEL said. */
export interface CelSyntaxError {
  expression: ExpressionName | 'matches';
  line: number;
  column: number;
  message: string;
}

// The names an expression may use: `self`, as Kubernetes' own CEL rules call the object, and the object's
// top-level fields, as Flux binds them (`status.conditions…`, `metadata.generation`).
const topLevelFields = ['apiVersion', 'kind', 'metadata', 'spec', 'status'] as const;
// Made on first use: the bundle loads @bufbuild/cel only then (scripts/bundle.mjs), so a run without health rules
// and custom resources never reads it.
let env: ReturnType<typeof celEnv> | undefined;

/**
 * The object as CEL sees it, as Kubernetes' unstructured objects hold it: whole numbers are CEL ints (a JSON number
 * is a double otherwise, and `string(status.replicas)` would say "3.0").
 */
function celValue(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celValue);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, celValue(inner)]));
  return value;
}

/** The variables every expression is evaluated with; a missing top-level field is an empty map. */
export function bindings(object: Record<string, unknown>): Record<string, CelInput> {
  const self = celValue(object) as Record<string, CelInput>;
  return { self, ...Object.fromEntries(topLevelFields.map((field) => [field, self[field] ?? {}])) };
}

// Parsing CEL costs milliseconds an expression: each text is compiled once per process, however many releases share it.
const compiledTexts = new Map<string, Evaluate | { line: number; column: number; message: string }>();

function compileOne(text: string): Evaluate | { line: number; column: number; message: string } {
  let compiled = compiledTexts.get(text);
  if (compiled) return compiled;
  try {
    const run = plan((env ??= celEnv()), parse(text));
    compiled = (object) => run(bindings(object));
  } catch (error) {
    // @bufbuild/cel's parser names the place ("<input>:1:5: …") and keeps it as `location.start`.
    const start = (error as { location?: { start?: { line: number; column: number } } }).location?.start;
    const message = (error as Error).message.replace(/^<input>:\d+:\d+: /, '');
    compiled = { line: start?.line ?? 1, column: start?.column ?? 1, message };
  }
  compiledTexts.set(text, compiled);
  return compiled;
}

/** Compiles a rule's expressions; every one that does not parse is reported, none is evaluated then. */
export function compileRule(rule: HealthRule): { compiled?: CompiledRule; errors: CelSyntaxError[] } {
  const errors: CelSyntaxError[] = [];
  const expressions: CompiledRule['expressions'] = {};
  let matches: Evaluate | undefined;
  const named = [...expressionOrder.map((name) => [name, rule[name]] as const), ['matches', rule.matches] as const];
  for (const [name, text] of named) {
    if (text === undefined) continue;
    const result = compileOne(text);
    if (typeof result !== 'function') errors.push({ expression: name, ...result });
    else if (name === 'matches') matches = result;
    else expressions[name] = result;
  }
  return errors.length > 0 ? { errors } : { compiled: { rule, expressions, ...(matches && { matches }) }, errors };
}

/** A boolean answer, or why there is none (an error, such as a field that is not there, or a value that is no bool). */
export function truthOf(result: CelResult): boolean | string {
  if (isCelError(result)) return result.message;
  if (typeof result === 'boolean') return result;
  return `the expression gave ${typeof result === 'bigint' ? 'a number' : typeof result}, not true or false`;
}

/** `group/Kind`: rules match the API group and kind, not the version (as Flux's do). */
const groupKind = (apiVersion: string, kind: string) => `${apiGroup(apiVersion)}/${kind}`;

/** The built-in kinds, whose readiness is helm's wait: their API groups have no dot, or end in .k8s.io. */
export function isCustomResource(object: Pick<KubeObject, 'apiVersion'>): boolean {
  const group = apiGroup(object.apiVersion);
  return group.includes('.') && !group.endsWith('.k8s.io');
}

/**
 * The rules one run decides with: the first of the lists that names a kind wins (releases.yaml's rules, most
 * specific first, before the built-in library). Rules are compiled once per run, here.
 */
export class HealthRules {
  private readonly byKind = new Map<string, HealthRule>();
  private readonly matching: HealthRule[] = [];
  private readonly compiled = new Map<HealthRule, CompiledRule | undefined>();

  constructor(rules: readonly HealthRule[]) {
    for (const rule of rules) {
      if (rule.matches !== undefined) this.matching.push(rule);
      else if (!this.byKind.has(groupKind(rule.apiVersion, rule.kind)))
        this.byKind.set(groupKind(rule.apiVersion, rule.kind), rule);
    }
  }

  /** Compiled on first use: a run that meets no custom resource parses no CEL. */
  private compile(rule: HealthRule): CompiledRule | undefined {
    if (!this.compiled.has(rule)) this.compiled.set(rule, compileRule(rule).compiled);
    return this.compiled.get(rule);
  }

  /** The rule for an object (as written in the manifest), or undefined when none names or matches it. */
  ruleFor(object: KubeObject): CompiledRule | undefined {
    const named = this.byKind.get(groupKind(object.apiVersion, object.kind));
    if (named) return this.compile(named);
    if (!isCustomResource(object)) return undefined;
    for (const rule of this.matching) {
      const compiled = this.compile(rule);
      if (compiled && truthOf(compiled.matches!(object as unknown as Record<string, unknown>)) === true)
        return compiled;
    }
    return undefined;
  }
}

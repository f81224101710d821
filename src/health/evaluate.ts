import { objectRef, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';
import { expressionOrder, truthOf, type CompiledRule, type ExpressionName, type HealthRule } from './rules.js';

export type HealthState = 'current' | 'inProgress' | 'failed';

export interface HealthVerdict {
  state: HealthState;
  /** What the object says, in a few words: `Ready=False (Issuing)`, `observedGeneration 1 < generation 2`. */
  reason: string;
  /** The expression that was true, when one was. */
  decidedBy?: ExpressionName;
  /** Why an expression gave no answer (a field that is not there yet, a value that is no bool). */
  errors?: string[];
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

const conditionsOf = (status: Record<string, unknown>): Condition[] =>
  (Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : []) as Condition[];

const describeCondition = (condition: Condition, withMessage: boolean) =>
  `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason})` : ''}${withMessage && condition.message ? `: ${condition.message}` : ''}`;

/**
 * The conditions worth naming: Ready when there is one, else those that are not True, else every one; a phase or
 * state when there are no conditions.
 */
export function statusSummary(status: Record<string, unknown>, withMessage = false): string {
  const conditions = conditionsOf(status);
  const ready = conditions.filter((condition) => condition.type === 'Ready');
  const notTrue = conditions.filter((condition) => condition.status !== 'True');
  const named = ready.length > 0 ? ready : notTrue.length > 0 ? notTrue : conditions;
  if (named.length > 0) return named.map((condition) => describeCondition(condition, withMessage)).join(', ');
  for (const field of ['phase', 'state']) {
    if (typeof status[field] === 'string') return `${field} ${status[field]}`;
  }
  return Object.keys(status).length === 0 ? 'no status yet' : 'no conditions';
}

/** `Certificate/demo-tls: Ready=False (Issuing)` (`ref` is objectRef's); with `why`, also why an expression gave no answer. */
export function describeVerdict(ref: string, verdict: HealthVerdict, why = false): string {
  return `${ref}: ${verdict.reason}${why && verdict.errors ? ` (${verdict.errors.join('; ')})` : ''}`;
}

/** An object that is not current, as objectRef names it, with its verdict. */
export interface UnreadyObject {
  ref: string;
  verdict: HealthVerdict;
}

/**
 * The objects a health rule covers that are not current in the cluster, in progress or failed (`not found` when it
 * is gone). They have been deployed a while: no grace period for a first status. Pure.
 */
export function notCurrent(
  objects: readonly KubeObject[],
  liveOf: (object: KubeObject) => KubeObject | undefined,
  ruleFor: (object: KubeObject) => CompiledRule | undefined,
): UnreadyObject[] {
  return objects.flatMap((object) => {
    const rule = ruleFor(object);
    if (!rule) return [];
    const live = liveOf(object);
    const verdict: HealthVerdict = live
      ? evaluateHealth(live, rule, { statusGraceOver: true })
      : { state: 'inProgress', reason: 'not found' };
    return verdict.state === 'current' ? [] : [{ ref: objectRef(object), verdict }];
  });
}

/** `cert-manager.io/v1 Certificate (built-in, cert-manager)` or `… (releases.yaml:12:5)`: which rule decided. */
export function ruleName(rule: HealthRule): string {
  const source = rule.source.kind === 'user' ? rule.source.where : `built-in, ${rule.source.project}`;
  return `${rule.apiVersion} ${rule.kind} (${source})`;
}

export interface EvaluateOptions {
  /**
   * Whether the time a controller gets to write a first status is over. Until then an object without a status is
   * in progress whatever its rule says: a just-created object must not be judged before its controller saw it.
   */
  statusGraceOver: boolean;
}

/**
 * Flux's order: an object whose controller has not yet observed its latest generation (`status.observedGeneration`
 * behind `metadata.generation`) is in progress; otherwise `inProgress`, `failed` and `current` are evaluated in
 * that order and the first that is true decides; when none is, the object is in progress. An expression that
 * cannot be evaluated (a field not there yet) is not true, and its error is kept for the message. Pure.
 */
export function evaluateHealth(object: KubeObject, compiled: CompiledRule, options: EvaluateOptions): HealthVerdict {
  const status = isRecord(object.status) ? object.status : {};
  if (Object.keys(status).length === 0 && !options.statusGraceOver && compiled.rule.statusGrace !== false)
    return { state: 'inProgress', reason: 'no status yet' };
  const generation = object.metadata.generation;
  const observed = status.observedGeneration;
  if (typeof observed === 'number' && typeof generation === 'number' && observed !== generation) {
    return { state: 'inProgress', reason: `observedGeneration ${observed}, generation ${generation}` };
  }
  const errors: string[] = [];
  for (const name of expressionOrder) {
    const evaluate = compiled.expressions[name];
    if (!evaluate) continue;
    const truth = truthOf(evaluate(object as unknown as Record<string, unknown>));
    if (truth === true) return { state: name, reason: statusSummary(status, name === 'failed'), decidedBy: name };
    if (typeof truth === 'string') errors.push(`${name}: ${truth}`);
  }
  return { state: 'inProgress', reason: statusSummary(status), ...(errors.length > 0 && { errors }) };
}

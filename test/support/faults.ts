/**
 * Fault injection for tests: objects that never become ready, a share of failing requests, latency, forced 409
 * conflicts, and a server without WatchList. Request faults match on the request; neverReady matches on the object.
 */
import type { KubeObject } from './api-request.js';
import type { Verb } from './request-log.js';

/** What a fault looks at. Every given field must match; an empty matcher matches everything. */
export interface Matcher {
  kind?: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource?: string;
  namespace?: string;
  name?: string | RegExp;
  verb?: Verb | Verb[];
  /** Only dry-run requests (true) or only real ones (false). */
  dryRun?: boolean;
  /** The URL path, e.g. /^\/(version|api|apis)$/ for the discovery every client starts with. */
  path?: RegExp;
  /** neverReady only: a predicate on the object, e.g. to hold back one image of a Deployment. */
  where?: (object: KubeObject) => boolean;
}

export interface MatchTarget {
  kind?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  verb?: Verb;
  dryRun?: boolean;
  path?: string;
}

export function matches(matcher: Matcher, target: MatchTarget): boolean {
  if (matcher.kind !== undefined && matcher.kind !== target.kind) return false;
  if (matcher.resource !== undefined && matcher.resource !== target.resource) return false;
  if (matcher.namespace !== undefined && matcher.namespace !== target.namespace) return false;
  if (matcher.dryRun !== undefined && matcher.dryRun !== target.dryRun) return false;
  if (matcher.path !== undefined && !matcher.path.test(target.path ?? '')) return false;
  if (
    matcher.name instanceof RegExp
      ? !matcher.name.test(target.name ?? '')
      : matcher.name !== undefined && matcher.name !== target.name
  ) {
    return false;
  }
  if (matcher.verb !== undefined) {
    const verbs = Array.isArray(matcher.verb) ? matcher.verb : [matcher.verb];
    if (!target.verb || !verbs.includes(target.verb)) return false;
  }
  return true;
}

export interface FailRequestsOptions {
  /** Fraction of matching requests that fail, 0..1 (default 1). Deterministic: every 1/share-th request fails. */
  share?: number;
  /** HTTP status to answer (default 500). */
  status?: number;
  /**
   * Answer as an API server whose storage did not answer in time: 500 ServerTimeout with this Retry-After, which
   * client-go (helm, kubectl) waits out and retries by itself. Without it, a bare InternalError nobody retries.
   */
  retryAfterSeconds?: number;
  /** Fail no more than this many requests, then answer normally: an API server that came up late. */
  limit?: number;
  matcher?: Matcher;
}

/** Removes the fault it was returned for. */
export type RemoveFault = () => void;

export interface InjectedFailure {
  status: number;
  retryAfterSeconds?: number;
}

export interface RequestFaults {
  delayMs: number;
  failure?: InjectedFailure;
  conflict: boolean;
  /** Answer sendInitialEvents=true watches with 422, so clients fall back to list+watch. */
  rejectWatchList: boolean;
}

interface Failure extends InjectedFailure {
  share: number;
  limit: number;
  matcher: Matcher;
  seen: number;
  failed: number;
}

const writes: Verb[] = ['create', 'update', 'patch', 'delete'];

export class Faults {
  private readonly neverReadyMatchers = new Set<Matcher>();
  private readonly failures = new Set<Failure>();
  private readonly latencies = new Set<{ ms: number; matcher: Matcher }>();
  private readonly conflicts = new Set<Matcher>();
  private readonly watchListRejections = new Set<Matcher>();
  private readonly listeners = new Set<() => void>();

  /** Matching workloads (Deployment, StatefulSet, Job, PVC, LoadBalancer Service…) stay not ready until the fault is removed. */
  neverReady(matcher: Matcher): RemoveFault {
    this.neverReadyMatchers.add(matcher);
    return this.removal(() => this.neverReadyMatchers.delete(matcher));
  }

  failRequests(options: FailRequestsOptions = {}): RemoveFault {
    const failure: Failure = {
      share: options.share ?? 1,
      status: options.status ?? 500,
      retryAfterSeconds: options.retryAfterSeconds,
      limit: options.limit ?? Infinity,
      matcher: options.matcher ?? {},
      seen: 0,
      failed: 0,
    };
    this.failures.add(failure);
    return this.removal(() => this.failures.delete(failure));
  }

  latency(ms: number, matcher: Matcher = {}): RemoveFault {
    const entry = { ms, matcher };
    this.latencies.add(entry);
    return this.removal(() => this.latencies.delete(entry));
  }

  /** Matching writes (create, update, patch, delete) answer 409 Conflict, as if the object had been modified concurrently. */
  conflictOn(matcher: Matcher): RemoveFault {
    this.conflicts.add(matcher);
    return this.removal(() => this.conflicts.delete(matcher));
  }

  /** Behave like a server without the WatchList feature: matching sendInitialEvents watches get 422 Invalid. */
  rejectWatchList(matcher: Matcher = {}): RemoveFault {
    this.watchListRejections.add(matcher);
    return this.removal(() => this.watchListRejections.delete(matcher));
  }

  clear(): void {
    this.neverReadyMatchers.clear();
    this.watchListRejections.clear();
    this.failures.clear();
    this.latencies.clear();
    this.conflicts.clear();
    this.changed();
  }

  isNeverReady(object: KubeObject): boolean {
    const target: MatchTarget = { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    return [...this.neverReadyMatchers].some(
      (matcher) => matches(matcher, target) && (matcher.where?.(object) ?? true),
    );
  }

  /** Decide the faults of one request; counts it towards every matching share. */
  forRequest(target: MatchTarget): RequestFaults {
    const delayMs = [...this.latencies]
      .filter(({ matcher }) => matches(matcher, target))
      .reduce((sum, { ms }) => sum + ms, 0);
    let failed: InjectedFailure | undefined;
    for (const failure of this.failures) {
      if (!matches(failure.matcher, target) || failure.failed >= failure.limit) continue;
      const before = Math.floor(failure.seen * failure.share);
      failure.seen++;
      // One answer per request: a fault counts towards its limit only when it is the one answered.
      if (Math.floor(failure.seen * failure.share) === before || failed) continue;
      failure.failed++;
      failed = { status: failure.status, retryAfterSeconds: failure.retryAfterSeconds };
    }
    const conflict =
      target.verb !== undefined &&
      writes.includes(target.verb) &&
      [...this.conflicts].some((matcher) => matches(matcher, target));
    const rejectWatchList =
      target.verb === 'watch' && [...this.watchListRejections].some((matcher) => matches(matcher, target));
    return { delayMs, failure: failed, conflict, rejectWatchList };
  }

  /** Called when faults change, so the status simulator can release objects that were held back. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  private removal(remove: () => void): RemoveFault {
    this.changed();
    return () => {
      remove();
      this.changed();
    };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

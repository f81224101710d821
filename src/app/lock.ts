import { randomUUID } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Kubectl, ObjectRef } from '../helm/kubectl.js';
import type { Environment } from '../config/types.js';
import { AppError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';

/** Another boutique run held the lock past --lock-timeout: nothing was applied. */
export class LockTimeoutError extends AppError {
  readonly code = 'LOCKED';
}

/** The lock's namespace is missing, or this user may not write Leases there: nothing was applied. */
export class LockNamespaceError extends AppError {
  readonly code = 'LOCK_NAMESPACE';
}

/** A renewal failed or found the Lease changed: the run started nothing more, and fails. */
export class LockLostError extends AppError {
  readonly code = 'LOCK_LOST';
}

const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

/** On the Lease: the kernel boot and PID namespace its holder's PID belongs to (see diedHere). */
export const processSpaceAnnotation = 'boutique.dev/process-space';
/**
 * On the Lease: the runs that ended cleanly holding it, newest first (a few): each waited for every helm it started,
 * so a revision such a run left pending has no helm working on it, whatever deadline it records.
 */
export const endedRunsAnnotation = 'boutique.dev/ended-runs';
const ENDED_RUNS_KEPT = 20;

const endedRunsOf = (lease: KubeObject | undefined): string[] =>
  ((lease?.metadata.annotations as Record<string, string> | undefined)?.[endedRunsAnnotation] ?? '')
    .split(',')
    .filter(Boolean);

export interface LockOptions {
  /** How long to wait for another run's lock before giving up (ms). */
  timeoutMs: number;
  /** Told once that the lock is held by someone else, and who. */
  onWait?: (holder: string, since: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How often the Leases are renewed (ms); 10 s, a third of their duration. */
  renewEveryMs?: number;
}

/** The locks a run holds: renewed in the background until released. */
export interface HeldLock {
  runId: string;
  /** Whether this run had to wait for another one: its plan must be made afresh. */
  waited: boolean;
  /** Why the run no longer holds every lock it took (a renewal failed, or found a Lease changed by someone else). */
  lost(): LockLostError | undefined;
  /**
   * Runs that ended cleanly while holding these Leases (this run's namespaces), as the Leases said when taken: what
   * they left pending may be recovered at once.
   */
  endedRuns: ReadonlySet<string>;
  /**
   * Lets go of each Lease that is still this run's (compare-and-swap: one someone else changed is left alone).
   * `ended`: every helm this run started has ended, so the Leases say so (endedRuns).
   */
  release(ended?: boolean): Promise<void>;
}

/** A Lease: its namespace (the environment's lockNamespace) and name. */
export interface LockRef {
  namespace: string;
  name: string;
}

/**
 * One Lease per namespace a run writes to, named for that namespace alone, in the order they are taken: two runs
 * that touch one release meet on its namespace's Lease, whatever else their releases.yaml or environment holds,
 * and since every run takes its Leases in the same (sorted) order, two runs cannot each hold what the other waits for.
 */
export function locksOf(environment: Pick<Environment, 'lockNamespace'>, namespaces: Iterable<string>): LockRef[] {
  return [...new Set(namespaces)]
    .sort()
    .map((namespace) => ({ namespace: environment.lockNamespace, name: `boutique-ns-${namespace}` }));
}

const leaseRef = ({ namespace, name }: LockRef): ObjectRef => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  namespace,
  name,
});

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * This process's boot and PID namespace (Linux): a PID means the same process only to a holder with the same two.
 * A container on the host network shares its host name, not its PID namespace; undefined where /proc does not say.
 */
function ownProcessSpace(): string | undefined {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()} ${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

const processSpace = ownProcessSpace();

function leaseObject(
  { namespace, name }: LockRef,
  holder: string | undefined,
  nowMs: number,
  base?: KubeObject,
  endedRun?: string,
): KubeObject {
  const spec = (base?.spec ?? {}) as Record<string, unknown>;
  const acquired =
    holder && spec.holderIdentity === holder && typeof spec.acquireTime === 'string'
      ? spec.acquireTime
      : microTime(nowMs);
  const ended = [...(endedRun ? [endedRun] : []), ...endedRunsOf(base)].slice(0, ENDED_RUNS_KEPT);
  const annotations = {
    ...(holder && processSpace && { [processSpaceAnnotation]: processSpace }),
    ...(ended.length > 0 && { [endedRunsAnnotation]: ended.join(',') }),
  };
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace,
      ...(base?.metadata.resourceVersion ? { resourceVersion: base.metadata.resourceVersion as string } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'boutique' },
      ...(Object.keys(annotations).length > 0 && { annotations }),
    },
    // Let go of (holder undefined) as client-go's leader election lets go: no holder, so the next run takes it at once.
    spec: holder
      ? {
          holderIdentity: holder,
          leaseDurationSeconds: LEASE_SECONDS,
          acquireTime: acquired,
          renewTime: microTime(nowMs),
        }
      : { leaseDurationSeconds: LEASE_SECONDS, renewTime: microTime(nowMs) },
  };
}

/**
 * A holder whose process is provably gone died without letting go: no need to wait for its Lease to expire. Proof
 * needs the same boot and PID namespace (the annotation); a host name alone is shared by containers on the host
 * network, whose PIDs mean nothing here. Anything else waits for the renew time.
 */
function diedHere(lease: KubeObject, holder: string): boolean {
  const [, pid] = holder.split('/');
  const space = (lease.metadata.annotations as Record<string, string> | undefined)?.[processSpaceAnnotation];
  if (!processSpace || space !== processSpace || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The lease's holder, unless it stopped renewing (its run died) or let go. */
export function activeHolder(
  lease: KubeObject | undefined,
  nowMs: number,
): { holder: string; since: string } | undefined {
  const spec = (lease?.spec ?? {}) as {
    holderIdentity?: string;
    renewTime?: string;
    acquireTime?: string;
    leaseDurationSeconds?: number;
  };
  if (!lease || !spec.holderIdentity || !spec.renewTime || diedHere(lease, spec.holderIdentity)) return undefined;
  const expires = Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
  return expires > nowMs ? { holder: spec.holderIdentity, since: spec.acquireTime ?? spec.renewTime } : undefined;
}

/**
 * Takes the run's locks (see locksOf), one coordination.k8s.io Lease after another in their order: each created, or
 * taken over once its holder stopped renewing or let go (compare-and-swap on resourceVersion, so two runs cannot
 * both win). Waits while another run holds one, up to `timeoutMs` in all, then fails with nothing applied. Renewed
 * every 10 s; a renewal that fails or meets a Lease changed by someone else marks the lock lost (HeldLock.lost).
 */
export async function acquireLock(
  kubectl: Kubectl,
  locks: readonly LockRef[],
  options: LockOptions,
): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const runId = randomUUID();
  const holder = `${hostname()}/${process.pid}/${runId}`;
  const deadline = now() + options.timeoutMs;
  const held: { ref: LockRef; lease: KubeObject }[] = [];
  let waited = false;
  try {
    for (const ref of locks) {
      // Told once per run, however many of its Leases it waits for.
      const taken = await takeLease(kubectl, ref, holder, deadline, {
        ...options,
        onWait: waited ? undefined : options.onWait,
      });
      waited ||= taken.waited;
      held.push({ ref, lease: taken.lease });
    }
  } catch (error) {
    await letGo(kubectl, held, now, undefined);
    throw error;
  }
  const endedRuns = new Set(held.flatMap(({ lease }) => endedRunsOf(lease)));
  return keepRenewed(kubectl, held, holder, { runId, waited, endedRuns }, options.renewEveryMs ?? RENEW_EVERY_MS, now);
}

async function takeLease(
  kubectl: Kubectl,
  lock: LockRef,
  holder: string,
  deadline: number,
  options: LockOptions,
): Promise<{ lease: KubeObject; waited: boolean }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let waited = false;
  for (;;) {
    const created = await kubectl.createObject(leaseObject(lock, holder, now())).catch((error: Error) => {
      throw lockNamespaceError(error, lock) ?? error;
    });
    if (created !== 'exists') return { lease: created, waited };
    const current = await kubectl.getObject(leaseRef(lock));
    const active = activeHolder(current, now());
    if (current && !active) {
      const taken = await kubectl.replaceObject(leaseObject(lock, holder, now(), current));
      if (taken !== 'conflict') return { lease: taken, waited };
    } else if (active) {
      if (!waited) options.onWait?.(active.holder, active.since);
      waited = true;
      if (now() >= deadline) {
        throw new LockTimeoutError(
          `another boutique run holds the lock of namespace ${lock.name.replace(/^boutique-ns-/, '')} (lease ${lock.namespace}/${lock.name}): ${active.holder}, since ${active.since}`,
          {
            suggestions: [
              'wait for it to finish and run again, or raise --lock-timeout; a lease whose holder died expires after 30 s',
            ],
          },
        );
      }
      await sleep(1_000);
    }
  }
}

/** A lock namespace that does not exist, or where the runs may not write, explained with what to set. */
function lockNamespaceError(error: Error, lock: LockRef): Error | undefined {
  // kubectl's stderr, or the same words from a request boutique sent itself (ApiStatusError).
  const stderr = (error as { stderr?: string }).stderr ?? error.message;
  const reason = /namespaces? "[^"]+" not found/.test(stderr)
    ? 'does not exist'
    : /\(Forbidden\)|forbidden/.test(stderr)
      ? 'is not writable for this user'
      : undefined;
  if (!reason) return undefined;
  return new LockNamespaceError(
    `cannot take the lock of this environment: namespace ${lock.namespace} ${reason} (lease ${lock.namespace}/${lock.name})`,
    {
      cause: error,
      suggestions: [
        'set lockNamespace in the environment of releases.yaml to a namespace that exists and where this user may create, update and delete coordination.k8s.io Leases',
      ],
    },
  );
}

/**
 * Lets go of each Lease at the resourceVersion this run last wrote (one someone else changed since is not ours),
 * adding `endedRun` to the runs it says ended cleanly.
 */
async function letGo(
  kubectl: Kubectl,
  held: readonly { ref: LockRef; lease: KubeObject }[],
  now: () => number,
  endedRun: string | undefined,
): Promise<void> {
  await Promise.all(
    held.map(({ ref, lease }) =>
      kubectl.replaceObject(leaseObject(ref, undefined, now(), lease, endedRun)).catch(() => undefined),
    ),
  );
}

function keepRenewed(
  kubectl: Kubectl,
  held: { ref: LockRef; lease: KubeObject }[],
  holder: string,
  taken: Pick<HeldLock, 'runId' | 'waited' | 'endedRuns'>,
  everyMs: number,
  now: () => number,
): HeldLock {
  let lost: LockLostError | undefined;
  // Renewals and the release one after another: a release never races a renewal's new resourceVersion.
  let queue: Promise<void> = Promise.resolve();
  const renewOne = async (entry: { ref: LockRef; lease: KubeObject }) => {
    const where = `lease ${entry.ref.namespace}/${entry.ref.name}`;
    try {
      const renewed = await kubectl.replaceObject(leaseObject(entry.ref, holder, now(), entry.lease));
      if (renewed !== 'conflict') {
        entry.lease = renewed;
        return;
      }
      lost ??= new LockLostError(`this run lost its lock: someone else changed the ${where} while this run held it`, {
        suggestions: [
          'check that no other boutique or tool writes to the same namespaces, then sync again: what finished is kept, what did not start is planned afresh',
        ],
      });
    } catch (error) {
      lost ??= new LockLostError(
        `this run lost its lock: renewing the ${where} failed: ${(error as Error).message.trim().split('\n').at(-1)}`,
        {
          cause: error,
          suggestions: [
            'sync again once the API server answers: what finished is kept, what did not start is planned afresh',
          ],
        },
      );
    }
  };
  const timer = setInterval(() => {
    queue = queue.then(async () => {
      if (lost) return;
      await Promise.all(held.map(renewOne));
      if (lost) clearInterval(timer);
    });
  }, everyMs);
  timer.unref();
  return {
    ...taken,
    lost: () => lost,
    release: async (ended = false) => {
      clearInterval(timer);
      queue = queue.then(() => letGo(kubectl, held, now, ended ? taken.runId : undefined));
      await queue;
    },
  };
}

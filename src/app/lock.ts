import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kubectl, ObjectRef } from '../helm/kubectl.js';
import { AppError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';
import type { Plan } from '../plan/plan.js';

/** Another boutique run held the lock past --lock-timeout: nothing was applied. */
export class LockTimeoutError extends AppError {
  readonly code = 'LOCKED';
}

/** The lock's namespace is missing, or this user may not write Leases there: nothing was applied. */
export class LockNamespaceError extends AppError {
  readonly code = 'LOCK_NAMESPACE';
}

const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

export interface LockOptions {
  /** How long to wait for another run's lock before giving up (ms). */
  timeoutMs: number;
  /** Told once that the lock is held by someone else, and who. */
  onWait?: (holder: string, since: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** A held lock: renewed in the background until released. */
export interface HeldLock {
  runId: string;
  /** Whether this run had to wait for another one: its plan must be made afresh. */
  waited: boolean;
  release(): Promise<void>;
}

/** A Lease: its namespace (the environment's lockNamespace) and name. */
export interface LockRef {
  namespace: string;
  name: string;
}

/** One lock per environment and its namespaces, whatever the selection: two runs against the same target take turns. */
export function lockOf(plan: Plan): LockRef {
  const namespaces = plan.targetNamespaces.join(',');
  const digest = createHash('sha256').update(namespaces).digest('hex').slice(0, 10);
  return { namespace: plan.environment.lockNamespace, name: `boutique-${plan.environment.name.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40)}-${digest}` };
}

const leaseRef = ({ namespace, name }: LockRef): ObjectRef => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name });

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

function leaseObject({ namespace, name }: LockRef, holder: string, nowMs: number, base?: KubeObject): KubeObject {
  const spec = (base?.spec ?? {}) as Record<string, unknown>;
  const acquired = spec.holderIdentity === holder && typeof spec.acquireTime === 'string' ? spec.acquireTime : microTime(nowMs);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(base?.metadata.resourceVersion ? { resourceVersion: base.metadata.resourceVersion as string } : {}), labels: { 'app.kubernetes.io/managed-by': 'boutique' } },
    spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: acquired, renewTime: microTime(nowMs) },
  };
}

/** A holder on this machine whose process is gone died without letting go: no need to wait for its lease to expire. */
function diedHere(holder: string): boolean {
  const [host, pid] = holder.split('/');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The lease's holder, unless it stopped renewing (its run died) or let go. */
export function activeHolder(lease: KubeObject | undefined, nowMs: number): { holder: string; since: string } | undefined {
  const spec = (lease?.spec ?? {}) as { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseDurationSeconds?: number };
  if (!spec.holderIdentity || !spec.renewTime || diedHere(spec.holderIdentity)) return undefined;
  const expires = Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
  return expires > nowMs ? { holder: spec.holderIdentity, since: spec.acquireTime ?? spec.renewTime } : undefined;
}

/**
 * Takes the target's lock, a coordination.k8s.io Lease: created, or taken over once its holder stopped renewing
 * (compare-and-swap on resourceVersion, so two runs cannot both win). Waits while another run holds it, up to
 * `timeoutMs`, then fails with nothing applied. Renewed every 10 s; `release` deletes it.
 */
export async function acquireLock(kubectl: Kubectl, lock: LockRef, options: LockOptions): Promise<HeldLock> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const runId = randomUUID();
  const holder = `${hostname()}/${process.pid}/${runId}`;
  const deadline = now() + options.timeoutMs;
  let waited = false;
  for (;;) {
    const created = await kubectl.createObject(leaseObject(lock, holder, now())).catch((error: Error) => {
      throw lockNamespaceError(error, lock) ?? error;
    });
    let held: KubeObject | undefined = created === 'exists' ? undefined : created;
    if (!held) {
      const current = await kubectl.getObject(leaseRef(lock));
      const active = activeHolder(current, now());
      if (current && !active) {
        const taken = await kubectl.replaceObject(leaseObject(lock, holder, now(), current));
        if (taken !== 'conflict') held = taken;
      } else if (active) {
        if (!waited) options.onWait?.(active.holder, active.since);
        waited = true;
        if (now() >= deadline) {
          throw new LockTimeoutError(`another boutique run holds the lock of this target (lease ${lock.namespace}/${lock.name}): ${active.holder}, since ${active.since}`, {
            suggestions: ['wait for it to finish and run again, or raise --lock-timeout; a lease whose holder died expires after 30 s'],
          });
        }
        await sleep(1_000);
      }
    }
    if (held) return keepRenewed(kubectl, lock, holder, held, runId, waited, now);
  }
}

/** A lock namespace that does not exist, or where the runs may not write, explained with what to set. */
function lockNamespaceError(error: Error, lock: LockRef): Error | undefined {
  // kubectl's stderr, or the same words from a request boutique sent itself (ApiStatusError).
  const stderr = (error as { stderr?: string }).stderr ?? error.message;
  const reason = /namespaces? "[^"]+" not found/.test(stderr) ? 'does not exist' : /\(Forbidden\)|forbidden/.test(stderr) ? 'is not writable for this user' : undefined;
  if (!reason) return undefined;
  return new LockNamespaceError(`cannot take the lock of this environment: namespace ${lock.namespace} ${reason} (lease ${lock.namespace}/${lock.name})`, {
    cause: error,
    suggestions: ["set lockNamespace in the environment of releases.yaml to a namespace that exists and where this user may create, update and delete coordination.k8s.io Leases"],
  });
}

function keepRenewed(kubectl: Kubectl, lock: LockRef, holder: string, lease: KubeObject, runId: string, waited: boolean, now: () => number): HeldLock {
  let current = lease;
  const timer = setInterval(() => {
    void kubectl.replaceObject(leaseObject(lock, holder, now(), current)).then((renewed) => {
      if (renewed !== 'conflict') current = renewed;
    }, () => undefined);
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    runId,
    waited,
    release: async () => {
      clearInterval(timer);
      await kubectl.deleteObject(leaseRef(lock));
    },
  };
}

import { hostname, userInfo } from 'node:os';
import { UsageError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import { actorLabel, environmentLabel, orphanRelease, runLabel, type ReleaseRecord } from '../plan/sync-plan.js';
import type { Release } from '../config/types.js';
import type { ClusterDeps } from './deps.js';
import { acquireLock, locksOf, type LockOptions } from './lock.js';
import { rollbackWaitingForHealth } from './rollback.js';

/** One revision a run wrote, read off the labels of helm's storage object. */
interface RunRevision {
  release: string;
  name: string;
  namespace: string;
  revision: number;
  status: string;
  /** Unix seconds, from helm's createdAt label. */
  createdAt: number;
}

/** A boutique run, as the revisions it wrote tell it: `history --runs`, and what `rollback --run` undoes. */
export interface Run {
  id: string;
  environment: string;
  actor?: string;
  /** ISO time of its first revision. */
  startedAt: string;
  /** Per release, the first revision the run wrote: 1 is an install, anything later an upgrade. */
  releases: { id: string; revision: number; action: 'installed' | 'upgraded'; status: string }[];
}

/**
 * Who runs boutique, as a label value can hold it: the CI's actor where it says (GitHub, GitLab), else user.host.
 * It is a hint for `history --runs`, not an identity.
 */
export function runActor(env: NodeJS.ProcessEnv = process.env): string {
  const who = env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? `${safeUser()}.${hostname()}`;
  return who
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Every run that wrote a revision in the environment's namespaces, newest first. */
export async function listRuns(plan: Plan, deps: ClusterDeps): Promise<Run[]> {
  const driver = deps.storageDriver;
  if (driver === 'other')
    throw new UsageError(
      "runs are read from helm's storage objects, and this HELM_DRIVER keeps none boutique can list",
      { suggestions: ['use the secret or configmap driver'] },
    );
  const revisions = new Map<string, { environment: string; actor?: string; revisions: RunRevision[] }>();
  for (const namespace of plan.targetNamespaces) {
    for (const obj of await deps.kubectl.helmRunRecords(namespace, driver)) {
      const labels = obj.metadata.labels ?? {};
      const run = labels[runLabel];
      if (!run || !labels.name || labels[environmentLabel] !== plan.environment.name) continue;
      const entry = revisions.get(run) ?? {
        environment: labels[environmentLabel],
        ...(labels[actorLabel] && { actor: labels[actorLabel] }),
        revisions: [],
      };
      entry.revisions.push({
        release: `${namespace}/${labels.name}`,
        name: labels.name,
        namespace,
        revision: Number(labels.version),
        status: labels.status ?? '',
        createdAt: Number(labels.createdAt ?? labels.modifiedAt ?? 0),
      });
      revisions.set(run, entry);
    }
  }
  const runs = [...revisions].map(([id, { environment, actor, revisions: written }]): Run => {
    const first = new Map<string, RunRevision>();
    for (const revision of written)
      if (!first.has(revision.release) || revision.revision < first.get(revision.release)!.revision)
        first.set(revision.release, revision);
    return {
      id,
      environment,
      ...(actor && { actor }),
      startedAt: new Date(Math.min(...written.map((revision) => revision.createdAt)) * 1000).toISOString(),
      releases: [...first.values()]
        .sort((a, b) => a.release.localeCompare(b.release))
        .map((revision) => ({
          id: revision.release,
          revision: revision.revision,
          action: revision.revision === 1 ? 'installed' : 'upgraded',
          status: revision.status,
        })),
    };
  });
  return runs.sort(
    (a, b) => laterRevisions(b, a) || b.startedAt.localeCompare(a.startedAt) || a.id.localeCompare(b.id),
  );
}

/**
 * 1 when `a` wrote a later revision than `b` of a release both changed, -1 when earlier, 0 when they share none:
 * helm's revision numbers order runs that a label's whole seconds cannot.
 */
function laterRevisions(a: Run, b: Run): number {
  const of = new Map(b.releases.map((release) => [release.id, release.revision]));
  for (const release of a.releases) {
    const other = of.get(release.id);
    if (other !== undefined && other !== release.revision) return release.revision > other ? 1 : -1;
  }
  return 0;
}

/** What `rollback --run` does to one release: back to the revision before the run's, or uninstalled when the run installed it. */
export type RunUndo =
  { release: Release; action: 'uninstall' } | { release: Release; action: 'rollback'; toRevision: number };

/** The undo of a run, in reverse dependency order (dependents first), from the revisions it wrote. */
export async function runUndo(plan: Plan, runId: string, deps: ClusterDeps): Promise<RunUndo[]> {
  const runs = await listRuns(plan, deps);
  const run = runs.find((candidate) => candidate.id === runId || candidate.id.startsWith(runId));
  if (!run) {
    throw new UsageError(`no run ${runId} wrote a revision in environment ${plan.environment.name}`, {
      suggestions: [
        runs.length > 0
          ? `boutique history --runs lists them; the latest is ${runs[0]!.id}`
          : 'no boutique run has written a revision here yet',
      ],
    });
  }
  const declared = new Map(plan.releases.map((release) => [release.id, release]));
  // Apply order reversed: what needs a release goes back before it. Releases no longer declared go first.
  const rank = (id: string) => {
    const index = plan.releases.findIndex((release) => release.id === id);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return [...run.releases]
    .sort((a, b) => rank(b.id) - rank(a.id))
    .map(({ id, revision }) => {
      const release =
        declared.get(id) ??
        orphanRelease({
          name: id.split('/')[1]!,
          namespace: id.split('/')[0]!,
          chart: '',
          version: '',
        } as ReleaseRecord);
      return revision === 1
        ? { release, action: 'uninstall' as const }
        : { release, action: 'rollback' as const, toRevision: revision - 1 };
    });
}

/** Carries out the undo under the environment's lock, one release at a time in the order given; stops at the first failure. */
export async function undoRun(
  plan: Plan,
  undo: readonly RunUndo[],
  deps: ClusterDeps,
  lock: Pick<LockOptions, 'timeoutMs' | 'onWait'>,
): Promise<{ release: string; done: string }[]> {
  const held = await acquireLock(
    deps.kubectl,
    locksOf(
      plan.environment,
      undo.map((step) => step.release.namespace),
    ),
    lock,
  );
  let ended = false;
  try {
    const done: { release: string; done: string }[] = [];
    for (const step of undo) {
      // A lost lock starts nothing new: another run may be writing.
      if (held.lost()) break;
      if (step.action === 'uninstall') {
        await deps.helm.uninstall(step.release, true);
        done.push({ release: step.release.id, done: 'uninstalled' });
      } else {
        await rollbackWaitingForHealth(step.release, step.toRevision, deps);
        done.push({ release: step.release.id, done: `rolled back to revision ${step.toRevision}` });
      }
    }
    const lost = held.lost();
    if (lost) throw lost;
    ended = true;
    return done;
  } finally {
    await held.release(ended);
  }
}

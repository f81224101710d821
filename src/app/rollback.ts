import type { Release, ReleasesConfig } from '../config/types.js';
import { closest } from '../text/suggest.js';
import { UsageError } from '../errors.js';
import type { HelmRevision } from '../helm/helm.js';
import type { Plan } from '../plan/plan.js';
import { ownerOf } from '../plan/sync-plan.js';
import { refuseTakeover, type WriteOptions } from './changes.js';
import type { ClusterDeps } from './deps.js';
import { acquireLock, locksOf, type LockOptions } from './lock.js';
import { objectsWithRules, waitForHealth } from './health-wait.js';
import { releaseRecords } from './release-records.js';
import { storedObjects } from './stored-objects.js';

/** The one release a rollback names, by `name` or `namespace/name`. */
export function findRelease(config: ReleasesConfig, name: string): Release {
  const matches = config.releases.filter((release) => release.id === name || release.name === name);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    const suggestion = closest(
      name,
      config.releases.map((release) => release.name),
    );
    throw new UsageError(`no release "${name}" in ${config.file}`, {
      suggestions: [suggestion ? `did you mean "${suggestion}"?` : 'run boutique list'],
    });
  }
  throw new UsageError(
    `"${name}" names releases in several namespaces: ${matches.map((release) => release.id).join(', ')}`,
    { suggestions: ['write namespace/name'] },
  );
}

/**
 * The revision a rollback goes to (the one before the current by default), checked against helm's history before
 * anything is asked or written: helm's own answer to a release with one revision is "release has no 0 version".
 */
function rollbackTarget(release: Release, revision: number | undefined, history: readonly HelmRevision[]): number {
  const current = history.at(-1);
  const kept = history.map((entry) => entry.revision);
  const target = revision ?? history.at(-2)?.revision;
  const look = [`boutique history ${release.id} lists the revisions helm keeps`];
  if (!current)
    throw new UsageError(`${release.id} has no revisions: there is nothing to roll back`, { suggestions: look });
  if (target === undefined)
    throw new UsageError(`${release.id} has only revision ${current.revision}: there is nothing to roll back to`, {
      suggestions: look,
    });
  if (!kept.includes(target))
    throw new UsageError(`${release.id} has no revision ${target}: helm keeps ${kept.join(', ')}`, {
      suggestions: look,
    });
  return target;
}

/**
 * The revision a rollback of `release` goes to, checked before anything is asked or written: it must be one helm
 * keeps, and the release must be this environment's, as for sync (another environment's needs --take-over).
 */
export async function prepareRollback(
  plan: Plan,
  release: Release,
  revision: number | undefined,
  deps: ClusterDeps,
  options: Pick<WriteOptions, 'takeOver' | 'kubeContext'>,
): Promise<number> {
  const target = rollbackTarget(release, revision, await deps.helm.history(release));
  const records = await releaseRecords(deps);
  const owner = ownerOf(await records.current(release));
  records.stop();
  refuseTakeover(
    'rollback',
    owner && owner !== plan.environment.name ? [{ release, owner }] : [],
    plan.environment.name,
    options,
  );
  return target;
}

/**
 * `helm rollback` to `revision`, waiting as sync waits: a revision with custom resources that a health rule covers
 * is waited for by those rules after helm's wait for the built-in kinds (helm 4's watcher would hold a Ready=False
 * until its timeout).
 */
export async function rollbackWaitingForHealth(release: Release, revision: number, deps: ClusterDeps): Promise<void> {
  const objects = release.wait ? storedObjects(release, await deps.helm.manifest(release, revision)) : [];
  const byRules = objectsWithRules(release, objects).length > 0;
  await deps.helm.rollback(release, revision, { builtInKindsOnly: byRules });
  if (byRules) await waitForHealth(release, objects, deps.kubectl);
}

/** `helm rollback` (to the previous revision by default) under the target's lock, then the revision helm recorded for it. */
export async function rollback(
  plan: Plan,
  release: Release,
  revision: number,
  deps: ClusterDeps,
  lock: Pick<LockOptions, 'timeoutMs' | 'onWait'>,
): Promise<HelmRevision | undefined> {
  const held = await acquireLock(deps.kubectl, locksOf(plan.environment, [release.namespace]), lock);
  let ended = false;
  try {
    await rollbackWaitingForHealth(release, revision, deps);
    const lost = held.lost();
    if (lost) throw lost;
    ended = true;
    return (await deps.helm.history(release)).at(-1);
  } finally {
    await held.release(ended);
  }
}

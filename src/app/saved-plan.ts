import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AppError, UsageError } from '../errors.js';
import {
  PLAN_FORMAT,
  readPlanFile,
  type PlannedObject,
  type PlannedRelease,
  type SavedPlan,
} from '../config/plan-file.js';
import type { StoredRelease } from '../helm/records.js';
import { kindsByScope, objectNamespace, parseManifests, type KubeObject } from '../kube/objects.js';
import type { Plan } from '../plan/plan.js';
import { isChange, type PlannedChange, type SyncPlan } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';
import { mapInOrder } from './pool.js';
import { storedObjects } from './stored-objects.js';
import type { ValuesFiles } from './values-files.js';
import { secretValuesOf } from '../secrets/mask.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hasSecrets = (change: PlannedChange) => secretValuesOf(change.release).length > 0;

/** What a sync would write, release by release, as it stands now: rendered, and the live objects it touches read. */
async function plannedReleases(
  syncPlan: SyncPlan,
  stored: ReadonlyMap<string, StoredRelease>,
  deps: ClusterDeps,
  valuesFiles: ValuesFiles,
  concurrency: number,
): Promise<PlannedRelease[]> {
  const changes = syncPlan.changes.filter((change): change is PlannedChange & { action: PlannedRelease['action'] } =>
    isChange(change.action),
  );
  return mapInOrder(changes, concurrency, async (change) => {
    const { release } = change;
    const manifest =
      change.action === 'uninstall' ? undefined : await deps.helm.template(release, valuesFiles.argsFor(release));
    const rendered = manifest === undefined ? [] : parseManifests(manifest);
    const previous = stored.get(release.id);
    const deployed = previous ? storedObjects(release, previous.manifest) : [];
    const touched = new Set([...rendered, ...deployed].map((obj) => keyOf(obj, release.namespace)));
    const live = await deps.kubectl.listKinds(kindsByScope([...rendered, ...deployed], release.namespace));
    const objects = live
      .filter((obj) => touched.has(keyOf(obj, release.namespace)))
      .map((obj) => plannedObject(obj, release.namespace))
      .sort((a, b) => a.key.localeCompare(b.key));
    return {
      id: release.id,
      action: change.action,
      reasons: change.reasons,
      inputsHash: change.inputsHash,
      chart: release.chartSource,
      ...(change.record && { fromRevision: change.record.revision }),
      // A release with secret values keeps no render in the plan: its keyed inputs hash stands for it.
      ...(manifest !== undefined && !hasSecrets(change) && { manifestSha256: sha256(manifest), manifest }),
      objects,
    };
  });
}

const keyOf = (obj: KubeObject, namespace: string) =>
  `${obj.kind}/${objectNamespace(obj, namespace) ?? ''}/${obj.metadata.name}`;

function plannedObject(obj: KubeObject, namespace: string): PlannedObject {
  const generation = obj.metadata.generation;
  return {
    key: keyOf(obj, namespace),
    resourceVersion: String(obj.metadata.resourceVersion ?? ''),
    ...(typeof generation === 'number' && {
      generation,
      meta: sha256(JSON.stringify([obj.metadata.labels ?? {}, obj.metadata.annotations ?? {}])),
    }),
  };
}

/** The plan to save: the environment, the selection and what a sync would write now. */
export async function savePlan(
  plan: Plan,
  syncPlan: SyncPlan,
  stored: ReadonlyMap<string, StoredRelease>,
  deps: ClusterDeps,
  valuesFiles: ValuesFiles,
  concurrency: number,
  now = new Date(),
): Promise<SavedPlan> {
  return {
    format: PLAN_FORMAT,
    environment: plan.environment.name,
    ...(plan.environment.kubeContext && { kubeContext: plan.environment.kubeContext }),
    createdAt: now.toISOString(),
    selected: plan.releases.map((release) => release.id),
    releases: await plannedReleases(syncPlan, stored, deps, valuesFiles, concurrency),
  };
}

/** The saved plan in `file`; a missing file is an input error, as a missing values file is. */
export async function readSavedPlan(file: string): Promise<SavedPlan> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the plan ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, {
      suggestions: ['save one first: boutique diff --save-plan FILE'],
    });
  });
  return readPlanFile(text, file);
}

/** The plan was made for another environment or selection: nothing to compare, an input error. */
export function checkPlanTarget(saved: SavedPlan, plan: Plan, file: string): void {
  if (saved.environment !== plan.environment.name) {
    throw new UsageError(`${file} is a plan for environment ${saved.environment}, not ${plan.environment.name}`, {
      suggestions: [`run sync --plan ${file} -e ${saved.environment}`],
    });
  }
  const selected = plan.releases.map((release) => release.id);
  if (selected.join('\n') !== saved.selected.join('\n')) {
    throw new UsageError(
      `${file} was made for another selection of releases (${saved.selected.join(', ') || 'none'})`,
      {
        suggestions: ['select the same releases (-l, --include-needs) as when the plan was saved'],
      },
    );
  }
}

/**
 * What moved since the plan was saved, in words: a release whose action or inputs differ, a new revision of a
 * release (a helm run in between), a render that differs, a live object changed, created or deleted. Empty when
 * a sync now would write exactly what was reviewed.
 */
export async function planMoves(
  saved: SavedPlan,
  syncPlan: SyncPlan,
  stored: ReadonlyMap<string, StoredRelease>,
  deps: ClusterDeps,
  valuesFiles: ValuesFiles,
  concurrency: number,
): Promise<string[]> {
  const now = new Map(
    (await plannedReleases(syncPlan, stored, deps, valuesFiles, concurrency)).map((release) => [release.id, release]),
  );
  const moves: string[] = [];
  for (const id of new Set([...saved.releases.map((release) => release.id), ...now.keys()])) {
    const before = saved.releases.find((release) => release.id === id);
    const after = now.get(id);
    if (!before || !after) {
      moves.push(
        `${id}: the plan ${before ? `would ${before.action} it, a sync now would leave it alone` : `leaves it alone, a sync now would ${after!.action} it (${after!.reasons.join(', ')})`}`,
      );
      continue;
    }
    if (before.action !== after.action)
      moves.push(`${id}: planned to ${before.action}, a sync now would ${after.action}`);
    if (before.fromRevision !== after.fromRevision)
      moves.push(
        `${id}: helm's revision is ${after.fromRevision ?? 'none'}, the plan started from ${before.fromRevision ?? 'none'} (another helm run in between)`,
      );
    if (before.inputsHash !== after.inputsHash)
      moves.push(`${id}: its inputs changed (releases.yaml, a values file, the chart, a versions file or a set value)`);
    else if (before.manifestSha256 !== after.manifestSha256)
      moves.push(`${id}: it renders differently (a chart republished under the same version, or helm changed)`);
    const liveBefore = new Map(before.objects.map((obj) => [obj.key, obj]));
    const liveAfter = new Map(after.objects.map((obj) => [obj.key, obj]));
    for (const key of new Set([...liveBefore.keys(), ...liveAfter.keys()])) {
      const was = liveBefore.get(key);
      const is = liveAfter.get(key);
      if (!was) moves.push(`${id}: ${key} was created since the plan`);
      else if (!is) moves.push(`${id}: ${key} was deleted since the plan`);
      else if (changedSince(was, is))
        moves.push(
          `${id}: ${key} changed since the plan (resourceVersion ${was.resourceVersion} → ${is.resourceVersion})`,
        );
    }
  }
  return moves;
}

/** A spec or metadata change; a controller's status update (resourceVersion alone) does not count where a generation tells. */
const changedSince = (was: PlannedObject, is: PlannedObject) =>
  was.generation !== undefined && is.generation !== undefined
    ? was.generation !== is.generation || was.meta !== is.meta
    : was.resourceVersion !== is.resourceVersion;

/** The cluster or the inputs moved since the plan was reviewed: nothing is applied. */
export class PlanMovedError extends AppError {
  readonly code = 'PLAN_MOVED';

  constructor(file: string, moves: readonly string[]) {
    super(
      `nothing was applied: what ${file} planned is no longer what a sync would do:\n${moves.map((move) => `  ${move}`).join('\n')}`,
      {
        suggestions: ['review the change again: boutique diff --save-plan FILE, then sync --plan FILE'],
      },
    );
  }
}

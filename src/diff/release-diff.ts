import { isDeepStrictEqual } from 'node:util';
import { driftIgnoring, ignoredPointers, type IgnoreRule } from './drift.js';
import type { ChangeAction, ComparedObject, HookChange, ReleaseDiff, ResourceChange, ResourceDrift } from './model.js';
import { normalizeObject, toYaml } from './normalize.js';
import { objectKey, objectRef, parseManifests, type HelmHook, type KubeObject } from '../kube/objects.js';
import { assessImpacts } from './rollout.js';
import { maskSecretPair } from './secrets.js';
import { Masker, type SecretValue } from '../secrets/mask.js';

export interface ReleaseDiffInput {
  release: string;
  /** The release namespace: objects whose manifest names no namespace live here. */
  namespace: string;
  /** Rendered objects after a server-side dry-run apply (or as rendered, when the dry run is impossible). */
  desired: KubeObject[];
  /** The live copy of every desired or deployed object that exists in the cluster. */
  live: KubeObject[];
  /** The objects the deployed helm release applied (`helm get manifest`); [] when not installed. */
  deployed: KubeObject[];
  /** The release's secret values (and those the deployed release holds at the same paths): masked wherever they occur. */
  secrets?: readonly SecretValue[];
  /** Where a render with stand-ins put the short secret values (secrets/mask.ts secretPlaces): masked there. */
  secretPlaces?: ReadonlySet<string>;
  /** The hooks of the deployed revision and of the upgrade, as helm holds them. */
  hooks?: { deployed: readonly HelmHook[]; planned: readonly HelmHook[] };
  /** Fields drift leaves to other controllers (releases.yaml ignoreDifferences). */
  ignoreDifferences?: readonly IgnoreRule[];
  /** Objects the API server could not dry-run (their CRD is not installed yet), by key: the mark each carries. */
  previewed?: ReadonlyMap<string, string>;
}

/**
 * What syncing one release changes in the cluster: added objects (rendered, not live), changed ones
 * (rendered, live, different once normalized), removed ones (deployed and live, no longer rendered),
 * with their impacts; plus drift, where live objects differ from what the last sync applied.
 * Changes and drift are sorted by object key, so the result is deterministic whatever the input order.
 */
export function diffRelease(input: ReleaseDiffInput): ReleaseDiff {
  const byKey = (objects: KubeObject[]): Map<string, KubeObject> =>
    new Map(objects.map((obj) => [objectKey(obj, input.namespace), normalizeObject(obj)]));
  const desired = byKey(input.desired);
  const live = byKey(input.live);
  const deployed = byKey(input.deployed);
  const masker = new Masker(input.secrets ?? [], {
    places: input.secretPlaces ?? new Set(),
    namespace: input.namespace,
  });

  const compared = compareObjects(desired, live, deployed, input.namespace);
  const impacts = assessImpacts(compared);
  const changes = compared.map((object): ResourceChange => {
    // Masked by location before rendering YAML, so that `***` comes out quoted and the YAML stays valid.
    const masked = maskSecretPair(masker, object.live, object.desired);
    return {
      key: object.key,
      ref: object.ref,
      action: object.action,
      ...(object.action !== 'add' &&
        object.action !== 'unchanged' &&
        masked.before && { before: toYaml(masked.before) }),
      ...(object.action !== 'remove' &&
        object.action !== 'unchanged' &&
        masked.after && { after: toYaml(masked.after) }),
      impacts: [
        ...(impacts.get(object.key) ?? []),
        ...(input.previewed?.has(object.key)
          ? [{ kind: 'crd-preview' as const, message: input.previewed.get(object.key)! }]
          : []),
      ],
    };
  });

  const drift = [...deployed]
    .sort(([a], [b]) => compareKeys(a, b))
    .flatMap(([key, applied]): ResourceDrift[] => {
      const liveObject = live.get(key);
      if (!liveObject) return [];
      const masked = maskSecretPair(masker, applied, liveObject);
      const fields =
        masked.before && masked.after
          ? driftIgnoring(
              masked.before,
              masked.after,
              ignoredPointers(applied, input.ignoreDifferences ?? [], input.deployed),
            )
          : [];
      return fields.length > 0 ? [{ key, ref: objectRef(applied), fields }] : [];
    });

  const hooks = diffHooks(input.hooks?.deployed ?? [], input.hooks?.planned ?? [], input.namespace, masker);
  const count = (action: ChangeAction): number =>
    [...changes, ...hooks].filter((change) => change.action === action).length;
  const diff: ReleaseDiff = {
    release: input.release,
    namespace: input.namespace,
    changes,
    hooks,
    drift,
    summary: { add: count('add'), change: count('change'), destroy: count('remove'), unchanged: count('unchanged') },
  };
  // Keys, paths and drift values can hold secret values too.
  return masker.value(diff);
}

/** Each hook of either revision, keyed as objects are: added, changed, removed or unchanged, with its events. */
function diffHooks(
  deployed: readonly HelmHook[],
  planned: readonly HelmHook[],
  namespace: string,
  masker: Masker,
): HookChange[] {
  const byKey = (hooks: readonly HelmHook[]) =>
    new Map(
      hooks.flatMap((hook) =>
        parseManifests(hook.manifest).map(
          (obj) => [objectKey(obj, namespace), { obj: normalizeObject(obj), events: hook.events }] as const,
        ),
      ),
    );
  const before = byKey(deployed);
  const after = byKey(planned);
  return [...new Set([...before.keys(), ...after.keys()])].sort(compareKeys).map((key) => {
    const old = before.get(key);
    const now = after.get(key);
    const masked = maskSecretPair(masker, old?.obj, now?.obj);
    const action: ChangeAction = !now
      ? 'remove'
      : !old
        ? 'add'
        : isDeepStrictEqual(old.obj, now.obj)
          ? 'unchanged'
          : 'change';
    return {
      key,
      ref: objectRef((now ?? old)!.obj),
      action,
      events: (now ?? old)!.events,
      ...(action !== 'add' && action !== 'unchanged' && masked.before && { before: toYaml(masked.before) }),
      ...(action !== 'remove' && action !== 'unchanged' && masked.after && { after: toYaml(masked.after) }),
    };
  });
}

function compareObjects(
  desired: Map<string, KubeObject>,
  live: Map<string, KubeObject>,
  deployed: Map<string, KubeObject>,
  releaseNamespace: string,
): ComparedObject[] {
  const removed = [...live].filter(([key]) => deployed.has(key) && !desired.has(key));
  return [...desired, ...removed]
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([key, shown]) => {
      const desiredObject = desired.get(key);
      const liveObject = live.get(key);
      return {
        key,
        ref: objectRef(shown),
        namespace: shown.metadata.namespace ?? releaseNamespace,
        action: actionFor(desiredObject, liveObject),
        ...(liveObject && { live: liveObject }),
        ...(desiredObject && { desired: desiredObject }),
      };
    });
}

function actionFor(desired: KubeObject | undefined, live: KubeObject | undefined): ChangeAction {
  if (!desired) return 'remove';
  if (!live) return 'add';
  return isDeepStrictEqual(desired, live) ? 'unchanged' : 'change';
}

// Plain code-unit order: localeCompare would depend on the machine's locale.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when syncing any of the releases would change the cluster (drift alone does not count). */
export function hasChanges(diffs: readonly ReleaseDiff[]): boolean {
  return diffs.some(({ summary }) => summary.add + summary.change + summary.destroy > 0);
}

export type {
  ChangeAction,
  HookChange,
  DriftedField,
  Impact,
  PlanCounts,
  ReleaseDiff,
  ResourceChange,
  ResourceDrift,
} from './model.js';

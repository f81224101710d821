import { isDeepStrictEqual } from 'node:util';
import { type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';
import { MASK, type Masker } from '../secrets/mask.js';

/** A masked value that differs from its counterpart: changed, but nothing about either value is revealed. */
export const CHANGED_MASK = '*** (changed)';

/**
 * Masks two versions of the same object by location, so that a line diff of the pair still tells unchanged, added,
 * removed and changed values apart: every Secret's data and stringData value, and every string that holds a secret
 * value of the release (masker.masksAt). A masked `before` value becomes `***`; a masked `after` value becomes
 * `*** (changed)` when `before` holds another value at the same place, `***` otherwise. No hash or length of a value
 * is ever exposed.
 */
export function maskSecretPair(
  masker: Masker,
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): { before: KubeObject | undefined; after: KubeObject | undefined } {
  return {
    before: before && maskObject(masker, before, () => MASK),
    after:
      after &&
      maskObject(masker, after, (steps, value) => {
        const previous = before && valueAt(before, steps);
        return previous !== undefined && !isDeepStrictEqual(previous, value) ? CHANGED_MASK : MASK;
      }),
  };
}

function maskObject(masker: Masker, obj: KubeObject, maskFor: (steps: string[], value: unknown) => string): KubeObject {
  const walk = (node: unknown, steps: string[]): unknown => {
    if (steps.length > 0 && masker.masksAt(obj, steps, node)) return maskFor(steps, node);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...steps, String(index)]));
    if (!isRecord(node)) return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, field]) => [masker.key(key), walk(field, [...steps, key])]),
    );
  };
  return walk(obj, []) as KubeObject;
}

/** The value at a path of map keys and list indexes, or undefined when any step is missing. */
function valueAt(root: unknown, steps: readonly string[]): unknown {
  return steps.reduce<unknown>(
    (node, step) =>
      typeof node === 'object' && node !== null && Object.hasOwn(node, step)
        ? (node as Record<string, unknown>)[step]
        : undefined,
    root,
  );
}

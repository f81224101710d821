import { isCoreSecret } from './normalize.js';
import { isRecord, type KubeObject } from '../kube/objects.js';
import { MASK } from '../secrets/mask.js';

/** A Secret key whose value differs from its counterpart: changed, but nothing about either value is revealed. */
export const CHANGED_MASK = '*** (changed)';

const SECRET_VALUE_FIELDS = ['data', 'stringData'] as const;

/**
 * Masks the values of two versions of the same Secret so that a line diff of the pair still tells
 * unchanged, added, removed and changed keys apart: every `before` value becomes `***`, an `after` value
 * becomes `*** (changed)` when `before` holds the same key with another value and `***` otherwise.
 * Objects that are not Secrets are returned as they are. No hash or length of a value is ever exposed.
 */
export function maskSecretPair(
  before: KubeObject | undefined,
  after: KubeObject | undefined,
): { before: KubeObject | undefined; after: KubeObject | undefined } {
  return {
    before: before && maskSecretFields(before, () => MASK),
    after:
      after &&
      maskSecretFields(after, (field, key, value) => {
        const previous = before?.[field];
        const changed = isRecord(previous) && Object.hasOwn(previous, key) && previous[key] !== value;
        return changed ? CHANGED_MASK : MASK;
      }),
  };
}

function maskSecretFields(
  obj: KubeObject,
  maskFor: (field: (typeof SECRET_VALUE_FIELDS)[number], key: string, value: unknown) => string,
): KubeObject {
  if (!isCoreSecret(obj)) return obj;
  const masked: KubeObject = { ...obj };
  for (const field of SECRET_VALUE_FIELDS) {
    const values = obj[field];
    if (!isRecord(values)) continue;
    masked[field] = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, maskFor(field, key, value)]));
  }
  return masked;
}

import { isCoreSecret } from './normalize.js';
import { isRecord, type KubeObject } from './objects.js';

/** What every Secret value and every secret-marked value is replaced with. */
export const MASK = '***';
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

/**
 * Replaces every occurrence of a secret value (and of its base64 form, as a chart would put it in
 * `data` or `binaryData`) with `***`. Longer values go first so that a value containing another is
 * masked whole.
 */
export function maskSecretValues(text: string, values: readonly string[]): string {
  return textMasker(values)(text);
}

/** maskSecretValues applied to every string, map keys included, of a JSON-like value. */
export function maskSecretValuesDeep<T>(value: T, values: readonly string[]): T {
  const maskText = textMasker(values);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return maskText(node);
    if (Array.isArray(node)) return node.map(walk);
    if (!isRecord(node)) return node;
    return Object.fromEntries(Object.entries(node).map(([key, field]) => [maskText(key), walk(field)]));
  };
  return walk(value) as T;
}

function textMasker(values: readonly string[]): (text: string) => string {
  const forms = values.filter((value) => value !== '').flatMap((value) => [value, Buffer.from(value, 'utf8').toString('base64')]);
  const longestFirst = [...new Set(forms)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return (text) => longestFirst.reduce((masked, form) => masked.split(form).join(MASK), text);
}

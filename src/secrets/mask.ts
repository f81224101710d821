import { isRecord } from '../kube/objects.js';

/** The values releases.yaml or the command line (--set-secret) mark secret for a release: what no output may show. */
export function markedSecrets(release: { set: readonly { value: unknown; secret?: boolean }[] } | undefined): string[] {
  return (release?.set ?? []).filter((entry) => entry.secret).map((entry) => String(entry.value));
}

/** What every Secret value and every secret-marked value is replaced with. */
export const MASK = '***';

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

/**
 * What helm makes of `--set name=TEXT`, the flag helmfile passes for a `set:` entry (its value is a string field, so
 * TEXT is the scalar as written: `1.10`, `"3"` and `3` all pass as their text). helm types the text: `true` and
 * `false` (any case) are booleans, `null` removes the key, `0` and integers that do not start with 0 and fit in 64
 * bits are integers, everything else is a string. helmfile escapes `,`, `{` and `}`, so they stay in the text.
 */
export type SetValueType =
  | { kind: 'boolean'; value: boolean }
  | { kind: 'integer'; value: number }
  | { kind: 'null' }
  | { kind: 'string'; value: string }
  | { kind: 'unsafe-integer'; text: string };

export function typeOfSetText(text: string): SetValueType {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return { kind: 'boolean', value: lower === 'true' };
  if (lower === 'null') return { kind: 'null' };
  if (text === '0') return { kind: 'integer', value: 0 };
  if (text !== '' && text[0] !== '0' && /^[-+]?[0-9]+$/.test(text)) {
    const big = BigInt(text);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) {
      return Number.isSafeInteger(Number(big))
        ? { kind: 'integer', value: Number(big) }
        : { kind: 'unsafe-integer', text };
    }
  }
  return { kind: 'string', value: text };
}

import { UsageError } from '../errors.js';
import type { RawSetValue } from './types.js';

export type SetOption = '--set' | '--set-string' | '--set-secret';

/** helm's --set: `a.b=1` is a number, `true` a boolean, and --set-string keeps strings. */
function typed(text: string, option: SetOption): string | number | boolean {
  if (option !== '--set') return text;
  if (text === 'true' || text === 'false') return text === 'true';
  // helm types integers only; anything else (3f2a1c9, 1.10, 0755) stays as written.
  return /^-?(0|[1-9]\d{0,14})$/.test(text) ? Number(text) : text;
}

/** Where the unescaped `stop` characters are in `text`: a backslash escapes the character after it, as helm reads. */
function unescapedIndexes(text: string, stop: string): number[] {
  const found: number[] = [];
  for (let at = 0; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (stop.includes(text[at] ?? '')) found.push(at);
  }
  return found;
}

function splitAt(text: string, indexes: readonly number[]): string[] {
  const bounds = [-1, ...indexes, text.length];
  return bounds.slice(1).map((end, i) => text.slice((bounds[i] ?? -1) + 1, end));
}

const unescape = (text: string) => text.replace(/\\(.)/gs, '$1');

/**
 * One command-line --set flag read as helm reads it: `a=1,b=2` sets two keys, `\,` is a literal comma, a backslash
 * escapes the character after it. The key stays as written (helm reads `\.` in it as a dot inside one key).
 */
export function parseSetFlag(flag: string, option: SetOption): RawSetValue[] {
  const example = `e.g. ${option} image.tag=3f2a1c9`;
  return splitAt(flag, unescapedIndexes(flag, ',')).map((pair) => {
    const separator = unescapedIndexes(pair, '=')[0];
    if (separator === undefined || separator === 0) {
      throw new UsageError(`${option} ${flag}: expected KEY=VALUE${pair === flag ? '' : `, got "${pair}"`}`, {
        suggestions: [example, 'a comma separates KEY=VALUE pairs, as in helm: write \\, for a comma inside a value'],
      });
    }
    const raw = pair.slice(separator + 1);
    if (raw.startsWith('{')) {
      throw new UsageError(`${option} ${flag}: list values ({a,b}) are not taken on the command line`, {
        suggestions: [
          'put the list in a values file, or set its items one by one (name[0]=a)',
          'write \\{ for a value that starts with a brace',
        ],
      });
    }
    return { name: pair.slice(0, separator), value: typed(unescape(raw), option) };
  });
}

/** A value written into a helm --set argument so that helm reads it back unchanged: its `\ , { }` escaped. */
export function helmSetLiteral(value: string | number | boolean): string {
  return String(value).replace(/[\\,{}]/g, (character) => `\\${character}`);
}

import { isMap, isPair, isScalar, Scalar } from 'yaml';
import { parseYaml } from '../config/parse.js';
import type { Versions } from '../config/versions-file.js';

/**
 * The versions file with `changes` applied, comments and formatting kept: existing entries change in place, new
 * ones are appended. Values are always written quoted, so a tag such as 1.10 or 0755 stays a string.
 */
export function updateVersionsFile(text: string, changes: Versions): string {
  const parsed = parseYaml(text, 'versions');
  const doc = parsed.doc;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  const map = doc.contents;
  if (!isMap(map)) throw new Error('a new versions document is a map');
  for (const [name, version] of changes) {
    const value = new Scalar(version);
    value.type = Scalar.QUOTE_DOUBLE;
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === name);
    if (pair && isScalar(pair.value)) pair.value.value = version;
    else map.set(name, value);
  }
  return doc.toString();
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { keep, recall, recallJson, rememberedFolder } from '../tools/cache-files.js';
import { parseYaml, type ParsedDocument } from './parse.js';

const requireCjs = createRequire(import.meta.url);

/**
 * Whether a value holds a secret value: a `set` entry (or anything shaped like one) marked `secret: true`. Nothing that
 * holds one is remembered, neither as a file nor as a file's name: a hash of a secret is a way to guess it offline,
 * and a CI cache of this folder may travel further than the secret should (issue 27).
 */
export function holdsSecretValues(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsSecretValues);
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (record.secret === true && 'value' in record) || Object.values(record).some(holdsSecretValues);
}

const NEVER_REMEMBERED = { hit: false, remember: () => undefined };

/**
 * What a JSON Schema accepted once, remembered in the cache folder as an empty file named by a hash of the schema,
 * ajv's version and the data: the next run over the same input skips loading ajv and compiling the schema, which
 * cost more than the rest of a `list`. Anything rejected is never remembered, so its errors are always reported;
 * nor is data that holds secret values.
 */
export function acceptedBefore(schemaText: string, data: unknown): { hit: boolean; remember(): void } {
  if (holdsSecretValues(data)) return NEVER_REMEMBERED;
  const ajvVersion = (requireCjs('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256')
    .update(schemaText)
    .update('\0')
    .update(ajvVersion)
    .update('\0')
    .update(JSON.stringify(data) ?? '')
    .digest('hex');
  const path = join(rememberedFolder('accepted-configs'), key);
  return { hit: recall(path) !== undefined, remember: () => keep(path, '') };
}

/** Who parsed: a new boutique or yaml library may read the same text differently. */
const parserIdentity = () =>
  [
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
    (requireCjs('yaml/package.json') as { version: string }).version,
  ].join('\0');

/**
 * releases.yaml parsed as parseYaml parses it, with its value remembered in the cache folder by a hash of the text:
 * the next run over the same text reads JSON instead of parsing YAML. The document itself, which only locates
 * issues, is parsed when something asks for it. A text with issues, a value JSON cannot carry exactly, or one that
 * holds secret values, is never remembered.
 */
export function rememberedParse(text: string, file: string): ParsedDocument {
  const key = createHash('sha256')
    .update('releases.yaml\0')
    .update(parserIdentity())
    .update('\0')
    .update(text)
    .digest('hex');
  const path = join(rememberedFolder('parsed-configs'), `${key}.json`);
  const remembered = recallJson<{ value: unknown }>(path);
  if (remembered) {
    let full: ParsedDocument | undefined;
    const parsed = () => (full ??= parseYaml(text, file));
    return {
      file,
      issues: [],
      value: remembered.value,
      text,
      get doc() {
        return parsed().doc;
      },
      get lineCounter() {
        return parsed().lineCounter;
      },
    };
  }
  const parsed = parseYaml(text, file);
  if (parsed.issues.length === 0 && !holdsSecretValues(parsed.value)) {
    const json = JSON.stringify({ value: parsed.value });
    if (json !== undefined && isDeepStrictEqual(JSON.parse(json), { value: parsed.value })) keep(path, json);
  }
  return parsed;
}

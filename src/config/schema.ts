import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { cacheDir } from '../tools/pinned.js';

const schemaText = readFileSync(new URL('../../schema/releases.schema.json', import.meta.url), 'utf8');

/** The published JSON Schema of releases.yaml; editors use the same file through a yaml-language-server comment. */
export const releasesSchema: Record<string, unknown> = JSON.parse(schemaText);

// ajv is loaded only for a document the schema has not accepted before: loading it and compiling the schema cost
// more than the rest of a `list`. It is CommonJS, so it can be required on demand without making loading async.
const require = createRequire(import.meta.url);
let compiled: ValidateFunction | undefined;

/**
 * Validates a parsed releases.yaml against the schema, returning every error (ajv allErrors). A document it accepted
 * is remembered by a hash of the schema, ajv's version and the document, in the cache folder, so the next run over
 * the same releases.yaml skips ajv; any change to either is validated again.
 */
export function schemaErrors(data: unknown): ErrorObject[] {
  const ajvVersion = (require('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256').update(schemaText).update('\0').update(ajvVersion).update('\0').update(JSON.stringify(data) ?? '').digest('hex');
  const accepted = join(cacheDir(), 'accepted-configs', key);
  if (existsSync(accepted)) return [];
  // strict is off because editors want `description` beside `$ref`, which draft-07 ajv would reject.
  compiled ??= new (require('ajv') as { Ajv: typeof Ajv }).Ajv({ allErrors: true, verbose: true, strict: false }).compile(releasesSchema);
  if (!compiled(data)) return [...(compiled.errors ?? [])];
  try {
    mkdirSync(join(cacheDir(), 'accepted-configs'), { recursive: true, mode: 0o700 });
    writeFileSync(accepted, '');
  } catch {
    // a read-only cache folder only costs the next run its validation
  }
  return [];
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { acceptedBefore } from './accepted.js';

const schemaText = readFileSync(new URL('../../schema/releases.schema.json', import.meta.url), 'utf8');

/** The published JSON Schema of releases.yaml; editors use the same file through a yaml-language-server comment. */
export const releasesSchema: Record<string, unknown> = JSON.parse(schemaText);

// ajv is loaded only for a document the schema has not accepted before (accepted.ts). It is CommonJS, so it can be
// required on demand without making loading async.
const requireCjs = createRequire(import.meta.url);
let compiled: ValidateFunction | undefined;

/** Validates a parsed releases.yaml against the schema, returning every error (ajv allErrors). */
export function schemaErrors(data: unknown): ErrorObject[] {
  const accepted = acceptedBefore(schemaText, data);
  if (accepted.hit) return [];
  // strict is off because editors want `description` beside `$ref`, which draft-07 ajv would reject.
  compiled ??= new (requireCjs('ajv') as { Ajv: typeof Ajv }).Ajv({ allErrors: true, verbose: true, strict: false }).compile(releasesSchema);
  if (!compiled(data)) return [...(compiled.errors ?? [])];
  accepted.remember();
  return [];
}

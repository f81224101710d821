import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../jsonschema/ajv.js';
import { acceptedBefore } from './accepted.js';

/** The schema file shipped with boutique, for the yaml-language-server line of a written releases.yaml. */
export const releasesSchemaUrl = new URL('../../schema/releases.schema.json', import.meta.url);
const schemaText = readFileSync(releasesSchemaUrl, 'utf8');

/** The published JSON Schema of releases.yaml; editors use the same file through a yaml-language-server comment. */
export const releasesSchema: Record<string, unknown> = JSON.parse(schemaText);

// ajv is loaded only for a document the schema has not accepted before (accepted.ts).
let compiled: ValidateFunction | undefined;

/** Validates a parsed releases.yaml against the schema, returning every error (ajv allErrors). */
export function schemaErrors(data: unknown): ErrorObject[] {
  const accepted = acceptedBefore(schemaText, data);
  if (accepted.hit) return [];
  // Not checked against the meta-schema on every run: schema.test.ts checks it once.
  compiled ??= newAjv({ validateSchema: false }).compile(releasesSchema);
  if (!compiled(data)) return [...(compiled.errors ?? [])];
  accepted.remember();
  return [];
}

import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/** The published JSON Schema of releases.yaml; editors use the same file through a yaml-language-server comment. */
export const releasesSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../schema/releases.schema.json', import.meta.url), 'utf8'),
);

let compiled: ValidateFunction | undefined;

/** Validates a parsed releases.yaml against the schema, returning every error (ajv allErrors). */
export function schemaErrors(data: unknown): ErrorObject[] {
  // strict is off because editors want `description` beside `$ref`, which draft-07 ajv would reject.
  compiled ??= new Ajv({ allErrors: true, verbose: true, strict: false }).compile(releasesSchema);
  return compiled(data) ? [] : [...(compiled.errors ?? [])];
}

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshCacheDir } from '../../test/support/cache-dir.js';
import { newAjv } from '../jsonschema/ajv.js';
import { releasesSchema, schemaErrors } from './schema.js';

const cache = freshCacheDir('boutique-schema-');
const accepted = () => readdirSync(join(cache(), 'accepted-configs'));

describe('the published schema', () => {
  it('is a valid JSON Schema: runs compile it without checking it against the meta-schema', () => {
    const ajv = newAjv();
    expect(ajv.validateSchema(releasesSchema), JSON.stringify(ajv.errors)).toBe(true);
  });
});

describe('schemaErrors', () => {
  it('remembers each accepted document, and never one it rejected', () => {
    const valid = { releases: [{ name: 'web', chart: './web' }] };
    expect(schemaErrors(valid)).toEqual([]);
    expect(accepted()).toHaveLength(1);
    expect(schemaErrors(valid)).toEqual([]);
    expect(accepted()).toHaveLength(1);
    expect(
      schemaErrors({ releases: [{ name: 'web', chart: './web', wiat: true }] }).map((error) => error.keyword),
    ).toEqual(['additionalProperties']);
    expect(accepted()).toHaveLength(1);
    expect(schemaErrors({ releases: [{ name: 'api', chart: './api' }] })).toEqual([]);
    expect(accepted()).toHaveLength(2);
  });
});

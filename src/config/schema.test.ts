import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schemaErrors } from './schema.js';

let cache: string;
const saved = process.env.BOUTIQUE_CACHE_DIR;
beforeEach(() => {
  cache = mkdtempSync(join(tmpdir(), 'boutique-schema-'));
  process.env.BOUTIQUE_CACHE_DIR = cache;
});
afterEach(() => {
  if (saved === undefined) delete process.env.BOUTIQUE_CACHE_DIR;
  else process.env.BOUTIQUE_CACHE_DIR = saved;
});

const accepted = () => readdirSync(join(cache, 'accepted-configs'));

describe('schemaErrors', () => {
  it('remembers each accepted document, and never one it rejected', () => {
    const valid = { releases: [{ name: 'web', chart: './web' }] };
    expect(schemaErrors(valid)).toEqual([]);
    expect(accepted()).toHaveLength(1);
    expect(schemaErrors(valid)).toEqual([]);
    expect(accepted()).toHaveLength(1);
    expect(schemaErrors({ releases: [{ name: 'web', chart: './web', wiat: true }] }).map((error) => error.keyword)).toEqual(['additionalProperties']);
    expect(accepted()).toHaveLength(1);
    expect(schemaErrors({ releases: [{ name: 'api', chart: './api' }] })).toEqual([]);
    expect(accepted()).toHaveLength(2);
  });
});

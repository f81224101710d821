import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { keep, recall } from '../tools/cache-files.js';
import { cacheDir } from '../tools/pinned.js';

const requireCjs = createRequire(import.meta.url);

/**
 * What a JSON Schema accepted once, remembered in the cache folder as an empty file named by a hash of the schema,
 * ajv's version and the data: the next run over the same input skips loading ajv and compiling the schema, which
 * cost more than the rest of a `list`. Anything rejected is never remembered, so its errors are always reported.
 */
export function acceptedBefore(schemaText: string, data: unknown): { hit: boolean; remember(): void } {
  const ajvVersion = (requireCjs('ajv/package.json') as { version: string }).version;
  const key = createHash('sha256').update(schemaText).update('\0').update(ajvVersion).update('\0').update(JSON.stringify(data) ?? '').digest('hex');
  const path = join(cacheDir(), 'accepted-configs', key);
  return { hit: recall(path) !== undefined, remember: () => keep(path, '') };
}

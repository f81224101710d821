import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Gives each test of the file a fresh BOUTIQUE_CACHE_DIR (restored after); returns where the current one is. */
export function freshCacheDir(prefix: string): () => string {
  let dir = '';
  const saved = process.env.BOUTIQUE_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    process.env.BOUTIQUE_CACHE_DIR = dir;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.BOUTIQUE_CACHE_DIR;
    else process.env.BOUTIQUE_CACHE_DIR = saved;
  });
  return () => dir;
}

import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneCaches, recall, UNUSED_FOR_MS } from './cache-files.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function cacheWith(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'boutique-prune-'));
  for (const [file, ageMs] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
    const when = new Date(Date.now() - ageMs);
    utimesSync(join(root, file), when, when);
  }
  return root;
}

describe('pruneCaches', () => {
  it('removes remembered entries unused for 30 days, keeps the rest and the installed tools', () => {
    const root = cacheWith({
      'renders/old.yaml': UNUSED_FOR_MS + DAY_MS,
      'renders/used.yaml': UNUSED_FOR_MS + DAY_MS,
      'manifests/recent.json': DAY_MS,
      'accepted-configs/old': UNUSED_FOR_MS + DAY_MS,
      'parsed-configs/old.json': UNUSED_FOR_MS + DAY_MS,
      'tools/helm-v4/helm': UNUSED_FOR_MS * 3,
    });
    recall(join(root, 'renders/used.yaml'));
    expect(pruneCaches(Date.now(), root)).toBe(3);
    expect(['renders/old.yaml', 'renders/used.yaml', 'manifests/recent.json', 'accepted-configs/old', 'parsed-configs/old.json', 'tools/helm-v4/helm'].filter((file) => existsSync(join(root, file)))).toEqual([
      'renders/used.yaml',
      'manifests/recent.json',
      'tools/helm-v4/helm',
    ]);
  });

  it('runs at most once a day', () => {
    const root = cacheWith({ 'renders/a.yaml': UNUSED_FOR_MS + DAY_MS });
    pruneCaches(Date.now(), root);
    writeFileSync(join(root, 'renders/b.yaml'), '');
    const old = new Date(Date.now() - UNUSED_FOR_MS - DAY_MS);
    utimesSync(join(root, 'renders/b.yaml'), old, old);
    expect(pruneCaches(Date.now(), root)).toBe(0);
    expect(pruneCaches(Date.now() + DAY_MS + 1, root)).toBe(1);
  });
});

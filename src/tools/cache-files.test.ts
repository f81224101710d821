import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneCaches, recall, untrustedFolder, UNUSED_FOR_MS } from './cache-files.js';

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
    expect(
      [
        'renders/old.yaml',
        'renders/used.yaml',
        'manifests/recent.json',
        'accepted-configs/old',
        'parsed-configs/old.json',
        'tools/helm-v4/helm',
      ].filter((file) => existsSync(join(root, file))),
    ).toEqual(['renders/used.yaml', 'manifests/recent.json', 'tools/helm-v4/helm']);
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

describe('untrustedFolder', () => {
  const folder = () => {
    const root = mkdtempSync(join(tmpdir(), 'boutique-trust-'));
    mkdirSync(join(root, 'renders'), { mode: 0o700 });
    return root;
  };

  it("trusts a folder of the user that only the user (and the user's own group) may write", () => {
    const root = folder();
    expect(untrustedFolder(join(root, 'renders'))).toBeUndefined();
    chmodSync(join(root, 'renders'), 0o770);
    expect(untrustedFolder(join(root, 'renders'))).toBeUndefined();
  });

  it('refuses a folder, or the cache folder above it, that others may write to', () => {
    const root = folder();
    chmodSync(join(root, 'renders'), 0o777);
    expect(untrustedFolder(join(root, 'renders'))).toBe(`${join(root, 'renders')} is writable by others (mode 0777)`);
    chmodSync(join(root, 'renders'), 0o700);
    chmodSync(root, 0o757);
    expect(untrustedFolder(join(root, 'renders'))).toBe(`${root} is writable by others (mode 0757)`);
  });

  it.runIf(process.getuid?.() === 0)('refuses a folder another user owns', () => {
    const root = folder();
    chownSync(join(root, 'renders'), 12345, 12345);
    expect(untrustedFolder(join(root, 'renders'))).toBe(`${join(root, 'renders')} belongs to another user (uid 12345)`);
  });
});

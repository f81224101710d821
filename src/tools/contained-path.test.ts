import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { outsideRepository, repositoryOf, writablePathIn } from './contained-path.js';

const folders = () => {
  const base = mkdtempSync(join(tmpdir(), 'boutique-contained-'));
  const root = join(base, 'out');
  const elsewhere = join(base, 'elsewhere');
  mkdirSync(root);
  mkdirSync(elsewhere);
  return { base, root, elsewhere };
};

describe('writablePathIn', () => {
  it('refuses a path that a symbolic link leads out of the folder: a folder, a file, a dangling link', () => {
    const { root, elsewhere } = folders();
    symlinkSync(elsewhere, join(root, 'shop'));
    writeFileSync(join(elsewhere, 'victim.yaml'), 'keep me');
    symlinkSync(join(elsewhere, 'victim.yaml'), join(root, 'file.yaml'));
    symlinkSync(join(elsewhere, 'not-yet.yaml'), join(root, 'dangling.yaml'));
    for (const target of [
      join(root, 'shop', 'web'),
      join(root, 'file.yaml'),
      join(root, 'dangling.yaml'),
      join(root, '..', 'elsewhere', 'x'),
    ]) {
      expect(() => writablePathIn(root, target, '--output-dir'), target).toThrow(UsageError);
    }
    expect(() => writablePathIn(root, join(root, 'shop', 'web'), '--output-dir')).toThrow(
      /--output-dir: .*shop\/web leads out of .*out through a symbolic link, to .*elsewhere\/web/,
    );
  });

  it('follows links that stay inside, and a root that is itself a link', () => {
    const { base, root } = folders();
    mkdirSync(join(root, 'real'));
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    symlinkSync(root, join(base, 'root-link'));
    expect(writablePathIn(root, join(root, 'alias', 'new', 'file.yaml'), 'export')).toBe(
      join(root, 'alias', 'new', 'file.yaml'),
    );
    expect(writablePathIn(join(base, 'root-link'), join(base, 'root-link', 'a', 'b'), 'export')).toBe(
      join(base, 'root-link', 'a', 'b'),
    );
  });
});

describe('outsideRepository', () => {
  it('names each file outside the repository once, also one reached through a link, and none inside', () => {
    const { base, root, elsewhere } = folders();
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'deploy'));
    writeFileSync(join(elsewhere, 'token'), 'S3NT1NEL');
    symlinkSync(join(elsewhere, 'token'), join(root, 'deploy', 'values.yaml'));
    writeFileSync(join(root, 'deploy', 'own.yaml'), 'a: 1');
    expect(repositoryOf(join(root, 'deploy'))).toBe(root);
    const warnings = outsideRepository(root, [
      { what: 'values file of shop/web', path: join(root, 'deploy', 'own.yaml') },
      { what: 'values file of shop/web', path: join(root, 'deploy', 'values.yaml') },
      { what: 'values file of shop/api', path: join(elsewhere, 'token') },
    ]);
    expect(warnings).toEqual([
      `warning: values file of shop/web ${join(root, 'deploy', 'values.yaml')} (${join(elsewhere, 'token')}) is outside the repository ${root}: boutique reads it, and shows nothing of it`,
    ]);
    expect(repositoryOf(base)).toBe(base);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/cli.js';

/** Every module under src/ (tests excluded) with the modules it imports. */
function sourceImports(): { file: string; imports: string[]; typeImports: string[] }[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  return walk(join(repoRoot, 'src'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => ({
      file: relative(repoRoot, file),
      imports: [...readFileSync(file, 'utf8').matchAll(/^import (?!type )[^'"]*from '([^']+)'/gm)].map((match) => match[1]!),
      typeImports: [...readFileSync(file, 'utf8').matchAll(/^import type [^'"]*from '([^']+)'/gm)].map((match) => match[1]!),
    }));
}

const modules = sourceImports();
const importing = (predicate: (specifier: string) => boolean) =>
  modules.filter(({ imports }) => imports.some(predicate)).map(({ file }) => file).sort();

describe('layering (docs/architecture.md)', () => {
  it('starts child processes in one place only', () => {
    expect(importing((specifier) => specifier === 'execa' || specifier.includes('child_process'))).toEqual(['src/helm/runner.ts']);
  });

  it('keeps commands thin: no process, file or YAML work of their own', () => {
    const forbidden = (specifier: string) => ['execa', 'yaml', 'node:fs', 'node:fs/promises'].includes(specifier) || specifier.startsWith('../helm/');
    expect(importing(forbidden).filter((file) => file.startsWith('src/commands/'))).toEqual([]);
  });

  it('keeps the plan, diff, lint and report modules free of I/O and of the process layer', () => {
    const io = (specifier: string) => ['execa', 'node:fs', 'node:fs/promises', 'node:child_process'].includes(specifier) || specifier.startsWith('../helm/') || specifier.startsWith('../app/');
    const pure = importing(io).filter((file) => /^src\/(plan|diff|lint|report)\//.test(file));
    // Views may name the types of the results they render (import type), nothing more.
    expect(pure).toEqual([]);
  });
});

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireCompiled } from './compile-cache.js';

const require = createRequire(import.meta.url);

/** A CommonJS file in a folder of its own, and a cache folder beside it. */
function vendorFile(source: string): { file: string; cacheRoot: string } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-compiled-'));
  const file = join(dir, 'vendor.cjs');
  writeFileSync(file, source);
  return { file, cacheRoot: join(dir, 'cache') };
}

/** Loads in this process, with nothing in require.cache and the code remembered at once rather than at exit. */
function load(file: string, cacheRoot: string) {
  delete require.cache[file];
  return requireCompiled(file, { cacheRoot, whenDone: (remember) => remember() });
}

/**
 * Loads in a new process, as a start of boutique does: V8 keeps what it compiled in memory, so within one process
 * a second compile of the same text never even reads the cached code.
 */
function loadAfresh(file: string, cacheRoot: string): { exports: unknown; fromCache: boolean } {
  const module = pathToFileURL(fileURLToPath(new URL('./compile-cache.ts', import.meta.url))).href;
  const script = `const { requireCompiled } = await import(${JSON.stringify(module)});
const { exports, fromCache } = requireCompiled(${JSON.stringify(file)}, { cacheRoot: ${JSON.stringify(cacheRoot)} });
console.log(JSON.stringify({ exports, fromCache }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

describe('requireCompiled', () => {
  it('loads a CommonJS file as require does, and registers it so a later require gets the same module', () => {
    const { file, cacheRoot } = vendorFile(
      'exports.answer = 42; exports.file = __filename; exports.required = typeof require("node:path").join;',
    );
    const loaded = load(file, cacheRoot);
    expect(loaded.exports).toEqual({ answer: 42, file, required: 'function' });
    expect(require(file)).toBe(loaded.exports);
    expect(requireCompiled(file, { cacheRoot }).exports).toBe(loaded.exports);
  });

  it('takes the code from the cache in the next process, once the first remembered it at its exit', () => {
    const { file, cacheRoot } = vendorFile('module.exports = [1, 2, 3].map(function twice(n) { return n * 2; });');
    expect(loadAfresh(file, cacheRoot)).toEqual({ exports: [2, 4, 6], fromCache: false });
    expect(readdirSync(join(cacheRoot, 'compiled'))).toHaveLength(1);
    expect(loadAfresh(file, cacheRoot)).toEqual({ exports: [2, 4, 6], fromCache: true });
  });

  it('compiles as usual when V8 refuses the remembered code, and remembers it anew', () => {
    const { file, cacheRoot } = vendorFile('module.exports = "fine";');
    loadAfresh(file, cacheRoot);
    const [entry] = readdirSync(join(cacheRoot, 'compiled'));
    writeFileSync(join(cacheRoot, 'compiled', entry!), 'torn');
    expect(loadAfresh(file, cacheRoot)).toEqual({ exports: 'fine', fromCache: false });
    expect(loadAfresh(file, cacheRoot).fromCache).toBe(true);
  });

  it('gives a changed file its own entry, so a new bundle never runs the old code', () => {
    const { file, cacheRoot } = vendorFile('module.exports = 1;');
    loadAfresh(file, cacheRoot);
    writeFileSync(file, 'module.exports = 2;');
    expect(loadAfresh(file, cacheRoot)).toEqual({ exports: 2, fromCache: false });
    expect(readdirSync(join(cacheRoot, 'compiled'))).toHaveLength(2);
  });

  it("requires a file URL, as the bundle's import() of a command does, ES modules included", () => {
    const { file, cacheRoot } = vendorFile('module.exports = (url) => require(url);');
    const command = join(file, '..', 'command.mjs');
    writeFileSync(command, 'export default class Command {}\nexport const id = "sync";\n');
    const importCommand = load(file, cacheRoot).exports as (url: string) => { default: unknown; id: string };
    expect(importCommand(pathToFileURL(command).href).id).toBe('sync');
  });

  it('leaves nothing registered when the file throws, so the next require reports the error again', () => {
    const { file, cacheRoot } = vendorFile('throw new Error("broken vendor file");');
    expect(() => load(file, cacheRoot)).toThrow('broken vendor file');
    expect(require.cache[file]).toBeUndefined();
  });

  it('uses an entry only for the exact bundle it was made from, though V8 would take one made from other code of the same length', () => {
    const { file: one, cacheRoot } = vendorFile('module.exports = function which() { return "one"; }();');
    const two = join(mkdtempSync(join(tmpdir(), 'boutique-compiled-')), 'vendor.cjs');
    // A path and a text of the same length as the first: the checks V8 makes all pass.
    writeFileSync(two, 'module.exports = function which() { return "two"; }();');
    loadAfresh(one, cacheRoot);
    const [entryOne] = readdirSync(join(cacheRoot, 'compiled'));
    loadAfresh(two, cacheRoot);
    const entryTwo = readdirSync(join(cacheRoot, 'compiled')).find((name) => name !== entryOne)!;
    copyFileSync(join(cacheRoot, 'compiled', entryOne!), join(cacheRoot, 'compiled', entryTwo));
    expect(loadAfresh(two, cacheRoot)).toEqual({ exports: 'two', fromCache: false });
    expect(loadAfresh(two, cacheRoot)).toEqual({ exports: 'two', fromCache: true });
  });

  it('neither reads nor writes a cache folder that others may write to', () => {
    const { file, cacheRoot } = vendorFile('module.exports = "shared";');
    mkdirSync(join(cacheRoot, 'compiled'), { recursive: true });
    chmodSync(join(cacheRoot, 'compiled'), 0o777);
    expect(loadAfresh(file, cacheRoot)).toEqual({ exports: 'shared', fromCache: false });
    expect(readdirSync(join(cacheRoot, 'compiled'))).toEqual([]);
    chmodSync(join(cacheRoot, 'compiled'), 0o700);
    loadAfresh(file, cacheRoot);
    expect(loadAfresh(file, cacheRoot).fromCache).toBe(true);
  });
});

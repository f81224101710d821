import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { keep, recallBytes, rememberedFolder } from '../tools/cache-files.js';

/**
 * dist/compiled/ (oclif, yaml and boutique's commands, bundled as CommonJS) is compiled through V8's code cache:
 * compiling oclif alone was a fifth of `boutique --help`, and Node 20 has no compile cache of its own
 * (module.enableCompileCache is Node 22's). The cached code is V8's, keyed by the file's text and the Node that made
 * it; V8 checks it again and, when it refuses it, the file compiles as usual and the cache is made anew.
 */
export interface CompiledModule {
  exports: unknown;
  /** Whether V8 took the remembered code; false on a first run, after an upgrade of Node or boutique, or a torn file. */
  fromCache: boolean;
}

/**
 * Loads a CommonJS file as require would, with its code from the cache when V8 accepts it, and registers it in
 * require.cache, so a later require of the same file gets the same module. When the code was not taken, it is
 * remembered once the process ends (by then it also holds every function the run compiled).
 */
export function requireCompiled(
  file: string,
  options: { cacheRoot?: string; whenDone?: (remember: () => void) => void } = {},
): CompiledModule {
  const nodeRequire = createRequire(file);
  const loaded = nodeRequire.cache[file];
  if (loaded?.loaded) return { exports: loaded.exports, fromCache: false };
  const bytes = readFileSync(file);
  // esbuild writes ASCII but for a comment or two: a one-byte string is cheaper to make, and V8 takes either.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // V8 refuses code made by another V8 or under other flags: each gets its own entry rather than taking turns. The
  // code names its file, which stacks print.
  // V8 checks little of what cached code was made from (the source's length, its flags): each entry starts with the
  // sha256 of the exact bundle it was made from, and is used only when that is this bundle.
  const bundleHash = createHash('sha256').update(bytes).digest();
  const key = createHash('sha256')
    .update([file, process.version, process.arch, ...process.execArgv, process.env.NODE_OPTIONS ?? ''].join('\0'))
    .update('\0')
    .update(bundleHash)
    .digest('hex');
  const entry = join(rememberedFolder('compiled', options.cacheRoot), `${key}.bin`);
  const remembered = recallBytes(entry);
  const cachedData =
    remembered && remembered.length > bundleHash.length && remembered.subarray(0, bundleHash.length).equals(bundleHash)
      ? remembered.subarray(bundleHash.length)
      : undefined;
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = new Module(file);
  module.filename = file;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // oclif's import() of a file URL (a plugin's ES module) arrives here as a require: see scripts/bundle.mjs.
  const require = Object.assign(
    (id: string) => nodeRequire(id.startsWith('file:') ? fileURLToPath(id) : id),
    nodeRequire,
  );
  require.cache[file] = module;
  try {
    wrapper.call(module.exports, module.exports, require, module, file, dirname(file));
  } catch (error) {
    delete require.cache[file];
    throw error;
  }
  module.loaded = true;
  if (!fromCache)
    (options.whenDone ?? ((remember) => process.once('exit', remember)))(() =>
      keep(entry, Buffer.concat([bundleHash, script.createCachedData()])),
    );
  return { exports: module.exports, fromCache };
}

/**
 * A file of dist/compiled/ (scripts/bundle.mjs). With source maps on (`--debug`), boutique's own is required by Node
 * instead, so its stacks name src/ files; oclif and yaml always come through the cache, whose require their
 * import()s need, and their frames name dist/compiled/ lines (V8 maps no code compiled through vm).
 */
export function compiled(name: 'oclif-core' | 'yaml' | 'ajv' | 'cel' | 'boutique'): unknown {
  const file = fileURLToPath(new URL(`../compiled/${name}.cjs`, import.meta.url));
  return name === 'boutique' && process.sourceMapsEnabled ? createRequire(file)(file) : requireCompiled(file).exports;
}

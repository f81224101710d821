#!/usr/bin/env node
// dist/ is an esbuild bundle of src/: a start reads a handful of files instead of resolving and compiling some 700
// modules one by one, which was most of boutique's start-up. Type checking is `npm run typecheck`'s.
//
//   dist/compiled/oclif-core.cjs, yaml.cjs, ajv.cjs, cel.cjs   the CommonJS packages boutique uses, each evaluated on first use
//   dist/compiled/boutique.cjs               every command, and what they import (execa, listr2…: still run lazily)
//   dist/cli/main.cjs                        the entry: its compiled() loads the files above through V8's code cache
//                                            (src/cli/compile-cache.ts)
//   dist/cli/not-found.cjs                   oclif's command_not_found hook: did you mean
//   dist/commands/<id>.cjs                   what oclif's manifest points at: one line, the command from boutique.cjs
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const requireHere = createRequire(import.meta.url);
const commandIds = readdirSync(join(root, 'src', 'commands'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => file.slice(0, -'.ts'.length));

/** The packages bundled apart, by the name of their file under dist/compiled/. */
const vendored = { '@oclif/core': 'oclif-core', yaml: 'yaml', ajv: 'ajv', '@bufbuild/cel': 'cel' };
const vendoredImport = new RegExp(
  `^(${Object.keys(vendored)
    .map((name) => name.replace(/[/.]/g, '\\$&'))
    .join('|')})$`,
);
/** The entry, whose compiled() the other outputs require: dist/cli/main.cjs, seen from dist/compiled/ and dist/commands/. */
const entry = '../cli/main.cjs';
/**
 * In boutique.cjs, an import of a vendored package is the entry's compiled() of its file, on first use of one of
 * its exports: a run that reads no YAML (list, template over remembered input) never evaluates yaml.
 */
const toCompiled = {
  name: 'to-compiled',
  setup(build) {
    build.onResolve({ filter: vendoredImport }, ({ path }) => ({ path, namespace: 'vendored' }));
    build.onLoad({ filter: /.*/, namespace: 'vendored' }, ({ path }) => {
      const names = Object.keys(requireHere(path)).filter((name) => name !== 'default' && name !== '__esModule');
      const load = `let loaded; const load = () => (loaded ??= require(${JSON.stringify(entry)}).compiled(${JSON.stringify(vendored[path])}));`;
      const getters = names.map(
        (name) =>
          `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, get: () => load()[${JSON.stringify(name)}] });`,
      );
      return { contents: [load, ...getters].join('\n'), resolveDir: root, loader: 'js' };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
const outputs = [];
const bundle = async (options) =>
  outputs.push(
    ...Object.keys(
      (
        await build({
          absWorkingDir: root,
          bundle: true,
          platform: 'node',
          target: 'node20.19',
          format: 'cjs',
          sourcemap: 'linked',
          sourcesContent: false,
          metafile: true,
          logLevel: 'warning',
          ...options,
        })
      ).metafile.outputs,
    ),
  );

// Code compiled through vm cannot import() without --experimental-vm-modules: every import() becomes a require,
// and compiled()'s require resolves oclif's of a plugin's ES module (Node >= 20.19 requires ES modules without a
// flag). The packages, as they are; oclif only asks for typescript or ts-node in development.
const noImport = { supported: { 'dynamic-import': false } };
await bundle({
  ...noImport,
  entryPoints: Object.fromEntries(Object.entries(vendored).map(([name, file]) => [file, name])),
  outdir: join(dist, 'compiled'),
  outExtension: { '.js': '.cjs' },
  external: ['typescript', 'ts-node'],
});

// src/ is ES modules: each output is strict, and import.meta.url is its own file's URL.
const fromEsm = {
  ...noImport,
  banner: { js: '"use strict";\nconst __boutiqueImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__boutiqueImportMetaUrl' },
  external: [entry],
};
const notInMain = {
  name: 'not-in-main',
  setup(build) {
    build.onResolve({ filter: vendoredImport }, ({ path, importer }) => ({
      errors: [
        {
          text: `${relative(root, importer)} imports ${path}: the entry reaches it through compiled(), from the cache`,
        },
      ],
    }));
  },
};
await bundle({
  ...fromEsm,
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts'), 'not-found': join(root, 'src', 'cli', 'not-found.ts') },
  outdir: join(dist, 'cli'),
  outExtension: { '.js': '.cjs' },
  plugins: [notInMain],
});
await bundle({
  ...fromEsm,
  // Each command is required when oclif asks for it, so a start evaluates the modules of that command alone.
  stdin: {
    contents: commandIds
      .map((id) => `exports[${JSON.stringify(id)}] = () => require('./src/commands/${id}.ts').default;`)
      .join('\n'),
    resolveDir: root,
    sourcefile: 'commands.js',
    loader: 'js',
  },
  outfile: join(dist, 'compiled', 'boutique.cjs'),
  plugins: [toCompiled],
});

mkdirSync(join(dist, 'commands'));
for (const id of commandIds) {
  const file = join(dist, 'commands', `${id}.cjs`);
  writeFileSync(
    file,
    `// scripts/bundle.mjs: the command is in dist/compiled/boutique.cjs, compiled with the rest.\nmodule.exports = require(${JSON.stringify(entry)}).compiled('boutique')[${JSON.stringify(id)}]();\n`,
  );
  outputs.push(relative(root, file));
}

// Modules find schema/ and scripts/ at ../../ from their own file: every output must sit one folder below dist/.
const misplaced = outputs.filter(
  (file) => file.endsWith('.cjs') && relative(dist, join(root, file)).split(sep).length !== 2,
);
if (misplaced.length > 0) {
  console.error(`bundle: outputs must sit one folder below dist/, not ${misplaced.join(', ')}`);
  process.exit(1);
}

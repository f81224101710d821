#!/usr/bin/env node
// dist/ is one esbuild bundle of src/: a start reads a handful of files instead of resolving and compiling some 700
// modules one by one, which was most of boutique's start-up. Type checking is `npm run typecheck`'s.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const commands = readdirSync(join(root, 'src', 'commands'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => join(root, 'src', 'commands', file));

rmSync(dist, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: [...commands, join(root, 'src', 'cli', 'main.ts')],
  outdir: dist,
  outbase: join(root, 'src'),
  // Shared code and lazy imports (execa, listr2, the lint rules) are chunks of their own, loaded when first used.
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  // ajv is loaded with createRequire where it is needed; oclif only asks for typescript or ts-node in development.
  external: ['ajv', 'ajv/*', 'typescript', 'ts-node'],
  // Bundled CommonJS (oclif) calls require(); ES modules have none, so each file gets its own.
  banner: { js: "import { createRequire as __boutiqueCreateRequire } from 'node:module'; const require = __boutiqueCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Modules find schema/ and scripts/ at ../../ from their own file: every output must sit one folder below dist/.
const misplaced = Object.keys(metafile.outputs).filter((file) => file.endsWith('.js') && relative(dist, join(root, file)).split(sep).length !== 2);
if (misplaced.length > 0) {
  console.error(`bundle: outputs must sit one folder below dist/, not ${misplaced.join(', ')}`);
  process.exit(1);
}

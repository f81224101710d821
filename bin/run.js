#!/usr/bin/env node
import { createRequire } from 'node:module';

// dist/ is CommonJS (scripts/bundle.mjs); required rather than imported, it skips the ES module loader's scan of
// its exports, and node:fs's facade, which loads fs streams.
const require = createRequire(import.meta.url);
const { readFileSync } = require('node:fs');

// oclif checks package.json's engines.node with semver on every start; comparing its ">=X.Y" here costs nothing,
// so oclif's check is turned off before it loads.
const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const [needMajor, needMinor] = (/^>=(\d+)\.(\d+)/.exec(engines.node) ?? []).slice(1).map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.emitWarning(`boutique needs Node ${engines.node}; this is Node ${process.versions.node}`);
}
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
// boutique runs dist/, whatever NODE_ENV says: under "test" or "development", beside a tsconfig.json (a checkout),
// oclif would try to register tsx or ts-node to run src/ instead.
globalThis.oclif = { ...globalThis.oclif, enableAutoTranspile: false };
// dist/ is a bundle: a stack printed by --debug names the source files and lines, not the bundle's.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = require('../dist/cli/main.cjs');

await main(import.meta.url);

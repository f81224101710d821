#!/usr/bin/env node
// CommonJS, as dist/ is (scripts/bundle.mjs): a start that imports no ES module never sets up Node's ES module loader.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

// oclif checks package.json's engines.node with semver on every start; comparing its ">=X.Y" here costs nothing,
// so oclif's check is turned off before it loads.
const { engines } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
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

require('../dist/cli/main.cjs').main(pathToFileURL(__filename).href);

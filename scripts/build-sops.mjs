#!/usr/bin/env node
// Builds the real sops CLI (and age-keygen) from their Go modules for the tests, which encrypt their fixtures with it
// at test time, so the files are the format sops writes, not boutique's idea of it. The binaries land in boutique's
// cache dir under sops/<version>-<go version hash>/, so a machine builds them once. Needs Go and the module proxy.
//
//   node scripts/build-sops.mjs           build if needed; print the folder holding sops and age-keygen on stdout
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sopsModule = 'github.com/getsops/sops/v3/cmd/sops@v3.11.0';
export const ageKeygenModule = 'filippo.io/age/cmd/age-keygen@v1.2.1';

function cacheDir(env = process.env) {
  if (env.BOUTIQUE_CACHE_DIR) return env.BOUTIQUE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'boutique');
}

/** The folder of the binaries for these module versions and this Go; both exist once built. */
export function sopsToolsDir() {
  const hash = createHash('sha256')
    .update(`${sopsModule}\0${ageKeygenModule}\0`)
    .update(execFileSync('go', ['version'], { encoding: 'utf8' }));
  return join(cacheDir(), 'sops', hash.digest('hex').slice(0, 16));
}

/** Builds sops and age-keygen unless they are in the cache already; returns their folder. */
export function buildSops({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const dir = sopsToolsDir();
  if (existsSync(join(dir, 'sops')) && existsSync(join(dir, 'age-keygen'))) return dir;
  const started = Date.now();
  log(`Building ${sopsModule} and ${ageKeygenModule} into ${dir}...`);
  const partial = `${dir}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  try {
    for (const module of [sopsModule, ageKeygenModule]) {
      // nice and -p 2: the build shares a small machine with whatever else runs.
      execFileSync('nice', ['go', 'install', '-p', '2', '-trimpath', '-ldflags', '-s -w', module], {
        env: { ...process.env, GOBIN: partial },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  log(`Built sops and age-keygen in ${Math.round((Date.now() - started) / 1000)} s.`);
  return dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${buildSops()}\n`);
}

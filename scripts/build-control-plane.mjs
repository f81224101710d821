#!/usr/bin/env node
// Builds the test suite's Kubernetes control plane (test/control-plane: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and a node agent in one binary) from Go modules, once per version of its inputs: the binary lands in
// boutique's cache dir under control-plane/<hash of the Go sources, go.mod, go.sum, the Go version and the flags>/,
// so a fresh machine builds it once and later runs reuse it. Needs Go (go.mod names the version) and the module proxy.
//
//   node scripts/build-control-plane.mjs           build if needed; print the binary's path on stdout
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../test/control-plane/', import.meta.url));

/** The Kubernetes release the binary is built from (go.mod pins k8s.io/kubernetes to it); /version reports it. */
export const kubernetesVersion = /^\s*k8s\.io\/kubernetes (v\d+\.\d+\.\d+)$/m.exec(
  readFileSync(join(source, 'go.mod'), 'utf8'),
)[1];

function cacheDir(env = process.env) {
  if (env.BOUTIQUE_CACHE_DIR) return env.BOUTIQUE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'boutique');
}

function ldflags() {
  const [, major, minor] = /^v(\d+)\.(\d+)\./.exec(kubernetesVersion);
  const version = {
    gitVersion: kubernetesVersion,
    gitMajor: major,
    gitMinor: minor,
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
  };
  const set = (pkg) => Object.entries(version).map(([name, value]) => `-X ${pkg}.${name}=${value}`);
  return ['-s', '-w', ...set('k8s.io/component-base/version'), ...set('k8s.io/client-go/pkg/version')].join(' ');
}

/** Where the binary for the current inputs lives; it exists once built. */
export function controlPlanePath() {
  const hash = createHash('sha256');
  for (const file of readdirSync(source)
    .filter((name) => /\.go$|^go\.(mod|sum)$/.test(name))
    .sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(source, file)))
      .update('\0');
  }
  hash.update(execFileSync('go', ['version'], { encoding: 'utf8' })).update(ldflags());
  return join(cacheDir(), 'control-plane', hash.digest('hex').slice(0, 16), 'control-plane');
}

/** Builds the binary unless this version of it is already in the cache; returns its path. */
export function buildControlPlane({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const path = controlPlanePath();
  if (existsSync(path)) return path;
  const started = Date.now();
  log(
    `Building the test control plane (k8s.io/kubernetes ${kubernetesVersion}) into ${path}: the first build takes many minutes...`,
  );
  const partial = `${path}.partial-${process.pid}`;
  mkdirSync(join(path, '..'), { recursive: true });
  try {
    // nice and -p 2: the build shares a small machine with whatever else runs.
    execFileSync('nice', ['go', 'build', '-p', '2', '-trimpath', '-ldflags', ldflags(), '-o', partial, '.'], {
      cwd: source,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  log(`Built the test control plane in ${Math.round((Date.now() - started) / 1000)} s.`);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${buildControlPlane()}\n`);
}

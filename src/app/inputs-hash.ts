import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { dependenciesIn, dependencyVersions } from '../helm/chart-dependencies.js';
import { valuesReaderOf } from '../config/load.js';
import type { Release } from '../config/types.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/**
 * The files that decide what a local chart renders. What `helm dependency build` writes (Chart.lock, charts/*.tgz)
 * is left out, so building dependencies changes no hash: the versions of the dependencies stand in for the
 * archives (dependencyVersions), and a file:// dependency's own files for its archive.
 */
function chartFiles(chartPath: string): { root: string; file: string }[] {
  const own = filesUnder(chartPath)
    .filter((file) => {
      const path = relative(chartPath, file);
      return path !== 'Chart.lock' && !(path.startsWith(`charts${sep}`) && path.endsWith('.tgz'));
    })
    .map((file) => ({ root: chartPath, file }));
  const local = dependenciesIn(join(chartPath, 'Chart.yaml')).flatMap(({ repository }) =>
    repository?.startsWith('file://') ? [resolve(chartPath, repository.slice('file://'.length))] : [],
  );
  return [...own, ...local.filter((path) => existsSync(path)).flatMap(chartFiles)];
}

/** A release's inputs hash; `key` is the cluster's inputs key (inputs-key.ts), for the secret values. */
export type InputsHash = (release: Release, key?: Buffer) => string;

/**
 * What chartFiles leaves out, for a comparison of two revisions (base-diff.ts): the versions a Chart.lock pins and
 * the archives under charts/, of the chart and of its file:// dependencies. A vendored archive replaced under the
 * same name, or a lock that pins another version of a range, renders differently with an unchanged Chart.yaml.
 * What helm derives when it builds a file:// dependency is left out (that dependency's archive, its lock entry, the
 * lock's digest and time): helm packs it afresh from the folder, whose files chartFiles holds.
 */
function builtDependencyParts(chartPath: string): { name: string; content: string | Buffer }[] {
  const fromFolder = (repository?: string) => repository?.startsWith('file://') ?? false;
  const dependencies = dependenciesIn(join(chartPath, 'Chart.yaml'));
  const packedLocally = dependencies.filter(({ repository }) => fromFolder(repository)).map(({ name }) => `${name}-`);
  // NAME-VERSION.tgz, and a version starts with a digit (or v): redis-cluster-1.0.0.tgz is not redis's.
  const packedHere = (entry: string) =>
    packedLocally.some((prefix) => entry.startsWith(prefix) && /^v?\d/.test(entry.slice(prefix.length)));
  const chartsDir = join(chartPath, 'charts');
  const archives = existsSync(chartsDir)
    ? readdirSync(chartsDir)
        .filter((entry) => entry.endsWith('.tgz') && !packedHere(entry))
        .sort()
    : [];
  const locked = dependenciesIn(join(chartPath, 'Chart.lock')).filter(({ repository }) => !fromFolder(repository));
  const local = dependencies.flatMap(({ repository }) =>
    fromFolder(repository) ? [resolve(chartPath, repository!.slice('file://'.length))] : [],
  );
  return [
    ...(locked.length > 0
      ? [
          {
            name: 'Chart.lock',
            content: JSON.stringify(locked.map(({ name, version, repository }) => [name, version, repository])),
          },
        ]
      : []),
    ...archives.map((entry) => ({ name: `charts/${entry}`, content: readFileSync(join(chartsDir, entry)) })),
    ...local
      .filter((path) => existsSync(path))
      .flatMap((path) =>
        builtDependencyParts(path).map((part) => ({ ...part, name: `${relative(chartPath, path)}/${part.name}` })),
      ),
  ];
}

/**
 * A hash of a local chart's built dependencies (builtDependencyParts); '' for a chart from a repository. The inputs
 * hash leaves them out, so that building dependencies does not make sync upgrade; whatever keeps or compares renders
 * (the render cache, diff --base) adds this.
 */
export function builtDependenciesHash(release: Release): string {
  if (release.chart.kind !== 'local') return '';
  const hash = createHash('sha256');
  for (const part of builtDependencyParts(release.chart.path))
    hash.update(part.name).update('\0').update(part.content).update('\0');
  return hash.digest('hex');
}

/**
 * A hash of everything that decides what helm applies for a release: chart files (or chart name and version),
 * values layers, --set values and helm options. Equal hashes mean an upgrade would apply the same thing, so sync
 * can skip it without rendering. 40 hex characters, to fit a label value.
 *
 * The hash is stored on every revision and shown in helm's arguments: a plain hash of a secret value would let
 * anyone who sees it try guesses offline (issue 27). A secret value enters only as an HMAC under the cluster's key,
 * which is not in the repository or any cache; without a key it enters as a random value of this run, so the
 * release is upgraded rather than judged unchanged. A release without secret values hashes as before.
 *
 * One hasher serves one run: it reads a local chart once, however many releases share it (the shipped system
 * deploys eleven releases from charts/microservice), and hashes each release once per key, however many ask.
 */
export function createInputsHash(): InputsHash {
  const chartParts = new Map<string, (string | Buffer)[]>();
  const hashes = new WeakMap<Release, Map<string, string>>();
  const unkeyed = randomBytes(16).toString('hex');
  const setPart = (release: Release, key: Buffer | undefined) =>
    release.set.map((entry) =>
      entry.secret
        ? {
            name: entry.name,
            secret: key ? createHmac('sha256', key).update(JSON.stringify(entry.value)).digest('hex') : unkeyed,
          }
        : entry,
    );
  const partsOf = (chartPath: string) => {
    let parts = chartParts.get(chartPath);
    if (!parts) {
      parts = [
        ...chartFiles(chartPath).flatMap(({ root, file }) => [
          relative(chartPath, root),
          relative(root, file),
          readFileSync(file),
        ]),
        ...dependencyVersions(chartPath),
      ];
      chartParts.set(chartPath, parts);
    }
    return parts;
  };
  return (release, key) => {
    const keyId = key?.toString('hex') ?? '';
    const known = hashes.get(release)?.get(keyId);
    if (known !== undefined) return known;
    const hash = createHash('sha256');
    const add = (part: string | Buffer) => hash.update(part).update('\0');
    add(
      JSON.stringify({
        namespace: release.namespace,
        name: release.name,
        set: setPart(release, key),
        createNamespace: release.createNamespace,
        wait: release.wait,
        timeout: release.timeout,
        atomic: release.atomic,
        historyMax: release.historyMax,
      }),
    );
    if (release.chart.kind === 'local') partsOf(release.chart.path).forEach(add);
    else add(JSON.stringify(release.chart));
    for (const layer of release.values) {
      // A decrypted sops file enters as its secret set values do: an HMAC under the cluster's key (one whose every
      // value is in clear holds no secret, and enters as inline values do).
      if (layer.kind === 'sops' && layer.secrets.length > 0)
        add(key ? createHmac('sha256', key).update(JSON.stringify(layer.values)).digest('hex') : unkeyed);
      else add(layer.kind === 'file' ? valuesReaderOf(release).text(layer.path) : JSON.stringify(layer.values));
    }
    const digest = hash.digest('hex').slice(0, 40);
    hashes.set(release, (hashes.get(release) ?? new Map<string, string>()).set(keyId, digest));
    return digest;
  };
}

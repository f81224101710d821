import { resolve } from 'node:path';
import { isLocalChart, resolveNeed, type FileProbe } from './rules.js';
import { nestValue, parseValuesPath } from './values-path.js';
import type { ChartRef, RawEnvironment, RawRepository, Environment, RawRelease, RawReleasesFile, Release, ReleasesConfig, ValuesLayer, VersionKeys } from './types.js';

const builtInDefaults = { namespace: 'default', createNamespace: true, wait: true, timeout: 300, atomic: false, historyMax: 10 };
const defaultVersionKeys: VersionKeys = { tag: 'image.tag', digest: 'image.digest' };

/** Where an environment's versions file lives, absolute. */
export function versionsFilePath(raw: RawReleasesFile, environment: string, baseDir: string): string {
  return resolve(baseDir, raw.environments?.[environment]?.versionsFile ?? `versions/${environment}.yaml`);
}

export function resolveEnvironment(raw: RawReleasesFile, name: string, baseDir: string): Environment {
  const declared = raw.environments?.[name] ?? {};
  return {
    name,
    namespace: declared.namespace,
    kubeContext: declared.kubeContext,
    production: declared.production ?? false,
    promotedFrom: declared.promotedFrom,
    versionsFile: versionsFilePath(raw, name, baseDir),
  };
}

export function versionKeysOf(release: Pick<Release, 'versionKeys'>): VersionKeys {
  return release.versionKeys ?? defaultVersionKeys;
}

/** The values a versions-file entry stands for: a `sha256:` digest at the digest key, anything else at the tag key. */
export function versionValues(version: string, keys: VersionKeys): Record<string, unknown> {
  return nestValue(parseValuesPath(version.startsWith('sha256:') ? keys.digest : keys.tag), version);
}

/** Namespace of each release in an environment: its own, else the environment's, else defaults', else "default". */
export function releaseNamespaces(raw: RawReleasesFile, environment: string): string[] {
  const fallback = raw.environments?.[environment]?.namespace ?? raw.defaults?.namespace ?? builtInDefaults.namespace;
  return raw.releases.map((release) => release?.namespace ?? fallback);
}

export function toHelmDuration(timeout: number | string): string {
  return typeof timeout === 'number' ? `${timeout}s` : timeout;
}

/** `repo/chart@1.2.3` and `oci://registry/chart@1.2.3` carry their version; a local path never does. */
export function splitChartVersion(chart: string): { chart: string; version?: string } {
  if (isLocalChart(chart)) return { chart };
  const at = chart.lastIndexOf('@');
  return at > 0 ? { chart: chart.slice(0, at), version: chart.slice(at + 1) } : { chart };
}

function chartRef(release: RawRelease, baseDir: string, repositories: readonly RawRepository[]): ChartRef {
  const { chart, version = release.version } = splitChartVersion(release.chart);
  if (chart.startsWith('oci://')) return { kind: 'oci', url: chart, version };
  if (isLocalChart(chart)) return { kind: 'local', path: resolve(baseDir, chart) };
  const repository = repositories.find((candidate) => candidate.name === chart.split('/')[0]);
  if (!repository) throw new Error(`chart ${chart} names no declared repository: checkRules must run before normalize`);
  return { kind: 'repository', name: chart, version, repository };
}

function isInstalled(release: RawRelease, environment: string): boolean {
  if (typeof release.installed === 'boolean') return release.installed;
  return release.installed?.[environment] ?? true;
}

/**
 * Values layers, lowest precedence first: the release's files, the environment's files, the environment overlay
 * `<valuesDir>/<release>.yaml` when it exists, the release's entry of the versions file, then the release's inline
 * maps. `set` comes last, from the caller.
 */
function valuesLayers(release: RawRelease, baseDir: string, environment: RawEnvironment, overlayDir: string, files: FileProbe, version: ValuesLayer[]): ValuesLayer[] {
  const entries = release.values ?? [];
  const asFile = (path: string): ValuesLayer => ({ kind: 'file', path: resolve(baseDir, path) });
  const fileLayers = entries.flatMap((entry): ValuesLayer[] => (typeof entry === 'string' ? [asFile(entry)] : []));
  const inlineLayers = entries.flatMap((entry): ValuesLayer[] => (typeof entry === 'string' ? [] : [{ kind: 'inline', values: entry }]));
  const environmentLayers = (environment.values ?? []).map(asFile);
  const overlay = resolve(baseDir, overlayDir, `${release.name}.yaml`);
  const overlayLayers: ValuesLayer[] = files.isFile(overlay) ? [{ kind: 'file', path: overlay }] : [];
  return [...fileLayers, ...environmentLayers, ...overlayLayers, ...version, ...inlineLayers];
}

/** Turns a valid releases.yaml into releases for one environment. Assumes checkRules found nothing. */
export function normalize(
  raw: RawReleasesFile,
  options: { file: string; baseDir: string; environment: string; files: FileProbe; versions?: ReadonlyMap<string, string> },
): ReleasesConfig {
  const { baseDir, environment, files } = options;
  const defaults = { ...builtInDefaults, ...raw.defaults };
  const namespaces = releaseNamespaces(raw, environment);
  const ids = raw.releases.map((release, index) => `${namespaces[index]}/${release.name}`);
  const overlayDir = raw.environments?.[environment]?.valuesDir ?? `values/${environment}`;

  const releases = raw.releases.map((release, index): Release => {
    const namespace = namespaces[index]!;
    const versionKeys = { ...defaultVersionKeys, ...release.versionKeys };
    const version = options.versions?.get(release.name);
    const versionLayer: ValuesLayer[] = version === undefined ? [] : [{ kind: 'inline', values: versionValues(version, versionKeys) }];
    return {
      id: ids[index]!,
      name: release.name,
      namespace,
      chart: chartRef(release, baseDir, raw.repositories ?? []),
      chartSource: release.chart,
      values: valuesLayers(release, baseDir, raw.environments?.[environment] ?? {}, overlayDir, files, versionLayer),
      set: release.set ?? [],
      needs: (release.needs ?? []).map((need) => {
        const resolved = resolveNeed(need, ids, ids[index]!);
        if (!('id' in resolved)) throw new Error(`unresolved need ${need}: checkRules must run before normalize`);
        return resolved.id;
      }),
      labels: release.labels ?? {},
      installed: isInstalled(release, environment),
      createNamespace: release.createNamespace ?? defaults.createNamespace,
      wait: release.wait ?? defaults.wait,
      timeout: toHelmDuration(release.timeout ?? defaults.timeout),
      atomic: release.atomic ?? defaults.atomic,
      historyMax: release.historyMax ?? defaults.historyMax,
      lintRules: { ...raw.lint?.rules, ...release.lint?.rules },
      versionKeys,
    };
  });

  return {
    file: options.file,
    baseDir,
    environment: resolveEnvironment(raw, environment, baseDir),
    releases,
    kubeVersion: raw.lint?.kubeVersion,
  };
}

import { resolve } from 'node:path';
import { parseChartReference } from './chart-ref.js';
import { ReleaseIndex } from './release-index.js';
import type { FileProbe } from './file-probe.js';
import { setAtPath } from './values-path.js';
import type { HealthRule, HealthRuleSpec } from '../health/rules.js';
import { sourcedEntry } from './value-sources.js';
import type {
  RawSetValue,
  RuleSetting,
  ChartRef,
  RawEnvironment,
  RawRepository,
  Environment,
  RawRelease,
  RawReleasesFile,
  Release,
  ReleasesConfig,
  ValuesLayer,
  VersionKeys,
} from './types.js';

const builtInDefaults = {
  namespace: 'default',
  createNamespace: true,
  wait: true,
  timeout: 300,
  atomic: false,
  historyMax: 10,
};
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
    // default exists in every cluster before any release namespace does.
    lockNamespace: declared.lockNamespace ?? 'default',
    versionsFile: versionsFilePath(raw, name, baseDir),
  };
}

export function versionKeysOf(release: Pick<Release, 'versionKeys'>): VersionKeys {
  return release.versionKeys ?? defaultVersionKeys;
}

/** The values a versions-file entry stands for: a `sha256:` digest at the digest key, anything else at the tag key. */
export function versionValues(version: string, keys: VersionKeys): Record<string, unknown> {
  return setAtPath({}, version.startsWith('sha256:') ? keys.digest : keys.tag, version);
}

/** Namespace of each release in an environment: its own, else the environment's, else defaults', else "default". */
export function releaseNamespaces(raw: RawReleasesFile, environment: string): string[] {
  const fallback = raw.environments?.[environment]?.namespace ?? raw.defaults?.namespace ?? builtInDefaults.namespace;
  return raw.releases.map((release) => release?.namespace ?? fallback);
}

/** The folder of the environment's per-release overlays <valuesDir>/<release>.yaml, relative to releases.yaml. */
export function overlayDir(raw: RawReleasesFile, environment: string): string {
  return raw.environments?.[environment]?.valuesDir ?? `values/${environment}`;
}

export function toHelmDuration(timeout: number | string): string {
  return typeof timeout === 'number' ? `${timeout}s` : timeout;
}

function chartRef(release: RawRelease, baseDir: string, repositories: readonly RawRepository[]): ChartRef {
  const chart = parseChartReference(release.chart);
  const version = release.version;
  switch (chart.kind) {
    case 'local':
      return { kind: 'local', path: resolve(baseDir, chart.path) };
    case 'oci':
      return { kind: 'oci', url: chart.url, version: chart.version ?? version };
    case 'repository':
      return {
        kind: 'repository',
        name: chart.name,
        version: chart.version ?? version,
        repository: repositories.find((repository) => repository.name === chart.repository)!,
      };
    default:
      throw new Error(`invalid chart ${release.chart}: checkRules must run before normalize`);
  }
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
function valuesLayers(
  release: RawRelease,
  index: number,
  baseDir: string,
  environment: RawEnvironment,
  overlayDir: string,
  files: FileProbe,
  version: ValuesLayer[],
): ValuesLayer[] {
  const entries = release.values ?? [];
  const asFile = (path: string): ValuesLayer => ({ kind: 'file', path: resolve(baseDir, path) });
  const fileLayers = entries.flatMap((entry): ValuesLayer[] => (typeof entry === 'string' ? [asFile(entry)] : []));
  const inlineLayers = entries.flatMap((entry, entryIndex): ValuesLayer[] =>
    typeof entry === 'string'
      ? []
      : [{ kind: 'inline', values: entry, source: `/releases/${index}/values/${entryIndex}` }],
  );
  const environmentLayers = (environment.values ?? []).map(asFile);
  const overlay = resolve(baseDir, overlayDir, `${release.name}.yaml`);
  const overlayLayers: ValuesLayer[] = files.isFile(overlay) ? [{ kind: 'file', path: overlay }] : [];
  return [...fileLayers, ...environmentLayers, ...overlayLayers, ...version, ...inlineLayers];
}

/** YAML 1.1 reads an unquoted `off` as false: both mean off. */
function lintRules(settings: Record<string, RuleSetting | false>): Record<string, RuleSetting> {
  return Object.fromEntries(Object.entries(settings).map(([id, setting]) => [id, setting === false ? 'off' : setting]));
}

/** releases.yaml's health rules at one place, each named by where it is written (`releases.yaml defaults.health[0]`). */
function userRules(rules: readonly HealthRuleSpec[] | undefined, where: string): HealthRule[] {
  return (rules ?? []).map((rule, index) => ({ ...rule, source: { kind: 'user', where: `${where}[${index}]` } }));
}

/** Turns a valid releases.yaml into releases for one environment. Assumes checkRules found nothing. */
export function normalize(
  raw: RawReleasesFile,
  options: {
    file: string;
    baseDir: string;
    environment: string;
    files: FileProbe;
    versions?: ReadonlyMap<string, string>;
    sourced?: ReadonlyMap<RawSetValue, string>;
  },
): ReleasesConfig {
  const { baseDir, environment, files } = options;
  const defaults = { ...builtInDefaults, ...raw.defaults };
  const namespaces = releaseNamespaces(raw, environment);
  const releaseIndex = new ReleaseIndex(raw.releases.map((release, i) => `${namespaces[i]}/${release.name}`));
  const ids = releaseIndex.ids;

  const releases = raw.releases.map((release, i): Release => {
    const namespace = namespaces[i]!;
    const versionKeys = { ...defaultVersionKeys, ...release.versionKeys };
    const version = options.versions?.get(release.name);
    const versionLayer: ValuesLayer[] =
      version === undefined ? [] : [{ kind: 'inline', values: versionValues(version, versionKeys) }];
    return {
      id: ids[i]!,
      name: release.name,
      namespace,
      chart: chartRef(release, baseDir, raw.repositories ?? []),
      chartSource: release.chart,
      values: valuesLayers(
        release,
        i,
        baseDir,
        raw.environments?.[environment] ?? {},
        overlayDir(raw, environment),
        files,
        versionLayer,
      ),
      set: (release.set ?? []).map((entry) => sourcedEntry(entry, options.sourced ?? new Map())),
      needs: (release.needs ?? []).map((need) => {
        const resolved = releaseIndex.resolveNeed(need, ids[i]!);
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
      ignoreDifferences: [...(raw.defaults?.ignoreDifferences ?? []), ...(release.ignoreDifferences ?? [])],
      lintRules: lintRules({ ...raw.lint?.rules, ...release.lint?.rules }),
      health: [
        ...userRules(release.health, `${options.file} releases[${i}].health`),
        ...userRules(raw.environments?.[environment]?.health, `${options.file} environments.${environment}.health`),
        ...userRules(raw.defaults?.health, `${options.file} defaults.health`),
      ],
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

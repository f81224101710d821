import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseTar } from 'nanotar';
import { Range, SemVer } from 'semver';
import { parseGoYaml } from '../yaml/go-yaml.js';

export interface Dependency {
  name: string;
  version?: string;
  repository?: string;
}

/** The dependencies a Chart.yaml or Chart.lock lists; [] when the file is missing. */
export const dependenciesIn = (file: string): Dependency[] => {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // Without the word, and without a backslash that could escape it in a quoted key, there is no dependencies key:
  // most charts need no YAML parse here, which a run pays once per release.
  if (!text.includes('dependencies') && !text.includes('\\')) return [];
  const parsed = parseGoYaml(text) as { dependencies?: Dependency[] } | null;
  return Array.isArray(parsed?.dependencies) ? parsed.dependencies : [];
};

// helm reads a version with Masterminds' NewVersion: a `v` prefix, and a missing minor or patch, are accepted.
const GO_VERSION =
  /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A chart version as helm (Masterminds semver v3's NewVersion) reads it, or undefined when helm would not. */
export function chartVersion(text: string): SemVer | undefined {
  const match = GO_VERSION.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor = '0', patch = '0', pre = '', build = ''] = match;
  try {
    return new SemVer(`${Number(major)}.${Number(minor)}.${Number(patch)}${pre}${build}`);
  } catch {
    return undefined;
  }
}

const VERSION = String.raw`v?[0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?`;
const OPERATOR = String.raw`!=|=>|=<|>=|<=|~>|>|<|=|~|\^`;
const HYPHEN = new RegExp(String.raw`\s*(${VERSION})\s+-\s+(${VERSION})\s*`, 'g');
const GROUP = new RegExp(
  String.raw`^\s*(?:${OPERATOR})?\s*${VERSION}\s*(?:(?:\s+|,\s*)(?:${OPERATOR})?\s*${VERSION}\s*)*$`,
);
const COMPARATOR = new RegExp(String.raw`(${OPERATOR})?\s*(${VERSION})`, 'g');
// Masterminds' spellings that node-semver writes otherwise.
const NPM_OPERATOR: Record<string, string> = { '=>': '>=', '=<': '<=', '~>': '~', '=': '' };

interface Comparator {
  negated: boolean;
  /** node-semver's comparators for the operator and version, all of which must hold. */
  parts: Range['set'][number];
}

/**
 * A version constraint with helm's semantics (Masterminds semver v3, which helm uses to check charts/ against
 * Chart.yaml), evaluated with node-semver's comparators. Where the two differ, Masterminds wins:
 * - AND is a comma or whitespace (`>=1, <2`, `>=1.0.0 <2`), OR is `||`; `=>`, `=<`, `~>` and `!=` are operators;
 * - a prerelease version satisfies an AND group only when some version in that group has a prerelease, and then
 *   whatever its major, minor and patch (node-semver admits prereleases of the same major.minor.patch only);
 * - `x`, `X` and `*` wildcards, `~`, `^`, hyphen ranges and partial versions (`~1.2`, `^3`, `1.x`, `0.12.*`) read
 *   as node-semver reads them, which is Masterminds' reading of them too.
 * Undefined when helm would reject the constraint.
 */
export function helmConstraint(text: string): ((version: SemVer) => boolean) | undefined {
  if (text.trim() === '') return () => true;
  const groups: { comparators: Comparator[]; prerelease: boolean }[] = [];
  for (const group of text.replace(HYPHEN, ' >= $1, <= $2 ').split('||')) {
    if (!GROUP.test(group)) return undefined;
    const comparators: Comparator[] = [];
    let prerelease = false;
    for (const [, operator = '', version] of group.matchAll(COMPARATOR)) {
      const bare = version!.replace(/^v/, '');
      if (/^[^+]*-/.test(bare)) prerelease = true;
      const negated = operator === '!=';
      try {
        const range = new Range(`${negated ? '' : (NPM_OPERATOR[operator] ?? operator)}${bare}`);
        comparators.push({ negated, parts: range.set[0]! });
      } catch {
        return undefined;
      }
    }
    groups.push({ comparators, prerelease });
  }
  return (version) =>
    groups.some(
      ({ comparators, prerelease }) =>
        (prerelease || version.prerelease.length === 0) &&
        comparators.every(({ negated, parts }) => parts.every((part) => part.test(version)) !== negated),
    );
}

/** What a charts/ entry (an unpacked folder or a packaged .tgz) holds, as its Chart.yaml says. */
interface VendoredChart {
  entry: string;
  name: string;
  version: string;
}

/** The Chart.yaml text of a charts/ entry; undefined for anything that is not a chart helm could load. */
function chartYamlOf(path: string): string | undefined {
  try {
    if (statSync(path).isDirectory()) {
      const file = join(path, 'Chart.yaml');
      return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    }
    if (!path.endsWith('.tgz')) return undefined;
    // helm package puts the chart in one top folder: NAME/Chart.yaml.
    const [file] = parseTar(gunzipSync(readFileSync(path)), {
      filter: (item) => /^[^/]+\/Chart\.yaml$/.test(item.name),
    });
    return file?.text;
  } catch {
    return undefined; // a dangling link, or not a chart archive: it satisfies nothing, and a build replaces it
  }
}

function chartMetadata(text: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return (parseGoYaml(text) as { name?: unknown; version?: unknown } | null) ?? undefined;
  } catch {
    return undefined; // a Chart.yaml helm could not read either
  }
}

function vendoredCharts(chartsDir: string): VendoredChart[] {
  if (!existsSync(chartsDir)) return [];
  return readdirSync(chartsDir).flatMap((entry) => {
    const text = chartYamlOf(join(chartsDir, entry));
    const chart = text === undefined ? undefined : chartMetadata(text);
    return typeof chart?.name === 'string' ? [{ entry, name: chart.name, version: String(chart.version ?? '') }] : [];
  });
}

/** A dependency that charts/ does not satisfy, and what it holds of that name. */
export interface UnmetDependency extends Dependency {
  /** The version charts/ must hold: Chart.lock's, else Chart.yaml's constraint. */
  wanted: string;
  locked: boolean;
  /** `name version (entry)` of each chart of that name that charts/ holds, in another version. */
  found: string[];
  /** Why it is unmet, in words. */
  problem: string;
}

/** One declared dependency, and what of charts/ satisfies it. */
interface ResolvedDependency {
  dependency: Dependency;
  /** The version charts/ must hold: Chart.lock's, else Chart.yaml's constraint. */
  wanted: string;
  locked: boolean;
  /** The version of the vendored chart that satisfies it; undefined when none does. */
  satisfiedBy?: string;
  /** Why it is unmet, in words; undefined when it is met. */
  problem?: string;
  found: string[];
}

/**
 * Each dependency of a local chart, judged as helm judges charts/: a packaged `.tgz` or an unpacked folder whose
 * Chart.yaml has the dependency's name and a version within Chart.lock's pin, else within Chart.yaml's constraint
 * (helm's semver semantics, see helmConstraint).
 */
function resolveDependencies(chartPath: string): ResolvedDependency[] {
  const declared = dependenciesIn(join(chartPath, 'Chart.yaml'));
  if (declared.length === 0) return [];
  const locked = new Map(
    dependenciesIn(join(chartPath, 'Chart.lock')).map((dependency) => [dependency.name, dependency]),
  );
  const present = vendoredCharts(join(chartPath, 'charts'));
  return declared.map((dependency): ResolvedDependency => {
    const lock = locked.get(dependency.name);
    const resolved = {
      dependency,
      wanted: String(lock?.version ?? dependency.version ?? ''),
      locked: lock !== undefined,
      found: [] as string[],
    };
    const satisfies = helmConstraint(resolved.wanted);
    if (!satisfies) return { ...resolved, problem: `has a version constraint helm cannot read: "${resolved.wanted}"` };
    const named = present.filter((chart) => chart.name === dependency.name);
    const match = named.find((chart) => {
      const version = chartVersion(chart.version);
      return version !== undefined && satisfies(version);
    });
    if (match) return { ...resolved, satisfiedBy: match.version };
    const found = named.map((chart) => `${chart.name} ${chart.version} (charts/${chart.entry})`);
    return {
      ...resolved,
      found,
      problem: found.length > 0 ? `is not satisfied by ${found.join(', ')}` : 'is missing from charts/',
    };
  });
}

/** The dependencies of a local chart that its charts/ folder does not satisfy (resolveDependencies); [] when all are there. */
export function unmetDependencies(chartPath: string): UnmetDependency[] {
  return resolveDependencies(chartPath).flatMap(({ dependency, wanted, locked, found, problem }) =>
    problem === undefined ? [] : [{ ...dependency, wanted, locked, found, problem }],
  );
}

/**
 * What a chart's dependencies render from, for the inputs hash: each one's name and the version of the vendored
 * chart that satisfies it, else the version a build fetches (Chart.lock's pin, else the range). A build from a
 * lock leaves this as it was; a vendored chart replaced by another version changes it.
 */
export function dependencyVersions(chartPath: string): string[] {
  return resolveDependencies(chartPath).map(
    ({ dependency, wanted, satisfiedBy }) => `${dependency.name}@${satisfiedBy ?? wanted}`,
  );
}

/**
 * Whether a run builds the chart's dependencies (helm dependency build, unless --skip-deps): when charts/ does not
 * satisfy one, or one is a file:// folder, which may have changed since it was packed, so it is built afresh.
 */
export function needsDependencyBuild(chartPath: string): boolean {
  return (
    dependenciesIn(join(chartPath, 'Chart.yaml')).some(({ repository }) => repository?.startsWith('file://')) ||
    unmetDependencies(chartPath).length > 0
  );
}

/** How to put one unmet dependency into charts/ by hand, as a command line. */
function vendorCommand(chartPath: string, dependency: UnmetDependency): string {
  const destination = join(relative(process.cwd(), chartPath) || '.', 'charts');
  const version = dependency.wanted ? ` --version '${dependency.wanted}'` : '';
  const repository = dependency.repository ?? '';
  if (repository.startsWith('file://'))
    return `helm package ${join(chartPath, repository.slice('file://'.length))} --destination ${destination}`;
  if (repository.startsWith('oci://'))
    return `helm pull ${repository.replace(/\/$/, '')}/${dependency.name}${version} --destination ${destination}`;
  if (/^(@|alias:)/.test(repository))
    return `helm pull ${repository.replace(/^(@|alias:)/, '')}/${dependency.name}${version} --destination ${destination}`;
  if (repository) return `helm pull ${dependency.name} --repo ${repository}${version} --destination ${destination}`;
  return `copy the ${dependency.name} chart into ${destination}`;
}

/** Each unmet dependency, named with the version wanted, and how to vendor it. */
export function describeUnmet(
  chartPath: string,
  unmet: readonly UnmetDependency[],
): { names: string[]; suggestions: string[] } {
  return {
    names: unmet.map(
      (dependency) =>
        `${dependency.name} ${dependency.wanted || '(any version)'}${dependency.locked ? ' (Chart.lock)' : ''} ${dependency.problem}`,
    ),
    suggestions: unmet.map((dependency) => `vendor ${dependency.name}: ${vendorCommand(chartPath, dependency)}`),
  };
}

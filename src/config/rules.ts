import { isAbsolute, join, resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
// The rule modules only: the lint index would also load the Kubernetes schemas into every command.
import { unknownRuleIds } from '../lint/lint-objects.js';
import { rules as lintRules } from '../lint/rules/index.js';
import { findCycle } from '../graph/dag.js';
import { issueAt, type ParsedDocument } from './parse.js';
import { closest, didYouMean } from '../text/suggest.js';
import type { RawReleasesFile } from './types.js';

/** What the semantic checks may ask of the file system; injected so the checks stay testable. */
export interface FileProbe {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
}

export interface RuleContext {
  parsed: ParsedDocument;
  raw: RawReleasesFile;
  baseDir: string;
  environment: string;
  /** The namespace each release resolves to in this environment, by index. */
  namespaces: string[];
  files: FileProbe;
}

type Rule = (context: RuleContext) => ConfigIssue[];

// helm refuses longer release names: they must fit into generated object names.
const releaseNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const maxReleaseNameLength = 53;

const releaseNames: Rule = ({ parsed, raw }) =>
  raw.releases.flatMap((release, index) => {
    if (typeof release?.name !== 'string') return [];
    if (releaseNamePattern.test(release.name) && release.name.length <= maxReleaseNameLength) return [];
    return [
      issueAt(
        parsed,
        ['releases', index, 'name'],
        `release name "${release.name}" is not a valid DNS-1123 name`,
        `use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most ${maxReleaseNameLength} characters`,
      ),
    ];
  });

const duplicateReleases: Rule = ({ parsed, raw, namespaces }) => {
  const firstIndex = new Map<string, number>();
  return raw.releases.flatMap((release, index) => {
    if (typeof release?.name !== 'string') return [];
    const id = `${namespaces[index]}/${release.name}`;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return [];
    }
    const { line } = issueAt(parsed, ['releases', first, 'name'], '');
    return [issueAt(parsed, ['releases', index, 'name'], `duplicate release ${id} (first declared on line ${line})`, 'rename one of them or put them in different namespaces')];
  });
};

/** Resolves a `needs` entry (name or namespace/name) to a release id, or explains why it cannot. */
export function resolveNeed(need: string, ids: readonly string[], fromId: string): { id: string } | { problem: string; hint?: string } {
  const fromNamespace = fromId.slice(0, fromId.indexOf('/'));
  if (need.includes('/')) {
    if (ids.includes(need)) return { id: need };
    const suggestion = didYouMean(need, ids);
    return { problem: `needs "${need}", but no release has that id`, hint: suggestion ?? 'write namespace/name of a release declared in this file' };
  }
  const matches = ids.filter((id) => id.endsWith(`/${need}`));
  if (matches.length === 1) return { id: matches[0]! };
  const sameNamespace = matches.find((id) => id === `${fromNamespace}/${need}`);
  if (sameNamespace) return { id: sameNamespace };
  if (matches.length > 1) return { problem: `needs "${need}", which names releases in several namespaces (${matches.join(', ')})`, hint: 'write it as namespace/name' };
  const names = ids.filter((id) => id !== fromId).map((id) => id.slice(id.indexOf('/') + 1));
  const suggestion = closest(need, names);
  return {
    problem: `needs "${need}", but no release has that name`,
    hint: suggestion ? `did you mean "${suggestion}"? Perhaps you made a typo in needs or forgot to declare the release` : 'declare the release in releases.yaml or remove the need',
  };
}

function releaseIds({ raw, namespaces }: RuleContext): string[] {
  return raw.releases.map((release, index) => `${namespaces[index]}/${release?.name}`);
}

const unresolvedNeeds: Rule = (context) => {
  const ids = releaseIds(context);
  return context.raw.releases.flatMap((release, index) =>
    (Array.isArray(release?.needs) ? release.needs : []).flatMap((need, needIndex) => {
      if (typeof need !== 'string') return [];
      const resolved = resolveNeed(need, ids, ids[index]!);
      if ('id' in resolved) {
        if (resolved.id !== ids[index]) return [];
        return [issueAt(context.parsed, ['releases', index, 'needs', needIndex], `release ${ids[index]} needs itself`, 'remove this need')];
      }
      return [issueAt(context.parsed, ['releases', index, 'needs', needIndex], `release ${ids[index]} ${resolved.problem}`, resolved.hint)];
    }),
  );
};

const needCycles: Rule = (context) => {
  const ids = releaseIds(context);
  const nodes = context.raw.releases.map((release, index) => ({
    id: ids[index]!,
    needs: (Array.isArray(release?.needs) ? release.needs : [])
      .map((need) => (typeof need === 'string' ? resolveNeed(need, ids, ids[index]!) : { problem: '' }))
      .flatMap((resolved) => ('id' in resolved && resolved.id !== ids[index] ? [resolved.id] : [])),
  }));
  const cycle = findCycle(nodes);
  if (!cycle) return [];
  const index = ids.indexOf(cycle[0]!);
  return [
    issueAt(context.parsed, ['releases', index, 'needs'], `needs form a cycle: ${cycle.join(' -> ')}`, 'remove one of these needs: a release cannot wait for itself'),
  ];
};

const localCharts: Rule = ({ parsed, raw, baseDir, files }) =>
  raw.releases.flatMap((release, index) => {
    if (typeof release?.chart !== 'string' || !isLocalChart(release.chart)) return [];
    const dir = resolve(baseDir, release.chart);
    if (!files.isDirectory(dir)) return [issueAt(parsed, ['releases', index, 'chart'], `chart directory ${release.chart} does not exist`, `paths are relative to ${baseDir}`)];
    if (!files.isFile(join(dir, 'Chart.yaml'))) return [issueAt(parsed, ['releases', index, 'chart'], `${release.chart} is not a chart: it has no Chart.yaml`)];
    return [];
  });

const valuesFiles: Rule = ({ parsed, raw, baseDir, files }) => {
  const lists = [
    ...Object.entries(raw.environments ?? {}).map(([name, environment]) => ({ path: ['environments', name, 'values'], entries: environment?.values })),
    ...raw.releases.map((release, index) => ({ path: ['releases', index, 'values'], entries: release?.values })),
  ];
  return lists.flatMap(({ path, entries }) =>
    (Array.isArray(entries) ? entries : []).flatMap((entry, entryIndex) => {
      if (typeof entry !== 'string' || files.isFile(resolve(baseDir, entry))) return [];
      return [issueAt(parsed, [...path, entryIndex], `values file ${entry} does not exist`, `paths are relative to ${baseDir}`)];
    }),
  );
};

const chartVersions: Rule = ({ parsed, raw }) =>
  raw.releases.flatMap((release, index) => {
    if (typeof release?.chart !== 'string') return [];
    if (isLocalChart(release.chart)) {
      if (release.version === undefined) return [];
      return [issueAt(parsed, ['releases', index, 'version'], 'a local chart has no version to choose', 'remove version:, or point chart: at a repository or OCI chart')];
    }
    const at = release.chart.lastIndexOf('@');
    if (at > 0 && release.version !== undefined) {
      return [issueAt(parsed, ['releases', index, 'version'], `the version is given twice: ${release.chart} and version: ${release.version}`, 'keep one of them')];
    }
    const chart = at > 0 ? release.chart.slice(0, at) : release.chart;
    if (chart.startsWith('oci://')) return [];
    if (!/^[^/]+\/[^/]+$/.test(chart)) {
      return [issueAt(parsed, ['releases', index, 'chart'], `chart "${release.chart}" is neither a local path, repo/chart nor oci://`, 'write ./path for a chart in this repository')];
    }
    const repositories = (raw.repositories ?? []).map((repository) => repository?.name);
    const name = chart.split('/')[0]!;
    if (repositories.includes(name)) return [];
    return [
      issueAt(parsed, ['releases', index, 'chart'], `chart ${chart} names repository "${name}", which is not declared`, didYouMean(name, repositories) ?? `declare it under repositories: with its url`),
    ];
  });

const duplicateRepositories: Rule = ({ parsed, raw }) =>
  (raw.repositories ?? []).flatMap((repository, index, all) =>
    all.findIndex((other) => other?.name === repository?.name) < index
      ? [issueAt(parsed, ['repositories', index, 'name'], `repository "${repository.name}" is declared twice`, 'keep one of them')]
      : [],
  );

const installedEnvironments: Rule = ({ parsed, raw }) => {
  const declared = ['default', ...Object.keys(raw.environments ?? {})];
  return raw.releases.flatMap((release, index) => {
    const installed = release?.installed;
    if (!installed || typeof installed !== 'object') return [];
    return Object.keys(installed)
      .filter((name) => !declared.includes(name))
      .map((name) =>
        issueAt(parsed, ['releases', index, 'installed'], `installed names environment "${name}", which is not declared`, didYouMean(name, declared) ?? `declared: ${declared.join(', ')}`, name),
      );
  });
};

const selectedEnvironment: Rule = ({ parsed, raw, environment }) => {
  const declared = Object.keys(raw.environments ?? {});
  if (environment === 'default' || declared.includes(environment)) return [];
  const hint = didYouMean(environment, declared) ?? (declared.length > 0 ? `declared environments: ${declared.join(', ')}` : 'declare it under environments:');
  return [issueAt(parsed, raw.environments ? ['environments'] : [], `environment "${environment}" is not declared`, hint)];
};

const promotedFromEnvironments: Rule = ({ parsed, raw }) => {
  const declared = Object.keys(raw.environments ?? {});
  return Object.entries(raw.environments ?? {}).flatMap(([name, environment]) => {
    const source = environment?.promotedFrom;
    if (source === undefined || (declared.includes(source) && source !== name)) return [];
    if (source === name) return [issueAt(parsed, ['environments', name, 'promotedFrom'], `environment "${name}" cannot be promoted from itself`, 'name the environment it takes its versions from')];
    const hint = didYouMean(source, declared) ?? `declared: ${declared.join(', ')}`;
    return [issueAt(parsed, ['environments', name, 'promotedFrom'], `promotedFrom names environment "${source}", which is not declared`, hint)];
  });
};

const lintRuleIds: Rule = ({ parsed, raw }) => {
  const settings: { path: (string | number)[]; rules: unknown }[] = [
    { path: ['lint', 'rules'], rules: raw.lint?.rules },
    ...raw.releases.map((release, index) => ({ path: ['releases', index, 'lint', 'rules'], rules: release?.lint?.rules })),
  ];
  const known = lintRules.map((rule) => rule.id);
  return settings.flatMap(({ path, rules }) => {
    if (!rules || typeof rules !== 'object') return [];
    return unknownRuleIds(rules as Record<string, never>).map((id) =>
      issueAt(parsed, path, `unknown lint rule "${id}"`, didYouMean(id, known) ?? 'boutique lint --list-rules lists them', id),
    );
  });
};

export function isLocalChart(chart: string): boolean {
  return chart.startsWith('./') || chart.startsWith('../') || isAbsolute(chart) || chart === '.';
}

export const rules: readonly Rule[] = [
  selectedEnvironment,
  releaseNames,
  duplicateReleases,
  unresolvedNeeds,
  needCycles,
  localCharts,
  chartVersions,
  duplicateRepositories,
  valuesFiles,
  installedEnvironments,
  promotedFromEnvironments,
  lintRuleIds,
];

export function checkRules(context: RuleContext): ConfigIssue[] {
  return rules.flatMap((rule) => rule(context));
}

import { join, resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import { OBJECT_RULE_IDS, unknownRuleIds } from '../registry/lint-rules.js';
import { findCycles } from '../graph/dag.js';
import { didYouMean } from '../text/suggest.js';
import { parseChartReference, versionProblem } from './chart-ref.js';
import { healthRuleIssues } from './health.js';
import { overlayDir } from './normalize.js';
import { issueAt, type ParsedDocument } from './parse.js';
import type { ReleaseIndex } from './release-index.js';
import type { FileProbe } from './file-probe.js';
import type { ValuesFileReader } from './values-reader.js';
import type { RawReleasesFile } from './types.js';

export interface RuleContext {
  parsed: ParsedDocument;
  raw: RawReleasesFile;
  baseDir: string;
  environment: string;
  /** The namespace each release resolves to in this environment, by index. */
  namespaces: string[];
  /** Release ids by index, and how needs resolve to them. */
  releases: ReleaseIndex;
  files: FileProbe;
  values: ValuesFileReader;
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
    return [
      issueAt(
        parsed,
        ['releases', index, 'name'],
        `duplicate release ${id} (first declared on line ${line})`,
        'rename one of them or put them in different namespaces',
      ),
    ];
  });
};

const unresolvedNeeds: Rule = ({ parsed, raw, releases }) =>
  raw.releases.flatMap((release, index) =>
    (Array.isArray(release?.needs) ? release.needs : []).flatMap((need, needIndex) => {
      if (typeof need !== 'string') return [];
      const from = releases.ids[index]!;
      const resolved = releases.resolveNeed(need, from);
      if ('id' in resolved) {
        if (resolved.id !== from) return [];
        return [
          issueAt(parsed, ['releases', index, 'needs', needIndex], `release ${from} needs itself`, 'remove this need'),
        ];
      }
      return [
        issueAt(parsed, ['releases', index, 'needs', needIndex], `release ${from} ${resolved.problem}`, resolved.hint),
      ];
    }),
  );

const needCycles: Rule = ({ parsed, raw, releases }) => {
  const nodes = raw.releases.map((release, index) => ({
    id: releases.ids[index]!,
    needs: (Array.isArray(release?.needs) ? release.needs : []).flatMap((need) => {
      const resolved = typeof need === 'string' ? releases.resolveNeed(need, releases.ids[index]!) : undefined;
      return resolved && 'id' in resolved ? [resolved.id] : [];
    }),
  }));
  return findCycles(nodes).map((cycle) =>
    issueAt(
      parsed,
      ['releases', releases.indexOf(cycle[0]!), 'needs'],
      `needs form a cycle: ${cycle.join(' -> ')}`,
      'remove one of these needs: a release cannot wait for itself',
    ),
  );
};

/** Chart references: their form, the version, a declared repository, a local chart folder with Chart.yaml. */
const charts: Rule = ({ parsed, raw, baseDir, files }) =>
  raw.releases.flatMap((release, index) => {
    if (typeof release?.chart !== 'string') return [];
    const at = (key: string, message: string, hint: string) => [
      issueAt(parsed, ['releases', index, key], message, hint),
    ];
    const chart = parseChartReference(release.chart);
    const version = typeof release.version === 'string' ? release.version : undefined;
    if (chart.kind === 'invalid') return at('chart', chart.problem, chart.hint);
    if (chart.kind === 'local') {
      if (release.version !== undefined)
        return at(
          'version',
          'a local chart has no version to choose',
          'remove version:, or point chart: at a repository or OCI chart',
        );
      const dir = resolve(baseDir, chart.path);
      if (!files.isDirectory(dir))
        return at('chart', `chart directory ${chart.path} does not exist`, `paths are relative to ${baseDir}`);
      if (!files.isFile(join(dir, 'Chart.yaml')))
        return at(
          'chart',
          `${chart.path} is not a chart: it has no Chart.yaml`,
          'point chart: at the folder that holds Chart.yaml',
        );
      return [];
    }
    if (chart.version !== undefined && version !== undefined)
      return at('version', `the version is given twice: ${release.chart} and version: ${version}`, 'keep one of them');
    const badVersion = version === undefined ? undefined : versionProblem(version);
    if (badVersion) return at('version', `version ${badVersion.problem}`, badVersion.hint);
    if (chart.kind === 'oci') return [];
    const repositories = (raw.repositories ?? []).map((repository) => repository?.name);
    if (repositories.includes(chart.repository)) return [];
    return at(
      'chart',
      `chart ${chart.name} names repository "${chart.repository}", which is not declared`,
      didYouMean(chart.repository, repositories) ?? 'declare it under repositories: with its url',
    );
  });

/** An explicit valuesDir that is not a folder would silently drop every overlay of the environment. */
const valuesDirs: Rule = ({ parsed, raw, baseDir, files }) =>
  Object.entries(raw.environments ?? {}).flatMap(([name, environment]) => {
    const valuesDir = environment?.valuesDir;
    if (typeof valuesDir !== 'string' || files.isDirectory(resolve(baseDir, valuesDir))) return [];
    const what = files.isFile(resolve(baseDir, valuesDir)) ? 'is a file, not a folder' : 'does not exist';
    return [
      issueAt(
        parsed,
        ['environments', name, 'valuesDir'],
        `valuesDir ${valuesDir} of environment ${name} ${what}`,
        `paths are relative to ${baseDir}; fix the path, or remove valuesDir: to read overlays from values/${name}`,
      ),
    ];
  });

/** Every values file named, and the selected environment's overlays: present, and each a YAML map (once per file). */
const valuesFiles: Rule = ({ parsed, raw, baseDir, environment, files, values }) => {
  const lists = [
    ...Object.entries(raw.environments ?? {}).map(([name, declared]) => ({
      path: ['environments', name, 'values'],
      entries: declared?.values,
    })),
    ...raw.releases.map((release, index) => ({ path: ['releases', index, 'values'], entries: release?.values })),
  ];
  const read = new Set<string>();
  const contents = (file: string) => (read.has(file) ? [] : (read.add(file), values.issues(file)));
  const named = lists.flatMap(({ path, entries }) =>
    (Array.isArray(entries) ? entries : []).flatMap((entry, entryIndex) => {
      if (typeof entry !== 'string') return [];
      const file = resolve(baseDir, entry);
      if (files.isFile(file)) return contents(file);
      const what = files.isDirectory(file) ? 'is a folder' : 'does not exist';
      return [
        issueAt(parsed, [...path, entryIndex], `values file ${entry} ${what}`, `paths are relative to ${baseDir}`),
      ];
    }),
  );
  const overlays = raw.releases.flatMap((release) => {
    if (typeof release?.name !== 'string') return [];
    const file = resolve(baseDir, overlayDir(raw, environment), `${release.name}.yaml`);
    return files.isFile(file) ? contents(file) : [];
  });
  return [...named, ...overlays];
};

const duplicateRepositories: Rule = ({ parsed, raw }) =>
  (raw.repositories ?? []).flatMap((repository, index, all) =>
    all.findIndex((other) => other?.name === repository?.name) < index
      ? [
          issueAt(
            parsed,
            ['repositories', index, 'name'],
            `repository "${repository.name}" is declared twice`,
            'keep one of them',
          ),
        ]
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
        issueAt(
          parsed,
          ['releases', index, 'installed'],
          `installed names environment "${name}", which is not declared`,
          didYouMean(name, declared) ?? `declared: ${declared.join(', ')}`,
          name,
        ),
      );
  });
};

const selectedEnvironment: Rule = ({ parsed, raw, environment }) => {
  const declared = Object.keys(raw.environments ?? {});
  if (environment === 'default' || declared.includes(environment)) return [];
  const hint =
    didYouMean(environment, declared) ??
    (declared.length > 0 ? `declared environments: ${declared.join(', ')}` : 'declare it under environments:');
  return [
    issueAt(parsed, raw.environments ? ['environments'] : [], `environment "${environment}" is not declared`, hint),
  ];
};

const promotedFromEnvironments: Rule = ({ parsed, raw }) => {
  const declared = Object.keys(raw.environments ?? {});
  return Object.entries(raw.environments ?? {}).flatMap(([name, environment]) => {
    const source = environment?.promotedFrom;
    if (source === undefined || (declared.includes(source) && source !== name)) return [];
    if (source === name)
      return [
        issueAt(
          parsed,
          ['environments', name, 'promotedFrom'],
          `environment "${name}" cannot be promoted from itself`,
          'name the environment it takes its versions from',
        ),
      ];
    const hint = didYouMean(source, declared) ?? `declared: ${declared.join(', ')}`;
    return [
      issueAt(
        parsed,
        ['environments', name, 'promotedFrom'],
        `promotedFrom names environment "${source}", which is not declared`,
        hint,
      ),
    ];
  });
};

const lintRuleIds: Rule = ({ parsed, raw }) => {
  const settings: { path: (string | number)[]; rules: unknown }[] = [
    { path: ['lint', 'rules'], rules: raw.lint?.rules },
    ...raw.releases.map((release, index) => ({
      path: ['releases', index, 'lint', 'rules'],
      rules: release?.lint?.rules,
    })),
  ];
  const known = [...OBJECT_RULE_IDS];
  return settings.flatMap(({ path, rules }) => {
    if (!rules || typeof rules !== 'object') return [];
    return unknownRuleIds(rules as Record<string, unknown>).map((id) =>
      issueAt(
        parsed,
        path,
        `unknown lint rule "${id}"`,
        didYouMean(id, known) ?? 'boutique lint --list-rules lists them',
        id,
      ),
    );
  });
};

export const rules: readonly Rule[] = [
  selectedEnvironment,
  releaseNames,
  duplicateReleases,
  unresolvedNeeds,
  needCycles,
  charts,
  duplicateRepositories,
  valuesDirs,
  valuesFiles,
  installedEnvironments,
  promotedFromEnvironments,
  lintRuleIds,
  ({ parsed, raw }) => healthRuleIssues(parsed, raw),
];

export function checkRules(context: RuleContext): ConfigIssue[] {
  return rules.flatMap((rule) => rule(context));
}

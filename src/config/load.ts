import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError, UsageError, type ConfigIssue } from '../errors.js';
import { rememberedParse } from './accepted.js';
import { normalize, releaseNamespaces, versionsFilePath } from './normalize.js';
import { parseYaml, type ParsedDocument } from './parse.js';
import { ReleaseIndex } from './release-index.js';
import type { FileProbe } from './file-probe.js';
import { checkRules } from './rules.js';
import type { RawReleasesFile, RawSetValue, Release, ReleasesConfig } from './types.js';
import { validateSchema } from './validate.js';
import { chartValuesIssues, commandLine } from './values.js';
import { ValuesFileReader } from './values-reader.js';
import { parseVersionsFile } from './versions-file.js';
import { outsideRepository, repositoryOf } from '../tools/contained-path.js';
import { readLocalSources, setEntryIssues } from './value-sources.js';

/** A path's stat, or undefined when there is nothing there (also below a file: ENOTDIR). */
export function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export const nodeFileProbe: FileProbe = {
  isFile: (path) => statOf(path)?.isFile() ?? false,
  isDirectory: (path) => statOf(path)?.isDirectory() ?? false,
  readText: (path) => readFileSync(path, 'utf8'),
};

interface CheckOptions {
  /** releases.yaml as messages name it. */
  file: string;
  baseDir: string;
  environment: string;
  files: FileProbe;
  /** How the text is parsed: parseYaml, or a run's rememberedParse. */
  parse?: (text: string, file: string) => ParsedDocument;
  /** --allow-duplicate-keys: values files may give a key twice (helm takes the last). */
  allowDuplicateKeys?: boolean;
}

export interface CheckedConfig {
  raw?: RawReleasesFile;
  issues: ConfigIssue[];
  parsed?: ParsedDocument;
  values?: ValuesFileReader;
}

/**
 * Checks releases.yaml text: syntax, schema, then the rules that need the whole file (names, needs, cycles,
 * charts, files, the values files' syntax). Returns every issue found; pure apart from the injected file probe.
 */
export function checkConfig(text: string, options: CheckOptions): CheckedConfig {
  const parsed = (options.parse ?? parseYaml)(text, options.file);
  if (parsed.issues.length > 0) return { issues: parsed.issues };
  const raw = parsed.value as RawReleasesFile | null | undefined;
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    const what =
      raw === null || raw === undefined
        ? 'empty'
        : Array.isArray(raw)
          ? 'a list'
          : `${typeof raw} ${JSON.stringify(raw).slice(0, 40)}`;
    return {
      issues: [
        {
          file: options.file,
          line: 1,
          column: 1,
          path: '',
          message: `${options.file} must be a map with a releases: list, but it is ${what}`,
          hint: 'start the file with "releases:" and list each release under it with name: and chart: (see docs/releases-yaml.md)',
        },
      ],
    };
  }
  const issues = validateSchema(parsed, raw);
  if (!Array.isArray(raw.releases)) return { issues };
  const namespaces = releaseNamespaces(raw, options.environment);
  const releases = new ReleaseIndex(raw.releases.map((release, index) => `${namespaces[index]}/${release?.name}`));
  // Values files are named as releases.yaml is: from the same folder the user runs in.
  const values = new ValuesFileReader(
    options.files,
    (path) => join(dirname(options.file), relative(options.baseDir, path)),
    options.allowDuplicateKeys,
  );
  issues.push(...checkRules({ ...options, parsed, raw, namespaces, releases, values }), ...setEntryIssues(raw, parsed));
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { raw, issues, parsed, values };
}

/**
 * Reads, checks and normalizes releases.yaml for one environment; throws one ConfigError listing every issue.
 * `set` (the command line's --set) comes after every release's own set values. `readSources: false` leaves the
 * values of valueFrom entries unread (each entry `unresolved`).
 */
export function loadConfig(
  path: string,
  environment: string,
  options: {
    files?: FileProbe;
    set?: readonly RawSetValue[];
    allowDuplicateKeys?: boolean;
    checkSetOn?: (release: Release) => boolean;
    readSources?: boolean;
  } = {},
): ReleasesConfig {
  const files = options.files ?? nodeFileProbe;
  const absolute = resolve(path);
  const file = relative(process.cwd(), absolute) || absolute;
  let text: string;
  try {
    text = files.readText(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new ConfigError([
      {
        file,
        line: 1,
        column: 1,
        path: '',
        message: `cannot read ${file}: ${reason}`,
        hint: 'run boutique in the folder of releases.yaml or pass --file',
      },
    ]);
  }
  const baseDir = dirname(absolute);
  const { raw, issues, parsed, values } = checkConfig(text, {
    file,
    baseDir,
    environment,
    files,
    parse: rememberedParse,
    allowDuplicateKeys: options.allowDuplicateKeys,
  });
  if (issues.length > 0 || !raw || !parsed || !values) throw new ConfigError(issues);
  const versions = readVersionsFile(
    versionsFilePath(raw, environment, baseDir),
    raw.releases.map((release) => release.name),
    files,
  );
  if (versions.issues.length > 0) throw new ConfigError(versions.issues);
  // Values from the environment and from files, read before anything is contacted (issue 31); `readSources: false`
  // (diff --base, which compares revisions of the repository) leaves them unread, as a cluster Secret's value is.
  const sourced =
    options.readSources === false
      ? { values: new Map(), issues: [] }
      : readLocalSources(raw, parsed, { baseDir, env: process.env, files });
  if (sourced.issues.length > 0) throw new ConfigError(sourced.issues);
  const normalized = normalize(raw, {
    file,
    baseDir,
    environment,
    files,
    versions: versions.versions,
    sourced: sourced.values,
  });
  const overrides = options.set ?? [];
  const withOverrides = (release: Release): Release => ({ ...release, set: [...release.set, ...overrides] });
  const config =
    overrides.length === 0 ? normalized : { ...normalized, releases: normalized.releases.map(withOverrides) };
  // The command line's --set is checked as the files are, on the releases it is meant for (checkSetOn: the selected
  // ones); it has no line in any file, so it is named as typed.
  const checked = {
    ...normalized,
    releases: normalized.releases.map((release) =>
      options.checkSetOn?.(release) === false ? release : withOverrides(release),
    ),
  };
  const valueIssues = chartValuesIssues(checked, parsed, values, files, new Set(overrides));
  if (valueIssues.some((issue) => issue.file !== commandLine)) throw new ConfigError(valueIssues);
  if (valueIssues.length > 0)
    throw new UsageError(valueIssues.map((issue) => issue.message).join('\n'), {
      suggestions: [...new Set(valueIssues.flatMap((issue) => (issue.hint ? [issue.hint] : [])))],
    });
  return withValuesReader(config, values);
}

const valuesReaders = new WeakMap<ReleasesConfig | Release, ValuesFileReader>();

/** Ties the run's values reader to a loaded config and its releases, so every later read shares its cache. */
function withValuesReader(config: ReleasesConfig, reader: ValuesFileReader): ReleasesConfig {
  valuesReaders.set(config, reader);
  for (const release of config.releases) valuesReaders.set(release, reader);
  return config;
}

/**
 * The values reader of the run that loaded `owner` (a config or one of its releases): the same parse, the same
 * --allow-duplicate-keys, each file read once. A config built by hand (a test) reads the disk afresh each time.
 */
export function valuesReaderOf(owner: ReleasesConfig | Release): ValuesFileReader {
  return (
    valuesReaders.get(owner) ?? new ValuesFileReader(nodeFileProbe, (path) => relative(process.cwd(), path) || path)
  );
}

/** The environment's versions file (release → tag or digest); none yet is no versions. */
function readVersionsFile(path: string, releaseNames: string[], files: FileProbe) {
  const file = relative(process.cwd(), path) || path;
  if (!files.isFile(path)) return { versions: new Map<string, string>(), issues: [] };
  return parseVersionsFile(files.readText(path), file, releaseNames);
}

/**
 * The environments a releases.yaml declares (`default` when it declares none), read without checking the rest of
 * the file; [] when there is no such file. A file that does not parse names `default`, whose load reports why.
 */
export function declaredEnvironments(path: string, files: FileProbe = nodeFileProbe): string[] {
  if (!files.isFile(path)) return [];
  const parsed = rememberedParse(files.readText(path), path);
  const environments = (parsed.value as RawReleasesFile | null)?.environments;
  const names =
    parsed.issues.length === 0 && environments && typeof environments === 'object' ? Object.keys(environments) : [];
  return names.length > 0 ? names : ['default'];
}

/** Warnings naming the values files, local charts and versions file that lead outside the repository (issue 27). */
export function filesOutsideRepository(config: ReleasesConfig): string[] {
  const files = config.releases.flatMap((release) => [
    ...(release.chart.kind === 'local' ? [{ what: `the chart of ${release.id}`, path: release.chart.path }] : []),
    ...release.values.flatMap((layer) =>
      layer.kind === 'file' ? [{ what: `values file of ${release.id}`, path: layer.path }] : [],
    ),
  ]);
  const versions = config.environment.versionsFile;
  return outsideRepository(repositoryOf(config.baseDir), [
    ...files,
    ...(versions ? [{ what: 'the versions file', path: versions }] : []),
  ]);
}

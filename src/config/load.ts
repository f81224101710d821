import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { normalize, releaseNamespaces, versionsFilePath } from './normalize.js';
import { parseYaml } from './parse.js';
import { checkRules, type FileProbe } from './rules.js';
import type { RawReleasesFile, RawSetValue, ReleasesConfig } from './types.js';
import { validateSchema } from './validate.js';
import { parseVersionsFile } from './versions-file.js';

export const nodeFileProbe: FileProbe = {
  isFile: (path) => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false,
  isDirectory: (path) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false,
};

/**
 * Checks releases.yaml text: syntax, schema, then the rules that need the whole file (names, needs, cycles,
 * files). Returns every issue found; pure apart from the injected file probe.
 */
export function checkConfig(text: string, options: { file: string; baseDir: string; environment: string; files: FileProbe }): { raw?: RawReleasesFile; issues: ConfigIssue[] } {
  const parsed = parseYaml(text, options.file);
  if (parsed.issues.length > 0) return { issues: parsed.issues };
  const raw = parsed.doc.toJS() as RawReleasesFile | null;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { issues: [{ file: options.file, line: 1, column: 1, path: '', message: 'releases.yaml must be a map with a releases: list' }] };
  }
  const issues = validateSchema(parsed, raw);
  if (!Array.isArray(raw.releases)) return { issues };
  const context = { ...options, parsed, raw, namespaces: releaseNamespaces(raw, options.environment) };
  issues.push(...checkRules(context));
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  return { raw, issues };
}

/**
 * Reads, checks and normalizes releases.yaml for one environment; throws one ConfigError listing every issue.
 * `set` (the command line's --set) comes after every release's own set values.
 */
export function loadConfig(path: string, environment: string, options: { files?: FileProbe; set?: readonly RawSetValue[] } = {}): ReleasesConfig {
  const files = options.files ?? nodeFileProbe;
  const absolute = resolve(path);
  const file = relative(process.cwd(), absolute) || absolute;
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: `cannot read ${file}: ${reason}`, hint: 'run boutique in the folder of releases.yaml or pass --file' }]);
  }
  const baseDir = dirname(absolute);
  const { raw, issues } = checkConfig(text, { file, baseDir, environment, files });
  if (issues.length > 0 || !raw) throw new ConfigError(issues);
  const versions = readVersionsFile(versionsFilePath(raw, environment, baseDir), raw.releases.map((release) => release.name), files);
  if (versions.issues.length > 0) throw new ConfigError(versions.issues);
  const config = normalize(raw, { file, baseDir, environment, files, versions: versions.versions });
  const overrides = options.set ?? [];
  return overrides.length === 0 ? config : { ...config, releases: config.releases.map((release) => ({ ...release, set: [...release.set, ...overrides] })) };
}

/** The environment's versions file (release → tag or digest); none yet is no versions. */
function readVersionsFile(path: string, releaseNames: string[], files: FileProbe) {
  const file = relative(process.cwd(), path) || path;
  if (!files.isFile(path)) return { versions: new Map<string, string>(), issues: [] };
  return parseVersionsFile(readFileSync(path, 'utf8'), file, releaseNames);
}

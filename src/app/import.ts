import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig, loadConfig, nodeFileProbe } from '../config/load.js';
import { releasesSchemaUrl } from '../config/schema.js';
import { ConfigError, formatIssue, InternalError, UsageError, type ConfigIssue } from '../errors.js';
import { convertHelmfile, renderReleasesYaml, type ImportNote } from '../import/helmfile.js';
import { writablePathIn } from '../tools/contained-path.js';

export interface ImportResult {
  helmfile: string;
  output: string;
  releases: number;
  environments: number;
  repositories: number;
  /** Values files written next to releases.yaml (to keep helmfile's order, or per environment), relative to it. */
  files: string[];
  /** What was left out, by line of the helmfile. */
  notes: ImportNote[];
  /** What boutique's own checks say about the written file in any of its environments (a values file that does not exist…). */
  issues: ConfigIssue[];
  /** Everything converted and the written file checks clean in every environment: what --strict asks for. */
  clean: boolean;
}

/** Reads helmfile.yaml, writes the equivalent releases.yaml (never over an existing file unless `force`). */
export function importHelmfile(options: {
  helmfile: string;
  output: string;
  force: boolean;
  allowDuplicateKeys?: boolean;
}): ImportResult {
  const helmfilePath = resolve(options.helmfile);
  const outputPath = resolve(options.output);
  const outputDir = dirname(outputPath);
  let text: string;
  try {
    text = readFileSync(helmfilePath, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${options.helmfile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  if (existsSync(outputPath) && !options.force) {
    throw new UsageError(`${options.output} exists; boutique import does not overwrite it`, {
      suggestions: ['pass --force to replace it, or -f other.yaml to write elsewhere'],
    });
  }
  // Paths in helmfile.yaml are relative to its folder; in releases.yaml, to the folder of releases.yaml.
  const fromHelmfile = (path: string) => resolve(dirname(helmfilePath), path);
  const rebasePath = (path: string) => {
    if (isAbsolute(path)) return path;
    const rebased = relative(outputDir, fromHelmfile(path)) || '.';
    return rebased.startsWith('.') ? rebased : `./${rebased}`;
  };
  const result = convertHelmfile(text, {
    file: options.helmfile,
    rebasePath,
    isDirectory: (path) => nodeFileProbe.isDirectory(fromHelmfile(path)),
    readText: (path) =>
      nodeFileProbe.isFile(fromHelmfile(path)) ? nodeFileProbe.readText(fromHelmfile(path)) : undefined,
    // A per-environment file an earlier import wrote is its own to replace under --force.
    isOutputFile: (path) =>
      nodeFileProbe.isFile(resolve(outputDir, path)) &&
      !(
        options.force &&
        /^# values\[\d+\] of release .+, for environment /.test(readFileSync(resolve(outputDir, path), 'utf8'))
      ),
  });
  const existing = result.files.map((file) => file.path).filter((path) => existsSync(resolve(outputDir, path)));
  if (existing.length > 0 && !options.force) {
    throw new UsageError(
      `${existing.join(', ')} exist${existing.length === 1 ? 's' : ''}; boutique import does not overwrite ${existing.length === 1 ? 'it' : 'them'}`,
      { suggestions: ['pass --force to replace them'] },
    );
  }
  const schema = relative(outputDir, fileURLToPath(releasesSchemaUrl));
  const rendered = renderReleasesYaml(result, options.helmfile, schema.startsWith('.') ? schema : `./${schema}`);
  for (const file of result.files) {
    mkdirSync(dirname(resolve(outputDir, file.path)), { recursive: true });
    writeFileSync(writablePathIn(outputDir, resolve(outputDir, file.path), 'import'), file.text);
  }
  const check = checkConfig(rendered, {
    file: options.output,
    baseDir: outputDir,
    environment: 'default',
    files: nodeFileProbe,
  });
  if (!check.raw)
    throw new InternalError(
      `boutique import wrote a releases.yaml it cannot read: ${check.issues.map(formatIssue).join('; ')}`,
    );
  writeFileSync(writablePathIn(dirname(outputPath), outputPath, 'import'), rendered);
  // The written file as every command reads it, in each environment: the checks of boutique lint before helm's own
  // (values files, values against the charts' schemas, the versions files).
  const environments = [
    'default',
    ...Object.keys(result.releasesFile.environments ?? {}).filter((name) => name !== 'default'),
  ];
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const environment of environments) {
    try {
      loadConfig(outputPath, environment, { allowDuplicateKeys: options.allowDuplicateKeys });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const issue of error.issues) {
        const key = formatIssue(issue);
        if (!seen.has(key)) issues.push(issue);
        seen.add(key);
      }
    }
  }
  const { releasesFile } = result;
  return {
    helmfile: options.helmfile,
    output: options.output,
    releases: releasesFile.releases.length,
    environments: Object.keys(releasesFile.environments ?? {}).length,
    repositories: releasesFile.repositories?.length ?? 0,
    files: result.files.map((file) => file.path),
    notes: result.notes,
    issues,
    clean: result.notes.length === 0 && issues.length === 0,
  };
}

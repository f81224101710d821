import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { checkConfig, nodeFileProbe } from '../config/load.js';
import { formatIssue, InternalError, UsageError, type ConfigIssue } from '../errors.js';
import { convertHelmfile, renderReleasesYaml, type ImportNote } from '../import/helmfile.js';
import { writablePathIn } from '../tools/contained-path.js';

export interface ImportResult {
  helmfile: string;
  output: string;
  releases: number;
  environments: number;
  repositories: number;
  /** What was left out, by line of the helmfile. */
  notes: ImportNote[];
  /** What boutique's own checks say about the written file (a values file that does not exist…). */
  issues: ConfigIssue[];
}

/** Reads helmfile.yaml, writes the equivalent releases.yaml (never over an existing file unless `force`). */
export function importHelmfile(options: { helmfile: string; output: string; force: boolean }): ImportResult {
  const helmfilePath = resolve(options.helmfile);
  const outputPath = resolve(options.output);
  let text: string;
  try {
    text = readFileSync(helmfilePath, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${options.helmfile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (existsSync(outputPath) && !options.force) {
    throw new UsageError(`${options.output} exists; boutique import does not overwrite it`, { suggestions: ['pass --force to replace it, or -f other.yaml to write elsewhere'] });
  }
  // Paths in helmfile.yaml are relative to its folder; in releases.yaml, to the folder of releases.yaml.
  const rebasePath = (path: string) => {
    if (isAbsolute(path)) return path;
    const rebased = relative(dirname(outputPath), resolve(dirname(helmfilePath), path)) || '.';
    return rebased.startsWith('.') ? rebased : `./${rebased}`;
  };
  const result = convertHelmfile(text, { file: options.helmfile, rebasePath });
  const rendered = renderReleasesYaml(result, options.helmfile);
  const check = checkConfig(rendered, { file: options.output, baseDir: dirname(outputPath), environment: 'default', files: nodeFileProbe });
  if (!check.raw) throw new InternalError(`boutique import wrote a releases.yaml it cannot read: ${check.issues.map(formatIssue).join('; ')}`);
  writeFileSync(writablePathIn(dirname(outputPath), outputPath, 'import'), rendered);
  const { releasesFile } = result;
  return {
    helmfile: options.helmfile,
    output: options.output,
    releases: releasesFile.releases.length,
    environments: Object.keys(releasesFile.environments ?? {}).length,
    repositories: releasesFile.repositories?.length ?? 0,
    notes: result.notes,
    issues: check.issues,
  };
}

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { valuesReaderOf } from '../config/load.js';
import { parseYaml } from '../config/parse.js';
import type { Release, ReleasesConfig, ValuesLayer } from '../config/types.js';
import { isSopsFile } from './sops-values.js';
import { valuesWithoutSecrets } from '../config/values-merge.js';
import {
  defaultNamespace,
  exportFiles,
  isEarlierExport,
  untargetableSecretIssues,
  type Engine,
  type ExportSummary,
} from '../gitops/convert.js';
import { exportedReleases, type ExportNote, type GitSource } from '../gitops/model.js';
import { withReleases, type Plan } from '../plan/plan.js';
import { writablePathIn } from '../tools/contained-path.js';

export interface ExportOptions {
  engine: Engine;
  outputDir: string;
  git: GitSource;
  namespace?: string;
  interval: string;
  /** Flux: every object name after the environment's (see ExportInput). */
  prefixNames?: boolean;
}

/** Removes the files an earlier export wrote; anything else in the folder is left alone. */
function removeEarlierExport(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && isEarlierExport(entry.name, readFileSync(path, 'utf8'))) rmSync(path);
  }
}

/**
 * Writes one environment's releases as objects for a GitOps controller into outputDir (replacing the files an
 * earlier export wrote there), and says per release what the target cannot express. The objects are made in
 * gitops/ (pure); here they are read for and written.
 */
export function exportReleases(config: ReleasesConfig, withSealed: Plan, options: ExportOptions): ExportSummary {
  const { plan, notes: sealedNotes } = withoutSopsFiles(withSealed, options.engine, config);
  const releases = exportedReleases(plan);
  if (options.engine === 'flux') {
    // Every secret set value Flux could not read from a Secret, at its line of releases.yaml; nothing is written.
    const releasesFile = () =>
      parseYaml(readFileSync(config.file, 'utf8'), relative(process.cwd(), config.file) || config.file);
    const issues = untargetableSecretIssues(releasesFile, config, releases);
    if (issues.length > 0) throw new ConfigError(issues);
  }
  const outputDir = resolve(options.outputDir);
  const values = new Map(
    releases.map((release) => [
      release.id,
      valuesWithoutSecrets(release, (path) => valuesReaderOf(config).values(path)),
    ]),
  );
  const input = {
    config,
    plan,
    values,
    git: options.git,
    namespace: options.namespace ?? defaultNamespace[options.engine],
    interval: options.interval,
    outputDir,
    prefixNames: options.prefixNames,
  };
  const { files, notes } = exportFiles(options.engine, input);
  // Every file checked before anything is removed or written: no symbolic link may lead out of the folder.
  const paths = files.map((file) => writablePathIn(outputDir, join(outputDir, file.path), 'export --output-dir'));
  mkdirSync(outputDir, { recursive: true });
  removeEarlierExport(outputDir);
  for (const [index, file] of files.entries()) {
    const path = paths[index]!;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.text);
  }
  return {
    engine: options.engine,
    environment: config.environment.name,
    outputDir: relative(process.cwd(), outputDir) || '.',
    files: files.map((file) => file.path),
    notes: [...sealedNotes, ...notes],
  };
}

/**
 * The plan without its sops-encrypted values files, and a note for each: an export never decrypts one (its values
 * would be written in clear), it leaves it to the controller's own decryption.
 */
function withoutSopsFiles(plan: Plan, engine: Engine, config: ReleasesConfig): { plan: Plan; notes: ExportNote[] } {
  const notes: ExportNote[] = [];
  const sealed = (release: Release, layer: ValuesLayer) => layer.kind === 'file' && isSopsFile(release, layer.path);
  const strip = (release: Release): Release => {
    const files = release.values.filter((layer) => sealed(release, layer)) as { path: string }[];
    if (files.length === 0 || !release.installed) return release;
    for (const { path } of files) {
      const file = relative(config.baseDir, path);
      notes.push({
        release: release.id,
        feature: 'sops values file',
        detail:
          engine === 'flux'
            ? `values file ${file} is encrypted with sops and left out: commit its values as a Secret encrypted with sops (key values.yaml), decrypted by the Flux Kustomization that applies the export (spec.decryption.provider: sops), and add that Secret to the HelmRelease's valuesFrom`
            : `values file ${file} is encrypted with sops and left out: Argo CD does not decrypt sops files itself (add it through helm-secrets or a config management plugin)`,
      });
    }
    return { ...release, values: release.values.filter((layer) => !sealed(release, layer)) };
  };
  return { plan: withReleases(plan, plan.releases.map(strip)), notes };
}

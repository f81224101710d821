import { chmodSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../config/types.js';
import { isRunError, UsageError } from '../errors.js';
import { Masker, secretValuesOf } from '../secrets/mask.js';
import { shortSecretPlaces } from './secret-places.js';
import { writablePathIn } from '../tools/contained-path.js';
import type { Helm } from '../helm/helm.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles } from './values-files.js';
import { withSopsValues } from './sops-values.js';

export type RenderResult =
  { release: Release; manifest: string; secretsInClear?: boolean } | { release: Release; error: Error };

export interface TemplateOptions {
  concurrency: number;
  /** Write each release with helm's own --output-dir into `<outputDir>/<namespace>/<name>/`. */
  outputDir?: string;
  /**
   * Let releases with secret values into outputDir, in clear (folders 0700, files 0600). Without it such a release
   * stops the run before anything renders: files meant for a GitOps hand-off are committed, and a masked secret
   * would deploy `***`.
   */
  includeSecrets?: boolean;
  /** Called for each release in plan order, as soon as it and every release before it are rendered. */
  onRendered?: (result: RenderResult) => void;
}

/** Renders releases with `helm template` in parallel; results come back in plan order. */
export async function renderReleases(
  sealed: readonly Release[],
  helm: Helm,
  options: TemplateOptions,
): Promise<RenderResult[]> {
  helm.checkDependencies(sealed);
  const releases = await withSopsValues(sealed);
  const withSecrets = releases.filter((release) => secretValuesOf(release).length > 0);
  if (options.outputDir && !options.includeSecrets && withSecrets.length > 0) {
    throw new UsageError(
      `--output-dir would write secret values in clear: ${withSecrets
        .map(
          (release) =>
            `${release.id} (${secretValuesOf(release)
              .map((secret) => secret.path)
              .join(', ')})`,
        )
        .join('; ')}`,
      {
        suggestions: [
          'leave the secret values out of the files (deploy them from CI with --set-secret, or use boutique export, which never writes them), or pass --include-secrets to write them in clear, in files only you can read, that must never be committed',
        ],
      },
    );
  }
  // Each release folder is checked before it is deleted and written: a symbolic link must not lead out of outputDir.
  const folders = new Map(
    options.outputDir
      ? releases.map((release) => [
          release.id,
          writablePathIn(options.outputDir!, join(options.outputDir!, release.namespace, release.name), '--output-dir'),
        ])
      : [],
  );
  return withValuesFiles((valuesFiles) =>
    mapInOrder(
      releases,
      options.concurrency,
      async (release): Promise<RenderResult> => {
        try {
          const values = valuesFiles.argsFor(release);
          // What is printed is masked by place (docs/secrets.md); files for a GitOps hand-off (--output-dir) are
          // helm's own, and hold secret values only when --include-secrets says so.
          if (!options.outputDir) {
            const manifest = await helm.template(release, values);
            const places = await shortSecretPlaces(release, helm, valuesFiles);
            return {
              release,
              manifest: new Masker(secretValuesOf(release), { places, namespace: release.namespace }).manifest(
                manifest,
              ),
            };
          }
          const dir = folders.get(release.id)!;
          // helm appends to files already in --output-dir; start clean so a rerun gives the same tree.
          rmSync(dir, { recursive: true, force: true });
          const secret = withSecrets.includes(release);
          mkdirSync(dir, { recursive: true, mode: secret ? 0o700 : 0o777 });
          const manifest = await helm.template(release, values, dir);
          // helm writes 0644; the folder, 0700 from the start, kept everyone else out meanwhile.
          if (secret) restrictTo(dir);
          return { release, manifest, ...(secret && { secretsInClear: true }) };
        } catch (error) {
          if (isRunError(error)) throw error;
          return { release, error: error as Error };
        }
      },
      options.onRendered,
    ),
  );
}

/** Makes a folder's files readable by their owner alone (0600, folders 0700). */
function restrictTo(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictTo(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

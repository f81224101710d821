import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../config/types.js';
import { isRunError } from '../errors.js';
import { markedSecrets, maskSecretValues } from '../secrets/mask.js';
import type { Helm } from '../helm/helm.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles } from './values-files.js';

export type RenderResult = { release: Release; manifest: string } | { release: Release; error: Error };

export interface TemplateOptions {
  concurrency: number;
  /** Write each release with helm's own --output-dir into `<outputDir>/<namespace>/<name>/`. */
  outputDir?: string;
  /** Called for each release in plan order, as soon as it and every release before it are rendered. */
  onRendered?: (result: RenderResult) => void;
}

/** Renders releases with `helm template` in parallel; results come back in plan order. */
export async function renderReleases(releases: readonly Release[], helm: Helm, options: TemplateOptions): Promise<RenderResult[]> {
  helm.checkDependencies(releases);
  return withValuesFiles((valuesFiles) =>
    mapInOrder(
      releases,
      options.concurrency,
      async (release): Promise<RenderResult> => {
        try {
          const values = valuesFiles.argsFor(release);
          // A value marked secret is masked in what is printed (plain and base64); files for a GitOps hand-off
          // (--output-dir) are helm's own, and `boutique export` keeps secrets out of them instead.
          if (!options.outputDir) return { release, manifest: maskSecretValues(await helm.template(release, values), markedSecrets(release)) };
          const dir = join(options.outputDir, release.namespace, release.name);
          // helm appends to files already in --output-dir; start clean so a rerun gives the same tree.
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          return { release, manifest: await helm.template(release, values, dir) };
        } catch (error) {
          if (isRunError(error)) throw error;
          return { release, error: error as Error };
        }
      },
      options.onRendered,
    ),
  );
}

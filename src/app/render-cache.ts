import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Release } from '../config/types.js';
import { needsDependencyBuild } from '../helm/chart-dependencies.js';
import type { Helm } from '../helm/helm.js';
import type { ResolvedTool } from '../tools/resolve.js';
import { keep, recall } from '../tools/cache-files.js';
import { builtDependenciesHash } from './inputs-hash.js';
import { secretValuesOf } from '../secrets/mask.js';

/** Bumped when what is stored, or how the key is made, changes. */
const FORMAT = 1;

/** An exact chart version (1.2.3, v1.2.3-rc.1): a range or no version may render a different chart tomorrow. */
const exactVersion = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Why a release is rendered by helm every time, or undefined when its render may be cached. A release with secret
 * set values is never stored: its manifests would keep the secret on disk after the run.
 */
export function uncacheableReason(release: Release): string | undefined {
  if (secretValuesOf(release).length > 0) return 'it has secret values';
  if (release.chart.kind !== 'local')
    return release.chart.version && exactVersion.test(release.chart.version)
      ? undefined
      : 'its chart version is not pinned';
  // helm dependency build would change the chart's files during the render (or, with --skip-deps, helm fails).
  if (needsDependencyBuild(release.chart.path)) return 'its chart lacks dependencies';
  return undefined;
}

export interface RenderCacheOptions {
  /** The folder holding the cached renders (created 0700, files 0600). */
  dir: string;
  /** The helm that renders on a miss: its version, path, size and modification time are part of every key. */
  helmTool: () => Promise<ResolvedTool>;
  /** The run's hasher of release inputs, the one the plan uses (inputs-hash.ts). */
  inputsHash: (release: Release) => string;
  trace?: (line: string) => void;
}

/**
 * helm with `helm template` results remembered across runs, keyed by a hash of everything that decides the output:
 * the release's inputs hash (chart files or pinned chart version, values layers, set values), the helm binary and
 * the template options. Every other call goes to helm unchanged. Renders into --output-dir are left to helm, which
 * writes the files itself.
 */
export class RenderCachingHelm implements Helm {
  private helmIdentity: Promise<string> | undefined;

  constructor(
    private readonly helm: Helm,
    private readonly options: RenderCacheOptions,
  ) {}

  async template(release: Release, values: readonly string[], outputDir?: string): Promise<string> {
    if (outputDir) {
      this.options.trace?.(`render cache: ${release.id} not cached, it renders into --output-dir`);
      return this.helm.template(release, values, outputDir);
    }
    return this.cached(release, 'manifests', () => this.helm.template(release, values));
  }

  templateWithCrds(release: Release, values: readonly string[]): Promise<string> {
    return this.cached(release, 'with crds', () => this.helm.templateWithCrds(release, values));
  }

  /** One render, remembered under the release's key and what was rendered (`variant`). */
  private async cached(release: Release, variant: string, render: () => Promise<string>): Promise<string> {
    const reason = uncacheableReason(release);
    const key = reason ? undefined : await this.key(release, variant);
    if (!key) {
      this.options.trace?.(`render cache: ${release.id} not cached, ${reason ?? 'its inputs cannot be read'}`);
      return render();
    }
    const file = join(this.options.dir, `${key}.yaml`);
    const cached = recall(file);
    if (cached !== undefined) {
      this.options.trace?.(`render cache: hit for ${release.id}`);
      return cached;
    }
    this.options.trace?.(`render cache: miss for ${release.id}`);
    const manifest = await render();
    keep(file, manifest);
    return manifest;
  }

  private async key(release: Release, variant: string): Promise<string | undefined> {
    let inputs: string;
    try {
      // A vendored dependency archive replaced under the same name changes the render, not the inputs hash.
      inputs = this.options.inputsHash(release) + builtDependenciesHash(release);
    } catch {
      // a values file or chart that cannot be read: helm reports it in its own words
      return undefined;
    }
    this.helmIdentity ??= this.options.helmTool().then((tool) => {
      const { size, mtimeMs } = statSync(tool.path);
      return JSON.stringify({ path: tool.path, version: tool.version, size, mtimeMs });
    });
    return createHash('sha256')
      .update(
        JSON.stringify({
          format: FORMAT,
          inputs,
          helm: await this.helmIdentity,
          ...(variant !== 'manifests' && { variant }),
        }),
      )
      .digest('hex');
  }

  checkDependencies: Helm['checkDependencies'] = (...args) => this.helm.checkDependencies(...args);
  lint: Helm['lint'] = (...args) => this.helm.lint(...args);
  upgrade: Helm['upgrade'] = (...args) => this.helm.upgrade(...args);
  plannedManifest: Helm['plannedManifest'] = (...args) => this.helm.plannedManifest(...args);
  uninstall: Helm['uninstall'] = (...args) => this.helm.uninstall(...args);
  find: Helm['find'] = (...args) => this.helm.find(...args);
  manifest: Helm['manifest'] = (...args) => this.helm.manifest(...args);
  hooks: Helm['hooks'] = (...args) => this.helm.hooks(...args);
  values: Helm['values'] = (...args) => this.helm.values(...args);
  history: Helm['history'] = (...args) => this.helm.history(...args);
  rollback: Helm['rollback'] = (...args) => this.helm.rollback(...args);
}

import { join } from 'node:path';
import type { ClusterDeps } from '../app/deps.js';
import { RenderCachingHelm } from '../app/render-cache.js';
import { HelmCli, type Helm } from '../helm/helm.js';
import { KubectlCli } from '../helm/kubectl.js';
import { ExecaRunner } from '../process/runner.js';
import { cacheDir, type PinnedToolName } from '../tools/pinned.js';
import { resolveTool, type ResolvedTool } from '../tools/resolve.js';

export interface WiringOptions {
  helmBinary?: string;
  kubeContext?: string;
  /** --skip-deps: never run helm dependency build for a local chart. */
  skipDependencies?: boolean;
  /** --no-cache: every render from helm template, none from the render cache. */
  noCache?: boolean;
  /** --debug: every command line (secrets redacted) and where each tool came from. */
  trace?: (line: string) => void;
}

/**
 * The one place where the process layer is built: one runner, helm and kubectl found on first use (a run that only
 * reads the cluster never looks for helm), shared by every use case of the run.
 */
export class Wiring {
  private readonly runner: ExecaRunner;
  private readonly tools = new Map<PinnedToolName, Promise<ResolvedTool>>();

  constructor(private readonly options: WiringOptions) {
    this.runner = new ExecaRunner(options.trace);
  }

  /** A second interrupt: every running helm and kubectl is stopped now. */
  stopAll(): void {
    this.runner.killAll();
  }

  tool(name: PinnedToolName): Promise<ResolvedTool> {
    if (!this.tools.has(name)) {
      const resolving = resolveTool(name, { flag: name === 'helm' ? this.options.helmBinary : undefined, env: process.env, runner: this.runner }).then((tool) => {
        this.options.trace?.(`using ${name} ${tool.version} from ${tool.path} (${tool.source})`);
        return tool;
      });
      this.tools.set(name, resolving);
    }
    return this.tools.get(name)!;
  }

  helm(): Helm {
    const helm = new HelmCli(() => this.tool('helm'), this.runner, { kubeContext: this.options.kubeContext }, { skipDependencies: this.options.skipDependencies });
    if (this.options.noCache) return helm;
    return new RenderCachingHelm(helm, { dir: join(cacheDir(), 'renders'), helmTool: () => this.tool('helm'), trace: this.options.trace });
  }

  cluster(): ClusterDeps {
    return { helm: this.helm(), kubectl: new KubectlCli(() => this.tool('kubectl'), this.runner, { kubeContext: this.options.kubeContext }) };
  }
}

import { availableParallelism, homedir, totalmem } from 'node:os';
import type { ClusterDeps } from '../app/deps.js';
import { createInputsHash } from '../app/inputs-hash.js';
import { sweepSecretFiles } from '../app/values-files.js';
import { RenderCachingHelm } from '../app/render-cache.js';
import { goRuntimeEnv, HelmCli, type Helm, type Machine } from '../helm/helm.js';
import { DirectKubectl, KubeApi } from '../helm/kube-api.js';
import { KubectlCli, type Kubectl } from '../helm/kubectl.js';
import { storageDriver } from '../helm/records.js';
import { GitCli } from '../git/git.js';
import { ExecaRunner } from '../process/runner.js';
import { pruneCaches, rememberedFolder } from '../tools/cache-files.js';
import type { PinnedToolName } from '../tools/pinned.js';
import { resolveTool, type ResolvedTool } from '../tools/resolve.js';
import {
  explainUnreachable,
  kubeconfigFiles,
  kubeVersions,
  minorSkew,
  versionSkewWarning,
} from '../tools/kube-context.js';
import { currentContext, kubeAccess } from '../tools/kubeconfig.js';

export interface WiringOptions {
  helmBinary?: string;
  /** --concurrency: how many helm processes run at once, sharing the machine (goRuntimeEnv). */
  concurrency: number;
  kubeContext?: string;
  /** --skip-deps: never run helm dependency build for a local chart. */
  skipDependencies?: boolean;
  /** Warnings that do not stop the run (kubectl version skew). */
  warn?: (line: string) => void;
  /** --no-cache: every render from helm template, none from the render cache. */
  noCache?: boolean;
  /** --debug: every command line (secrets redacted) and where each tool came from. */
  trace?: (line: string) => void;
}

/** The cores this process may run on, and the memory: the container's limit when it has one (a cgroup's). */
function thisMachine(): Machine {
  const limit = process.constrainedMemory?.() || Infinity;
  return { cores: availableParallelism(), memoryBytes: Math.min(totalmem(), limit) };
}

/**
 * The one place where the process layer is built: one runner, helm and kubectl found on first use (a run that only
 * reads the cluster never looks for helm), shared by every use case of the run.
 */
export class Wiring {
  private readonly runner: ExecaRunner;
  /** One per run: the plan and the render cache hash each release's inputs once between them. */
  private readonly inputsHash = createInputsHash();
  private readonly tools = new Map<PinnedToolName, Promise<ResolvedTool>>();

  constructor(private readonly options: WiringOptions) {
    this.runner = new ExecaRunner(options.trace);
    // A run that renders or reads the cluster is one that fills the caches: it also keeps them bounded, and removes
    // the values files (secrets among them) of runs that were killed.
    pruneCaches();
    sweepSecretFiles();
  }

  /** Commands tried again after a transient failure, for the run's totals. */
  get retries(): number {
    return this.runner.retries;
  }

  /** The kube context this run works in, as a prompt or an error names it: the one given, else the kubeconfig's current one. */
  kubeContextName(): string {
    return (
      this.options.kubeContext ?? currentContext(kubeconfigFiles(process.env, homedir())) ?? '(no current context)'
    );
  }

  /**
   * The git checkout a folder is in: its remote origin's URL and the folder's path inside it, or undefined for a
   * folder outside a checkout or one without an origin.
   */
  async gitCheckout(dir: string): Promise<{ url: string; path: string } | undefined> {
    const git = (args: string[]) =>
      this.runner.run('git', ['-C', dir, ...args]).then(
        (result) => result.stdout.trim(),
        () => undefined,
      );
    const [url, prefix] = await Promise.all([
      git(['remote', 'get-url', 'origin']),
      git(['rev-parse', '--show-prefix']),
    ]);
    return url ? { url, path: prefix?.replace(/\/$/, '') || '.' } : undefined;
  }

  /** A second interrupt: every running helm and kubectl is stopped now. */
  stopAll(): void {
    this.runner.killAll();
  }

  tool(name: PinnedToolName): Promise<ResolvedTool> {
    if (!this.tools.has(name)) {
      const resolving = resolveTool(name, {
        flag: name === 'helm' ? this.options.helmBinary : undefined,
        env: process.env,
        runner: this.runner,
      }).then(async (tool) => {
        if (name === 'kubectl') tool = await this.kubectlWithinSkew(tool);
        this.options.trace?.(`using ${name} ${tool.version} from ${tool.path} (${tool.source})`);
        return tool;
      });
      this.tools.set(name, resolving);
    }
    return this.tools.get(name)!;
  }

  /**
   * A kubectl found on PATH that is more than one minor from the server (kubectl supports one) gives way to the
   * pinned kubectl, when that one is within reach of the server, with one note. A kubectl chosen explicitly
   * (BOUTIQUE_KUBECTL) is used as it is, with a warning (warnOnVersionSkew).
   */
  private async kubectlWithinSkew(onPath: ResolvedTool): Promise<ResolvedTool> {
    if (onPath.source !== 'path') return onPath;
    const pinned = await resolveTool('kubectl', {
      env: { ...process.env, PATH: '', BOUTIQUE_KUBECTL: '' },
      runner: this.runner,
    }).catch(() => undefined);
    if (!pinned || pinned.path === onPath.path) return onPath;
    const api = this.directApi();
    const server =
      (api ? await api.serverVersion().catch(() => undefined) : undefined) ??
      (await kubeVersions(onPath, this.runner, this.options.kubeContext))?.server;
    if (!server) return onPath;
    const skew = minorSkew(onPath.version, server);
    const pinnedSkew = minorSkew(pinned.version, server);
    if (skew === undefined || skew <= 1 || pinnedSkew === undefined || pinnedSkew > 1) return onPath;
    this.options.warn?.(
      `note: kubectl ${onPath.version} on PATH (${onPath.path}) is ${skew} minor versions from the server's ${server}; using boutique's pinned kubectl ${pinned.version} (BOUTIQUE_KUBECTL chooses one)`,
    );
    return pinned;
  }

  private helmEnv: Record<string, string> | undefined;

  /** The Go runtime settings of every helm process of the run (goRuntimeEnv), said once under --debug. */
  private goRuntime(): Record<string, string> {
    if (!this.helmEnv) {
      this.helmEnv = goRuntimeEnv(this.options.concurrency, thisMachine(), process.env);
      const settings = Object.entries(this.helmEnv)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ');
      this.options.trace?.(
        settings ? `helm runs with ${settings}` : 'helm runs with the Go settings of the environment',
      );
    }
    return this.helmEnv;
  }

  helm(): Helm {
    const helm = new HelmCli(
      () => this.tool('helm'),
      this.runner,
      { kubeContext: this.options.kubeContext },
      { skipDependencies: this.options.skipDependencies, env: this.goRuntime() },
    );
    if (this.options.noCache) return helm;
    return new RenderCachingHelm(helm, {
      dir: rememberedFolder('renders'),
      helmTool: () => this.tool('helm'),
      inputsHash: this.inputsHash,
      trace: this.options.trace,
    });
  }

  /** git, to read other revisions of the repository (diff --base). */
  git(): GitCli {
    return new GitCli(this.runner);
  }

  cluster(): ClusterDeps {
    this.versionCheck ??= this.warnOnVersionSkew();
    return {
      helm: this.helm(),
      kubectl: this.kubectl(),
      inputsHash: this.inputsHash,
      storageDriver: storageDriver(process.env),
    };
  }

  private kubeApi: KubeApi | null | undefined;

  /**
   * The API server read from this process when the kubeconfig allows it (tools/kubeconfig.ts), else null;
   * BOUTIQUE_DIRECT_API=0 sends every read through kubectl.
   */
  private directApi(): KubeApi | null {
    if (this.kubeApi === undefined) {
      const access =
        process.env.BOUTIQUE_DIRECT_API === '0'
          ? { viaKubectl: 'BOUTIQUE_DIRECT_API=0' }
          : kubeAccess(kubeconfigFiles(process.env, homedir()), this.options.kubeContext, process.env);
      if ('viaKubectl' in access) this.options.trace?.(`reading the cluster through kubectl: ${access.viaKubectl}`);
      this.kubeApi =
        'direct' in access
          ? new KubeApi(access.direct, {
              trace: this.options.trace,
              onRetry: (delay, why) => this.runner.countRetry(delay, why),
              context: this.options.kubeContext,
            })
          : null;
    }
    return this.kubeApi;
  }

  private kubectl(): Kubectl {
    const cli = new KubectlCli(() => this.tool('kubectl'), this.runner, { kubeContext: this.options.kubeContext });
    const api = this.directApi();
    return api ? new DirectKubectl(api, cli, this.options.trace) : cli;
  }

  private versionCheck: Promise<void> | undefined;

  /** Beside the run's first requests, not before them: a kubectl too far from the server gets a warning. */
  private async warnOnVersionSkew(): Promise<void> {
    const kubectl = await this.tool('kubectl').catch(() => undefined);
    if (!kubectl) return;
    const api = this.directApi();
    // A server boutique reads itself and that did not answer is reported by the run's first read: kubectl is not
    // sent to meet the same silence again.
    const versions =
      api && kubectl.version
        ? await api.serverVersion().then(
            (server) => ({ client: kubectl.version!, server }),
            () => undefined,
          )
        : await kubeVersions(kubectl, this.runner, this.options.kubeContext);
    const warning = versions && versionSkewWarning(versions, kubectl);
    if (warning) this.options.warn?.(warning);
  }

  /** A cluster command's failure, explained when the kubeconfig or the context is the cause (tools/kube-context.ts). */
  async explain(error: Error): Promise<Error> {
    if (!this.versionCheck) return error;
    const kubectl = await this.tool('kubectl').catch(() => undefined);
    return kubectl
      ? explainUnreachable(error, { kubectl, runner: this.runner, kubeContext: this.options.kubeContext })
      : error;
  }
}

/** What a run uses of the Wiring: the seam where a test of a command in-process hands in fakes (composition in cli/base-command.ts). */
export type Adapters = Pick<
  Wiring,
  'retries' | 'kubeContextName' | 'gitCheckout' | 'stopAll' | 'tool' | 'helm' | 'git' | 'cluster' | 'explain'
>;

import { statSync } from 'node:fs';
import type { Release } from '../config/types.js';
import { ExecError, ToolError } from '../errors.js';
import type { HelmHook } from '../kube/objects.js';
import { deadlineLabel, type ReleaseRecord } from '../plan/sync-plan.js';
import { DEFAULT_TIMEOUT_MS, KILL_AFTER_MS, type Runner } from '../process/runner.js';
import { maskerOf } from '../secrets/mask.js';
import { parseVersion, type ResolvedTool } from '../tools/resolve.js';
import { describeUnmet, needsDependencyBuild, unmetDependencies, type UnmetDependency } from './chart-dependencies.js';
import { hooksFromHelm, hooksOfRelease } from './records.js';
import { clusterArgs, lintArgs, templateArgs, uninstallArgs, upgradeArgs, type ClusterTarget } from './args.js';

export interface HelmRevision {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

/**
 * What boutique asks of helm. Everything cluster-facing goes through here, so the use cases can be tested with a
 * recording fake and the real adapter stays small.
 */
export interface Helm {
  // `values`: helm's arguments for a release's values layers and secret set values, from ValuesFiles.argsFor.
  /** Rendered manifests; with outputDir, helm writes them there (helm template --output-dir) instead. */
  template(release: Release, values: readonly string[], outputDir?: string): Promise<string>;
  /**
   * The client-side render with the chart's `crds/` (helm template --include-crds): what a diff shows when helm's
   * server dry run cannot map kinds whose CRDs the release itself, or one it needs, installs first.
   */
  templateWithCrds(release: Release, values: readonly string[]): Promise<string>;
  /**
   * Under --skip-deps, before a run renders or contacts anything: every local chart of `releases` that would be
   * rendered has a charts/ folder that satisfies its dependencies, or the run stops naming what is missing.
   */
  checkDependencies(releases: readonly Release[]): void;
  lint(
    release: Release,
    values: readonly string[],
    options: { strict: boolean },
  ): Promise<{ passed: boolean; output: string }>;
  /** `builtInKindsOnly`: helm waits for the built-in kinds only (boutique waits for the custom resources). */
  upgrade(
    release: Release,
    values: readonly string[],
    labels: Record<string, string>,
    options?: { builtInKindsOnly?: boolean },
  ): Promise<void>;
  /**
   * The manifest an upgrade would apply (hooks apart), from `helm upgrade --install --dry-run=server`: rendered with
   * the cluster's capabilities and lookups, as the real upgrade will be, and without changing anything.
   */
  plannedManifest(release: Release, values: readonly string[]): Promise<{ manifest: string; hooks: HelmHook[] }>;
  /** The deployed revision's hooks (helm get hooks), where helm's records are not read in bulk. */
  hooks(release: Release): Promise<HelmHook[]>;
  /** Objects helm kept (`helm.sh/resource-policy: keep`) are named in `kept`, as `Kind/name`. */
  uninstall(release: Release, wait: boolean): Promise<{ kept: string[] }>;
  /**
   * The release's latest revision, or undefined when helm has none (never installed, or uninstalled). Sync reads
   * helm's storage in bulk instead; this serves storage drivers kubectl cannot read (sql) and single-release commands.
   */
  find(release: Release): Promise<ReleaseRecord | undefined>;
  /** The manifest of the release's latest revision, or of `revision`. */
  manifest(release: Release, revision?: number): Promise<string>;
  /** The user-supplied values of the deployed release (helm get values). */
  values(release: Release): Promise<Record<string, unknown>>;
  history(release: Release): Promise<HelmRevision[]>;
  /** `builtInKindsOnly`: helm 4 waits as helm 3 does, and boutique waits for the custom resources (see UpgradeOptions). */
  rollback(release: Release, revision: number | undefined, options?: { builtInKindsOnly?: boolean }): Promise<void>;
}

/** What helm may still do after its waits (record the outcome) before boutique stops it. */
const HELM_GRACE_MS = 15_000;

/**
 * How long a helm command that waits for a release may run before boutique stops it: the release's timeout (twice
 * with atomic, whose rollback waits again) and a grace for helm's bookkeeping. The deadline a revision records is
 * its start plus this plus the SIGKILL delay: the last moment a helm boutique started can write to it.
 */
export function helmRunBoundMs(release: Pick<Release, 'timeout' | 'atomic'>): number {
  return goDurationMs(release.timeout) * (release.atomic ? 2 : 1) + HELM_GRACE_MS;
}

/**
 * What a helm command that reads values may take per MB of its `--values` files, above DEFAULT_TIMEOUT_MS. helm
 * parses values at about 2 s per MB on a busy 2-core machine (`helm lint` of a 43 MB file of 738k keys: 103 s),
 * so a large values file is not a hang: the bound grows with it, five times over.
 */
const MS_PER_VALUES_MB = 10_000;

/** The bound of a helm command that renders from these values arguments (no waiting): see MS_PER_VALUES_MB. */
export function renderBoundMs(values: readonly string[]): number {
  let bytes = 0;
  values.forEach((arg, index) => {
    if (values[index - 1] !== '--values') return;
    try {
      bytes += statSync(arg).size;
    } catch {
      // helm says what is wrong with a file it cannot read
    }
  });
  return DEFAULT_TIMEOUT_MS + Math.ceil((bytes / 2 ** 20) * MS_PER_VALUES_MB);
}

/** The deadline (epoch s) a revision started now records: see helmRunBoundMs. */
export function helmDeadline(release: Pick<Release, 'timeout' | 'atomic'>, nowMs: number): number {
  return Math.ceil((nowMs + helmRunBoundMs(release) + KILL_AFTER_MS) / 1000);
}

/** A Go duration as helm takes it (`300s`, `5m`, `1h30m`) in milliseconds. */
export function goDurationMs(duration: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g))
    total += Number(amount) * units[unit!]!;
  return total;
}

/** helm uninstall's "These resources were kept due to the resource policy:" list, as `Kind/name`. */
export function keptResources(stdout: string): string[] {
  const [, list = ''] = stdout.split(/These resources were kept due to the resource policy:\n/);
  return [...list.matchAll(/^\[(\w+)\] (\S+)$/gm)].map(([, kind, name]) => `${kind}/${name}`);
}

/** What goRuntimeEnv shares among the helm processes that run at once. */
export interface Machine {
  cores: number;
  memoryBytes: number;
}

/**
 * The Go runtime settings of every helm process boutique starts. A helm process spends much of its CPU starting up,
 * a good part of it in Go's garbage collector, and boutique runs `concurrency` of them at once:
 * - GOGC=400: a larger GC target cuts the CPU of a render or an upgrade by a sixth, for about 14 MB more at peak.
 *   GOMEMLIMIT, a quarter of the memory shared among them, keeps a helm that holds much (a wait over a namespace
 *   of thousands of pods) from growing five times over: near it, Go collects as often as it must.
 * - GOMAXPROCS=1 when there are no more cores than helm processes at once: Go gives each process every core, and
 *   four helm processes on two cores would contend with each other's GC workers and threads. With more cores, Go's
 *   own choice stands: it also knows a container's CPU limit (Go 1.25 and later), and one is never above it.
 * Never over a value the user set.
 */
export function goRuntimeEnv(concurrency: number, machine: Machine, env: NodeJS.ProcessEnv): Record<string, string> {
  const memoryLimitMiB = Math.max(64, Math.floor(machine.memoryBytes / 4 / concurrency / 2 ** 20));
  return {
    ...(env.GOGC === undefined && env.GOMEMLIMIT === undefined && { GOGC: '400', GOMEMLIMIT: `${memoryLimitMiB}MiB` }),
    ...(env.GOMAXPROCS === undefined && machine.cores > 1 && machine.cores <= concurrency && { GOMAXPROCS: '1' }),
  };
}

/** --skip-deps and a charts/ folder that lacks dependencies: each named, with how to vendor it. */
function unvendoredError(chartPath: string, unmet: readonly UnmetDependency[]): ToolError {
  const { names, suggestions } = describeUnmet(chartPath, unmet);
  return new ToolError(`chart ${chartPath}: ${names.join('; ')} (--skip-deps builds nothing)`, {
    suggestions: [...suggestions, 'or leave out --skip-deps to let helm dependency build fetch them'],
  });
}

export class HelmCli implements Helm {
  /** One `helm repo add` per repository and run, shared by the releases that render from it. */
  private readonly repositories = new Map<string, Promise<unknown>>();
  private readonly dependencyBuilds = new Map<string, Promise<void>>();
  private resolved: Promise<ResolvedTool> | undefined;

  /** `tool` is called on first use: a run that never needs helm never looks for it. */
  constructor(
    private readonly tool: () => Promise<ResolvedTool>,
    private readonly runner: Runner,
    private readonly target: ClusterTarget,
    private readonly options: { env?: Record<string, string>; skipDependencies?: boolean } = {},
  ) {}

  private resolve(): Promise<ResolvedTool> {
    this.resolved ??= this.tool();
    return this.resolved;
  }

  /** helm 3 spells waiting and rolling back differently (see args.ts). */
  private async major(): Promise<number> {
    return parseVersion((await this.resolve()).version)?.[0] ?? 4;
  }

  private async run(
    args: string[],
    options: {
      release?: Release;
      values?: readonly string[];
      okExitCodes?: number[];
      retry?: 'read' | 'write';
      waits?: boolean;
      until?: number;
    } = {},
  ) {
    const { release } = options;
    const masker = maskerOf(release);
    // A command that waits for readiness gets the release's own timeout and a margin for helm's bookkeeping; one that
    // renders, a bound that grows with its values files.
    const timeoutMs =
      options.waits && release ? helmRunBoundMs(release) : options.values ? renderBoundMs(options.values) : undefined;
    return this.runner.run((await this.resolve()).path, args, {
      env: this.options.env,
      mask: masker.active ? (text) => masker.helmMessage(text) : undefined,
      okExitCodes: options.okExitCodes,
      retry: options.retry,
      timeoutMs,
      until: options.until,
    });
  }

  /**
   * Before anything renders from a chart: its repository known to helm with a fresh index, or, for a local chart
   * whose charts/ folder lacks a dependency, `helm dependency build` once per chart and run.
   */
  private async prepareChart(release: Release): Promise<void> {
    if (release.chart.kind === 'local') return this.buildDependencies(release.chart.path);
    if (release.chart.kind !== 'repository') return;
    const { name, url } = release.chart.repository;
    if (!this.repositories.has(name))
      this.repositories.set(name, this.run(['repo', 'add', name, url, '--force-update'], { retry: 'read' }));
    await this.repositories.get(name);
  }

  /**
   * charts/ as helm judges it (chart-dependencies.ts): a chart whose vendored dependencies satisfy Chart.lock or
   * Chart.yaml is left alone; otherwise `helm dependency build`, or with --skip-deps an error that names what is
   * missing, before helm runs.
   */
  private buildDependencies(chartPath: string): Promise<void> {
    if (!this.dependencyBuilds.has(chartPath)) {
      let build: Promise<void>;
      if (this.options.skipDependencies) {
        const unmet = unmetDependencies(chartPath);
        build = unmet.length === 0 ? Promise.resolve() : Promise.reject(unvendoredError(chartPath, unmet));
      } else {
        build = !needsDependencyBuild(chartPath)
          ? Promise.resolve()
          : this.run(['dependency', 'build', chartPath], { retry: 'read' }).then(
              () => undefined,
              (error: Error) => {
                const { names, suggestions } = describeUnmet(chartPath, unmetDependencies(chartPath));
                throw new ToolError(
                  `chart ${chartPath}: ${names.length > 0 ? names.join('; ') : 'its file:// dependencies are packed afresh'}, and helm dependency build failed: ${error.message.trim()}`,
                  {
                    cause: error,
                    suggestions: [
                      ...suggestions,
                      `or run helm dependency build ${chartPath} where its repositories are reachable (a repository dependency needs helm repo add first)`,
                    ],
                  },
                );
              },
            );
      }
      build.catch(() => undefined); // rejected once, reported by every render that awaits it
      this.dependencyBuilds.set(chartPath, build);
    }
    return this.dependencyBuilds.get(chartPath)!;
  }

  checkDependencies(releases: readonly Release[]): void {
    if (!this.options.skipDependencies) return;
    for (const chartPath of new Set(
      releases.flatMap((release) => (release.installed && release.chart.kind === 'local' ? [release.chart.path] : [])),
    )) {
      const unmet = unmetDependencies(chartPath);
      if (unmet.length > 0) throw unvendoredError(chartPath, unmet);
    }
  }

  private scope(release: Release): string[] {
    return ['--namespace', release.namespace, ...clusterArgs(this.target)];
  }

  async template(release: Release, values: readonly string[], outputDir?: string): Promise<string> {
    await this.prepareChart(release);
    // A folder for a GitOps hand-off must hold the CRDs too; stdout stays byte-identical to plain helm template.
    const args = [
      ...templateArgs(release, values),
      ...(outputDir ? ['--output-dir', outputDir, '--include-crds'] : []),
    ];
    return (await this.run(args, { release, values })).stdout;
  }

  async templateWithCrds(release: Release, values: readonly string[]): Promise<string> {
    await this.prepareChart(release);
    return (await this.run([...templateArgs(release, values), '--include-crds'], { release, values })).stdout;
  }

  async lint(
    release: Release,
    values: readonly string[],
    options: { strict: boolean },
  ): Promise<{ passed: boolean; output: string }> {
    await this.prepareChart(release);
    const result = await this.run(lintArgs(release, values, options.strict), { release, values, okExitCodes: [1] });
    // helm lint quotes values it rejects: a secret one must not reach the report.
    return { passed: result.exitCode === 0, output: maskerOf(release).helmMessage(`${result.stdout}${result.stderr}`) };
  }

  async upgrade(
    release: Release,
    values: readonly string[],
    labels: Record<string, string>,
    options: { builtInKindsOnly?: boolean } = {},
  ): Promise<void> {
    await this.prepareChart(release);
    // The revision records the deadline by which its helm is gone (helmDeadline): every try is stopped before it.
    const deadline = Number(labels[deadlineLabel]);
    const until = Number.isFinite(deadline) ? deadline * 1000 - KILL_AFTER_MS : undefined;
    await this.run(upgradeArgs(release, values, this.target, { helmMajor: await this.major(), labels, ...options }), {
      release,
      retry: 'write',
      waits: true,
      until,
    });
  }

  async plannedManifest(release: Release, values: readonly string[]): Promise<{ manifest: string; hooks: HelmHook[] }> {
    await this.prepareChart(release);
    const { stdout } = await this.run(
      upgradeArgs(release, values, this.target, { helmMajor: await this.major(), dryRun: true }),
      { release, values, retry: 'read' },
    );
    const planned = JSON.parse(stdout) as { manifest?: string; hooks?: HelmHook[] };
    return { manifest: planned.manifest ?? '', hooks: hooksOfRelease(planned) };
  }

  async uninstall(release: Release, wait: boolean): Promise<{ kept: string[] }> {
    const { stdout } = await this.run(uninstallArgs(release, this.target, wait), {
      release,
      retry: 'write',
      waits: true,
    });
    return { kept: keptResources(stdout) };
  }

  async find(release: Release): Promise<ReleaseRecord | undefined> {
    try {
      const { stdout } = await this.run(['get', 'metadata', release.name, '--output', 'json', ...this.scope(release)], {
        retry: 'read',
      });
      const info = JSON.parse(stdout) as Omit<ReleaseRecord, 'labels'> & { labels?: Record<string, string> };
      if (info.status === 'uninstalled') return undefined;
      // The fields a record read in bulk has (helm/records.ts), and no others: a release reads the same either way.
      const { name, namespace, revision, status, chart, version, appVersion, deployedAt } = info;
      const record = {
        name,
        namespace,
        revision,
        status,
        chart,
        version,
        appVersion,
        deployedAt,
        labels: info.labels ?? {},
      };
      // helm 3 keeps a release's labels in its storage only, and its get metadata has none.
      return (await this.major()) < 4 ? { ...record, labelsUnread: true } : record;
    } catch (error) {
      if (error instanceof ExecError && /release: not found/.test(error.stderr)) return undefined;
      throw error;
    }
  }

  async manifest(release: Release, revision?: number): Promise<string> {
    const at = revision === undefined ? [] : ['--revision', String(revision)];
    return (await this.run(['get', 'manifest', release.name, ...at, ...this.scope(release)], { retry: 'read' })).stdout;
  }

  async hooks(release: Release): Promise<HelmHook[]> {
    return hooksFromHelm(
      (await this.run(['get', 'hooks', release.name, ...this.scope(release)], { retry: 'read' })).stdout,
    );
  }

  async values(release: Release): Promise<Record<string, unknown>> {
    const { stdout } = await this.run(['get', 'values', release.name, '--output', 'json', ...this.scope(release)], {
      retry: 'read',
    });
    return (JSON.parse(stdout) as Record<string, unknown> | null) ?? {};
  }

  async history(release: Release): Promise<HelmRevision[]> {
    const { stdout } = await this.run(['history', release.name, '--output', 'json', ...this.scope(release)], {
      retry: 'read',
    });
    return JSON.parse(stdout) as HelmRevision[];
  }

  async rollback(
    release: Release,
    revision: number | undefined,
    options: { builtInKindsOnly?: boolean } = {},
  ): Promise<void> {
    const helm4Wait = options.builtInKindsOnly ? '--wait=legacy' : '--wait=watcher';
    const wait = release.wait ? [(await this.major()) >= 4 ? helm4Wait : '--wait', '--timeout', release.timeout] : [];
    await this.run(
      [
        'rollback',
        release.name,
        ...(revision === undefined ? [] : [String(revision)]),
        ...wait,
        ...this.scope(release),
      ],
      { release, retry: 'write', waits: true },
    );
  }
}

import { Command, Flags, Interfaces } from '@oclif/core';
import { loadConfig } from '../config/load.js';
import type { SyncProgress, SyncResult } from '../app/sync.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import { AppError, ExitCode, ReleasesFailedError, UsageError } from '../errors.js';
import { createProgress, progressMode } from '../report/progress.js';
import { countStates, renderFailures, renderSyncSummary, syncReport } from '../report/sync-view.js';
import type { ClusterDeps } from '../app/deps.js';
import { HelmCli, type Helm } from '../helm/helm.js';
import { KubectlCli } from '../helm/kubectl.js';
import { ExecaRunner } from '../helm/runner.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { checkSelection, parseSelectors } from '../plan/select.js';
import { errorReport, renderError } from '../report/error-view.js';
import { renderSelectionNotes } from '../report/plan-view.js';
import type { PinnedToolName } from '../tools/pinned.js';
import { resolveTool, type ResolvedTool } from '../tools/resolve.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BoutiqueCommand)['baseFlags'] & T['flags']>;

function parseSetFlag(flag: string): { name: string; value: string } {
  const separator = flag.indexOf('=');
  if (separator <= 0) throw new UsageError(`--set ${flag}: expected KEY=VALUE`, { suggestions: ['e.g. --set image.tag=3f2a1c9'] });
  return { name: flag.slice(0, separator), value: flag.slice(separator + 1) };
}

/** Shared flags, config loading and error handling; subclasses parse flags, call one use case and print its view. */
export abstract class BoutiqueCommand extends Command {
  static override baseFlags = {
    file: Flags.string({ char: 'f', description: 'path to releases.yaml', default: 'releases.yaml', env: 'BOUTIQUE_FILE', helpGroup: 'GLOBAL' }),
    environment: Flags.string({ char: 'e', description: 'environment to use (declared under environments:)', default: 'default', env: 'BOUTIQUE_ENVIRONMENT', helpGroup: 'GLOBAL' }),
    selector: Flags.string({ char: 'l', description: 'only releases matching key=value,key!=value (repeat for OR); name, namespace and chart are implicit labels', multiple: true, helpGroup: 'GLOBAL' }),
    'include-needs': Flags.boolean({ description: 'also select the releases that selected releases need, transitively', default: false, helpGroup: 'GLOBAL' }),
    'kube-context': Flags.string({ description: 'kubeconfig context (overrides the environment\'s kubeContext)', env: 'BOUTIQUE_KUBE_CONTEXT', helpGroup: 'GLOBAL' }),
    set: Flags.string({ description: 'KEY=VALUE for helm --set-string on every selected release, after releases.yaml (e.g. image.tag=$GIT_SHA)', multiple: true, helpGroup: 'GLOBAL' }),
    concurrency: Flags.integer({ description: 'how many releases helm works on at once', default: 4, min: 1, helpGroup: 'GLOBAL' }),
    'helm-binary': Flags.string({ description: 'helm to use (else $BOUTIQUE_HELM, helm on PATH, the pinned helm)', helpGroup: 'GLOBAL' }),
    output: Flags.string({ char: 'o', description: 'output format', options: ['text', 'json'], default: 'text', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({ description: 'no colours (also when NO_COLOR is set or output is not a terminal)', default: false, helpGroup: 'GLOBAL' }),
    debug: Flags.boolean({ description: 'show stack traces and helm commands', default: false, helpGroup: 'GLOBAL' }),
  };

  /** Set by subclasses once flags are parsed, so errors can be reported in the requested format. */
  protected outputFormat = 'text';
  protected debugEnabled = false;

  protected get globalFlags(): Pick<BaseFlags<typeof BoutiqueCommand>, keyof (typeof BoutiqueCommand)['baseFlags']> {
    if (!this.parsedGlobals) throw new Error('flags are parsed in run() before use');
    return this.parsedGlobals;
  }

  private parsedGlobals: BaseFlags<typeof BoutiqueCommand> | undefined;

  protected async parseFlags<T extends typeof BoutiqueCommand>(command: T) {
    const parsed = await this.parse(command);
    this.parsedGlobals = parsed.flags as BaseFlags<typeof BoutiqueCommand>;
    this.outputFormat = parsed.flags.output as string;
    this.debugEnabled = parsed.flags.debug as boolean;
    return parsed;
  }

  protected colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
    return !this.globalFlags['no-color'] && !process.env.NO_COLOR && stream.isTTY === true;
  }

  protected loadConfig(): ReleasesConfig {
    return loadConfig(this.globalFlags.file, this.globalFlags.environment);
  }

  /** Loads releases.yaml and plans the selected releases; selection notes go to stderr. */
  protected loadPlan(): { config: ReleasesConfig; plan: Plan } {
    const selectors = parseSelectors(this.globalFlags.selector ?? []);
    const config = this.loadConfig();
    checkSelection(config.releases, selectors);
    const overrides = (this.globalFlags.set ?? []).map(parseSetFlag);
    for (const release of config.releases) release.set.push(...overrides);
    const plan = buildPlan(config, { selectors, includeNeeds: this.globalFlags['include-needs'] });
    for (const note of renderSelectionNotes(plan)) process.stderr.write(`${note}\n`);
    return { config, plan };
  }

  protected kubeContext(config: ReleasesConfig): string | undefined {
    return this.globalFlags['kube-context'] ?? config.environment.kubeContext;
  }

  private runnerInstance: ExecaRunner | undefined;

  /** Created after flags are parsed: --debug traces every command it runs. */
  private get runner(): ExecaRunner {
    this.runnerInstance ??= new ExecaRunner(this.debugEnabled ? (commandLine) => process.stderr.write(`$ ${commandLine}\n`) : undefined);
    return this.runnerInstance;
  }

  /** helm or kubectl as boutique will run it (see tools/resolve.ts for the order of preference). */
  protected resolveTool(name: PinnedToolName): Promise<ResolvedTool> {
    return resolveTool(name, { flag: name === 'helm' ? this.globalFlags['helm-binary'] : undefined, env: process.env, runner: this.runner });
  }

  protected async createHelm(config: ReleasesConfig): Promise<Helm> {
    const runner = this.runner;
    const tool = await this.resolveTool('helm');
    if (this.debugEnabled) process.stderr.write(`using helm ${tool.version} from ${tool.path} (${tool.source})\n`);
    return new HelmCli(tool, runner, { kubeContext: this.kubeContext(config) });
  }

  protected async createClusterDeps(config: ReleasesConfig): Promise<ClusterDeps> {
    const runner = this.runner;
    const tool = await this.resolveTool('kubectl');
    if (this.debugEnabled) process.stderr.write(`using kubectl ${tool.version} from ${tool.path} (${tool.source})\n`);
    const kubectl = new KubectlCli(tool, runner, { kubeContext: this.kubeContext(config) });
    const [helm] = await Promise.all([this.createHelm(config), kubectl.ping()]);
    return { helm, kubectl };
  }

  /**
   * Runs a release-by-release operation (sync, destroy) with progress on stderr, then prints the summary table (or
   * the JSON report) and every failure with helm's own message. Fails when any release failed or was skipped.
   */
  protected async runReleaseOperation(
    operation: string,
    config: ReleasesConfig,
    displayOrder: readonly Release[],
    run: (onProgress: SyncProgress) => Promise<SyncResult[]>,
  ): Promise<void> {
    const progress = createProgress(progressMode({ isTTY: process.stderr.isTTY === true, ci: Boolean(process.env.CI) }), displayOrder);
    const results = await run(progress.update);
    await progress.finish();
    if (this.outputFormat === 'json') this.printJson(syncReport(results, config.environment.name));
    else process.stdout.write(renderSyncSummary(results));
    process.stderr.write(renderFailures(results));
    const { failed = 0, skipped = 0 } = countStates(results);
    if (failed || skipped) throw new ReleasesFailedError(`${operation} failed: ${failed} failed, ${skipped} skipped, ${results.length - failed - skipped} done`);
  }

  /** Each release's error under its name (helm's own message kept), then one error that fails the command. */
  protected failOnReleaseErrors(failed: readonly { release: Release; error: Error }[], summary: string): void {
    for (const { release, error } of failed) process.stderr.write(`release ${release.id}: ${renderError(error, { debug: this.debugEnabled })}`);
    if (failed.length > 0) throw new ReleasesFailedError(summary);
  }

  protected printJson(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<never> {
    // oclif's own exits and flag-parsing errors keep oclif's handling (parse errors exit 2).
    if (!(error instanceof AppError) && error.oclif) throw error;
    process.stderr.write(renderError(error, { debug: this.debugEnabled }));
    if (this.outputFormat === 'json') this.printJson(errorReport(error));
    this.exit(this.exitCodeFor(error));
  }

  protected exitCodeFor(error: Error): number {
    return error instanceof AppError ? error.exitCode : ExitCode.failure;
  }
}

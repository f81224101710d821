import { Command, Flags, Interfaces } from '@oclif/core';
import type { SyncProgress } from '../app/sync.js';
import type { ReleaseRun } from '../app/changes.js';
import { filesOutsideRepository, loadConfig } from '../config/load.js';
import { parseSetFlag } from '../config/set-flag.js';
import type { RawSetValue, Release, ReleasesConfig } from '../config/types.js';
import { AppError, ExitCode, ReleasesFailedError } from '../errors.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { checkSelection, matches, parseSelectors, type Selector } from '../plan/select.js';
import { REPORT_SCHEMA_VERSION, reportedErrors, type Envelope } from '../report/envelope.js';
import { renderError, renderReleaseErrors } from '../report/error-view.js';
import { exitCodeOf } from './exit-code.js';
import type { Outcome } from './outcome.js';
import { usageErrorFromParse } from './parse-error.js';
import { renderSelectionNotes } from '../report/plan-view.js';
import { runReleaseOperation } from './release-operation.js';
import type { Adapters, WiringOptions } from './wiring.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BoutiqueCommand)['baseFlags'] & T['flags']
>;

/** diff's and sync's: exit 2 when the plan changes something (releases to install, upgrade or uninstall), 0 when not. */
export const detailedExitcodeFlags = {
  'detailed-exitcode': Flags.boolean({
    description: 'exit 2 when the plan changes something (install, upgrade, uninstall), 0 when not, 1 on any error',
    default: false,
  }),
};

/** sync's and destroy's permission to write over releases another environment deployed last (app/changes.ts). */
export const takeOverFlags = {
  'take-over': Flags.boolean({
    description:
      'upgrade or uninstall releases that another environment deployed last (without it, such a run exits 2 with nothing written)',
    default: false,
  }),
};

/**
 * The composition root's one seam: how a run builds its adapters (helm, kubectl, git) from its flags. A real run
 * builds the Wiring of cli/wiring.ts, imported on first use; a test of a command in-process hands in fakes
 * (test/commands/run-command.ts).
 */
export const composition: { adapters: (options: WiringOptions) => Promise<Adapters> } = {
  adapters: async (options) => new (await import('./wiring.js')).Wiring(options),
};

/**
 * Shared flags, config loading, printing and error handling: a subclass parses its flags, calls one use case and
 * returns its Outcome, which run() prints in one place (text, markdown or the JSON envelope) with one exit code.
 */
export abstract class BoutiqueCommand extends Command {
  static override baseFlags = {
    file: Flags.string({
      char: 'f',
      description: 'path to releases.yaml',
      default: 'releases.yaml',
      env: 'BOUTIQUE_FILE',
      helpGroup: 'GLOBAL',
    }),
    environment: Flags.string({
      char: 'e',
      description: 'environment to use (declared under environments:)',
      default: 'default',
      env: 'BOUTIQUE_ENVIRONMENT',
      helpGroup: 'GLOBAL',
    }),
    selector: Flags.string({
      char: 'l',
      description:
        'only releases matching key=value,key!=value (repeat for OR); name, namespace and chart are implicit labels',
      multiple: true,
      helpGroup: 'GLOBAL',
    }),
    'include-needs': Flags.boolean({
      description: 'also select the releases that selected releases need, transitively',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    'kube-context': Flags.string({
      description: "kubeconfig context (overrides the environment's kubeContext)",
      env: 'BOUTIQUE_KUBE_CONTEXT',
      helpGroup: 'GLOBAL',
    }),
    set: Flags.string({
      description:
        'KEY=VALUE for every selected release, after releases.yaml, typed as helm --set types it (e.g. replicaCount=2)',
      multiple: true,
      helpGroup: 'GLOBAL',
    }),
    'set-string': Flags.string({
      description: 'KEY=VALUE kept a string, as helm --set-string (e.g. image.tag=$GIT_SHA)',
      multiple: true,
      helpGroup: 'GLOBAL',
    }),
    'set-secret': Flags.string({
      description:
        'KEY=VALUE kept a string and treated as secret: masked in every output, handed to helm in a private file',
      multiple: true,
      helpGroup: 'GLOBAL',
    }),
    'allow-duplicate-keys': Flags.boolean({
      description:
        'read a key given twice in a values file as helm does (the last one wins) instead of refusing it; one file can say so itself with a line "# boutique: allow-duplicate-keys"',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    'skip-deps': Flags.boolean({
      description: 'never run helm dependency build for a local chart whose charts/ folder lacks a dependency',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    yes: Flags.boolean({
      char: 'y',
      description:
        'do not ask before destroy, or before changing an environment marked production: true (needed without a terminal)',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    'lock-timeout': Flags.integer({
      description:
        'seconds to wait for another boutique run working on the same environment before giving up (sync, destroy, rollback)',
      default: 300,
      min: 0,
      helpGroup: 'GLOBAL',
    }),
    concurrency: Flags.integer({
      description: 'how many releases helm works on at once',
      default: 4,
      min: 1,
      helpGroup: 'GLOBAL',
    }),
    'no-cache': Flags.boolean({
      description: 'render every release with helm template, not from the render cache',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    'helm-binary': Flags.string({
      description: 'helm to use (else $BOUTIQUE_HELM, helm on PATH, the pinned helm)',
      helpGroup: 'GLOBAL',
    }),
    output: Flags.string({
      char: 'o',
      description: 'output format',
      options: ['text', 'json'],
      default: 'text',
      helpGroup: 'GLOBAL',
    }),
    'no-color': Flags.boolean({
      description: 'no colours (also when NO_COLOR is set or output is not a terminal)',
      default: false,
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({
      description: 'show stack traces and every helm and kubectl command',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  };

  /** Set once flags are parsed, so errors can be reported in the requested format. */
  protected outputFormat = 'text';
  /** --detailed-exitcode, where a command has it (diff, sync): exit 2 means the plan changes something (cli/exit-code.ts). */
  protected detailedExitcode = false;
  protected debugEnabled = false;
  /** What `--output json` prints when the command ends, however it ends: exactly one document per run. */
  protected readonly envelope: Envelope = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    command: '',
    ok: true,
    summary: {},
    results: [],
    errors: [],
  };

  protected get globalFlags(): Pick<BaseFlags<typeof BoutiqueCommand>, keyof (typeof BoutiqueCommand)['baseFlags']> {
    if (!this.parsedGlobals) throw new Error('flags are parsed in run() before use');
    return this.parsedGlobals;
  }

  private parsedGlobals: BaseFlags<typeof BoutiqueCommand> | undefined;

  protected async parseFlags<T extends typeof BoutiqueCommand>(command: T) {
    const parsed = await this.parse(command).catch((error: unknown) => {
      throw usageErrorFromParse(error, {
        id: this.id ?? command.name.toLowerCase(),
        flags: { ...command.baseFlags, ...command.flags },
      });
    });
    this.parsedGlobals = parsed.flags as BaseFlags<typeof BoutiqueCommand>;
    this.outputFormat = parsed.flags.output as string;
    this.debugEnabled = parsed.flags.debug as boolean;
    this.detailedExitcode = (parsed.flags as { 'detailed-exitcode'?: boolean })['detailed-exitcode'] === true;
    this.envelope.command = this.id ?? command.name.toLowerCase();
    return parsed;
  }

  /** Parses the flags, calls the use case and returns what it found: each command's part. */
  protected abstract outcome(): Promise<Outcome>;

  async run(): Promise<void> {
    this.print(await this.outcome());
  }

  /**
   * The one place a run's outcome is printed: the text on stdout (none under --output json, whose envelope
   * finally() writes), each failed release's error on stderr and in the envelope; then the run ends with its
   * failure, or with the exit code exitCodeOf gives.
   */
  private print(outcome: Outcome): void {
    this.envelope.summary = { ...outcome.summary, ...(outcome.changes !== undefined && { changes: outcome.changes }) };
    this.envelope.results = outcome.results;
    if (outcome.text && !this.json) process.stdout.write(outcome.text);
    if (outcome.failed) {
      process.stderr.write(renderReleaseErrors(outcome.failed, { debug: this.debugEnabled }));
      for (const { release, error } of outcome.failed.releases)
        this.envelope.errors.push(...reportedErrors(error, release));
    }
    if (outcome.failure) throw outcome.failure;
    if (outcome.verdict !== undefined) this.envelope.ok = outcome.verdict === ExitCode.ok;
    const code = exitCodeOf(
      { changes: outcome.changes, verdict: outcome.verdict },
      { detailedExitcode: this.detailedExitcode },
    );
    if (code !== ExitCode.ok) this.exit(code);
  }

  protected get json(): boolean {
    return this.outputFormat === 'json';
  }

  protected colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
    return !this.globalFlags['no-color'] && !process.env.NO_COLOR && stream.isTTY === true;
  }

  /** --set, --set-string and --set-secret, for every selected release after releases.yaml. */
  protected setValues(): RawSetValue[] {
    return [
      ...(this.globalFlags.set ?? []).flatMap((flag) => parseSetFlag(flag, '--set')),
      ...(this.globalFlags['set-string'] ?? []).flatMap((flag) => parseSetFlag(flag, '--set-string')),
      ...(this.globalFlags['set-secret'] ?? []).flatMap((flag) =>
        parseSetFlag(flag, '--set-secret').map((entry) => ({ ...entry, secret: true })),
      ),
    ];
  }

  protected loadConfig(
    environment = this.globalFlags.environment,
    checkSetOn?: (release: Release) => boolean,
  ): ReleasesConfig {
    const config = loadConfig(this.globalFlags.file, environment, {
      set: this.setValues(),
      allowDuplicateKeys: this.globalFlags['allow-duplicate-keys'],
      checkSetOn,
    });
    this.envelope.environment = config.environment.name;
    for (const line of filesOutsideRepository(config)) process.stderr.write(`${line}\n`);
    return config;
  }

  /** -l, parsed. */
  protected selectors(): Selector[] {
    return parseSelectors(this.globalFlags.selector ?? []);
  }

  /** Loads releases.yaml and plans the selected releases. */
  protected loadPlan(environment = this.globalFlags.environment): { config: ReleasesConfig; plan: Plan } {
    const selectors = this.selectors();
    const config = this.loadConfig(environment, (release) => matches(release, selectors));
    checkSelection(config.releases, selectors);
    const plan = buildPlan(config, { selectors, includeNeeds: this.globalFlags['include-needs'] });
    return { config, plan };
  }

  /** What selection changed about needs, on stderr: only where it changes what runs (sync, destroy). */
  protected noteSelection(plan: Plan): void {
    for (const note of renderSelectionNotes(plan)) process.stderr.write(`${note}\n`);
  }

  /** Reads the cluster with a spinner on a terminal (diff, status), which otherwise show nothing for seconds. */
  protected async readingCluster<T>(work: () => Promise<T>): Promise<T> {
    // The progress views load listr2: imported on first use, so list, graph and --help start without it.
    const { progressModeOfProcess, whileReading } = await import('../report/progress.js');
    return whileReading(progressModeOfProcess(), 'reading the cluster…', work);
  }

  private wiringInstance: Adapters | undefined;

  /**
   * The process layer for this run, against the environment's cluster (see cli/wiring.ts). Imported on first use,
   * so commands that start no helm or kubectl (list, graph, --help) never load execa.
   */
  protected async wiring(config?: ReleasesConfig): Promise<Adapters> {
    this.wiringInstance ??= await this.newWiring(this.globalFlags['kube-context'] ?? config?.environment.kubeContext);
    return this.wiringInstance;
  }

  private newWiring(kubeContext: string | undefined): Promise<Adapters> {
    return composition.adapters({
      helmBinary: this.globalFlags['helm-binary'],
      concurrency: this.globalFlags.concurrency,
      skipDependencies: this.globalFlags['skip-deps'],
      noCache: this.globalFlags['no-cache'],
      kubeContext,
      trace: this.debugEnabled ? (line) => process.stderr.write(`${line}\n`) : undefined,
      warn: (line) => process.stderr.write(`${line}\n`),
    });
  }

  /** The process layer against another environment's cluster, through that environment's own kubeContext (promotion reads its source there). */
  protected sourceWiring(source: ReleasesConfig): Promise<Adapters> {
    return this.newWiring(source.environment.kubeContext);
  }

  /** The promotion gate of sync and diff (app/promotion-gate.ts), before anything is applied. */
  protected async enforcePromotionGate(
    config: ReleasesConfig,
    plan: Plan,
    override: string | undefined,
  ): Promise<void> {
    // Loaded here: only sync and diff ask, and the commands that do not should not load promotion's modules.
    const { enforcePromotionGate } = await import('../app/index.js');
    await enforcePromotionGate({
      config,
      plan,
      override,
      concurrency: this.globalFlags.concurrency,
      sourceDeps: async (source) => (await this.sourceWiring(source)).cluster(),
      warn: (line) => process.stderr.write(`${line}\n`),
    });
  }

  /** Where a run writes, as a prompt or an error says it: `production environment prod (kube context kind-boutique)`. */
  protected async targetOf(config: ReleasesConfig): Promise<string> {
    const { environment } = config;
    return `${environment.production ? 'production ' : ''}environment ${environment.name} (kube context ${(await this.wiring(config)).kubeContextName()})`;
  }

  /** Time spent at confirmation prompts, which a run's totals leave out. */
  private readonly promptedMs = { total: 0 };

  /** Asks before a destructive or production change (cli/prompt.ts): --yes is the answer given in advance. */
  protected async confirm(what: string, details: string): Promise<void> {
    if (this.globalFlags.yes) return;
    const { confirm } = await import('./prompt.js');
    await confirm(what, details, this.promptedMs);
  }

  /**
   * After set-image or promote wrote versions: each release whose render did not change with its new version gets a
   * warning (its chart reads the version elsewhere than versionKeys), and the summary counts them.
   */
  protected async warnOnUnreadVersions(
    before: ReleasesConfig,
    changes: readonly { release: string; to: string }[],
  ): Promise<{ changed: number; unread: number }> {
    const { unreadVersions, unreadVersionWarning } = await import('../app/index.js');
    const unread =
      changes.length === 0
        ? []
        : await unreadVersions(
            before,
            this.loadConfig(before.environment.name),
            new Map(changes.map(({ release, to }) => [release, to])),
            (await this.wiring(before)).helm(),
            this.globalFlags.concurrency,
          );
    for (const warning of unread) process.stderr.write(unreadVersionWarning(warning));
    return { changed: changes.length, unread: unread.length };
  }

  /** What every writing use case needs to take turns with other runs on the same target. */
  protected writeOptions() {
    return {
      concurrency: this.globalFlags.concurrency,
      lockTimeoutMs: this.globalFlags['lock-timeout'] * 1000,
      onLockWait: (holder: string, since: string) =>
        process.stderr.write(
          `waiting for the lock of this environment, held by ${holder} since ${since} (up to --lock-timeout ${this.globalFlags['lock-timeout']}s)\n`,
        ),
    };
  }

  /**
   * Runs a release-by-release operation (sync, destroy) with progress and the totals line on stderr
   * (cli/release-operation.ts); a signal stops this run's helm and kubectl.
   */
  protected runReleaseOperation(
    operation: string,
    displayOrder: readonly Release[],
    run: (onProgress: SyncProgress, mayStart: () => boolean) => Promise<ReleaseRun>,
    waitsOn?: ReadonlyMap<string, readonly string[]>,
  ): Promise<Outcome> {
    return runReleaseOperation({
      operation,
      displayOrder,
      run,
      waitsOn,
      totals: !this.json,
      promptedMs: this.promptedMs,
      adapters: () => this.wiringInstance,
    });
  }

  /** A check of each release (diff, template) whose failures, each under its release's name, fail the run with `summary`. */
  protected releaseErrors(
    failed: readonly { release: Release; error: Error }[],
    summary: string,
  ): Pick<Outcome, 'failed' | 'failure'> {
    return {
      failed: { as: 'check', releases: failed.map(({ release, error }) => ({ release: release.id, error })) },
      failure: failed.length > 0 ? new ReleasesFailedError(summary) : undefined,
    };
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<never> {
    // oclif's own exits and flag-parsing errors keep oclif's handling (parse errors exit 2).
    if (!(error instanceof AppError) && error.oclif) throw error;
    if (this.wiringInstance) error = await this.wiringInstance.explain(error);
    process.stderr.write(renderError(error, { debug: this.debugEnabled }));
    // Per-release errors are in the envelope already; the summary error adds nothing a pipeline needs.
    if (!(error instanceof ReleasesFailedError)) this.envelope.errors.push(...reportedErrors(error));
    this.envelope.ok = false;
    this.exit(exitCodeOf({ error }, { detailedExitcode: this.detailedExitcode }));
  }

  /**
   * The JSON document, written whole before the process ends: oclif ends a failed run with process.exit, which does
   * not wait for a pipe to take what is still queued (a slow reader got the first 64 KiB). Text output is waited for
   * the same way.
   */
  protected override async finally(error: Error | undefined): Promise<void> {
    let text = '';
    if (this.json && this.parsedGlobals) {
      const envelope: Envelope = {
        ...this.envelope,
        ok: this.envelope.ok && this.envelope.errors.length === 0 && (error === undefined || isCleanExit(error)),
      };
      text = `${JSON.stringify(envelope, null, 2)}\n`;
    }
    await Promise.all([written(process.stdout, text), written(process.stderr, '')]);
  }
}

/** Resolves once the stream has handed `text`, and everything queued before it, to the operating system. */
const written = (stream: NodeJS.WriteStream, text: string) =>
  new Promise<void>((resolve) => stream.write(text, () => resolve()));

/** `this.exit(0)` or the `diff --detailed-exitcode` exit for changes: an answer, not a failure. */
function isCleanExit(error: Error & { oclif?: { exit?: number } }): boolean {
  return error.oclif?.exit === ExitCode.ok || error.oclif?.exit === ExitCode.changes;
}

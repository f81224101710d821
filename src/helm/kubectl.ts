import { qualifiedKind, type KindsByScope, type KubeObject } from '../kube/objects.js';
import { ClusterUnreachableError, ExecError } from '../errors.js';
import type { LineStream, Runner, Streamer } from '../process/runner.js';
import type { ResolvedTool } from '../tools/resolve.js';
import type { ClusterTarget } from './args.js';
import type { StorageDriver } from './records.js';

/** What boutique asks of kubectl: reading helm's records and live objects in bulk, and asking the server what an apply would produce. */
export interface Kubectl {
  /** Every storage object of helm's in a namespace, superseded revisions left out (one request). */
  helmStorage(namespace: string, driver: Exclude<StorageDriver, 'other'>, release?: string): Promise<KubeObject[]>;
  /** Every revision's storage object in a namespace that a boutique run wrote (`boutique.dev/run`), superseded ones too. */
  helmRunRecords(namespace: string, driver: Exclude<StorageDriver, 'other'>): Promise<KubeObject[]>;
  /**
   * Every live object of these kinds (helm's records left out), one list request per scope: a check of many
   * releases costs a handful of requests, not one per object (kindsByScope names the kinds of some objects).
   */
  listKinds(kinds: KindsByScope): Promise<KubeObject[]>;
  /**
   * The objects as the API server would store them after helm applied them (server-side apply, dry run), or
   * undefined when the release namespace does not exist yet, so there is nothing to compare against.
   */
  dryRunApply(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[] | undefined>;
  /** One object, or undefined when it does not exist. */
  getObject(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Every object of one kind in every namespace, as served at `apiVersion` (a CRD's custom resources). */
  listEverywhere(apiVersion: string, kind: string): Promise<KubeObject[]>;
  /** Waits until each of these CRDs (by name) is Established, its kinds served; fails past `timeout` (e.g. 60s). */
  waitEstablished(crds: readonly string[], timeout: string): Promise<void>;
  /** Creates the object; 'exists' when an object of that name is already there. */
  createObject(obj: KubeObject): Promise<KubeObject | 'exists'>;
  /** Replaces the object at its resourceVersion; 'conflict' when it changed since (optimistic concurrency). */
  replaceObject(obj: KubeObject): Promise<KubeObject | 'conflict'>;
  /**
   * Watches helm's storage objects in a namespace from now on (no initial list): each change of a record as its
   * name, status and revision, read from the labels helm writes with every record.
   */
  watchHelmRecords(
    namespace: string,
    driver: Exclude<StorageDriver, 'other'>,
    onRecord: (record: RecordLabels) => void,
  ): Promise<LineStream>;
}

/** One namespaced object, by its kind and name. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

/** What helm's storage labels say of one revision. */
export interface RecordLabels {
  name: string;
  status: string;
  revision: number;
}

/** The labels helm writes with every record (name, status, version), or undefined when one is missing. */
export function recordLabels(
  name: string | undefined,
  status: string | undefined,
  version: string | undefined,
): RecordLabels | undefined {
  const revision = Number(version);
  return name && status && revision > 0 ? { name, status, revision } : undefined;
}

/** helm's records of the revisions a boutique run wrote. */
export const RUN_RECORDS = 'owner=helm,boutique.dev/run';

/** What kubectl says of a kind the server does not serve (a CRD deleted, or not installed yet). */
const UNSERVED_KIND = /the server doesn't have a resource type|the server could not find the requested resource/;

/**
 * Each request kubectl makes, client-go's own retries of a reset included, ends within this: a server that holds
 * back its answer cannot hang a run (the default is no bound at all).
 */
const REQUEST_TIMEOUT = '30s';

// kubectl names the flag --context where helm says --kube-context.
const contextArgs = (target: ClusterTarget) => (target.kubeContext ? ['--context', target.kubeContext] : []);

// JSON documents, one after another: kubectl reads a stream of them, and JSON means to it exactly what it means
// here (YAML would have to be written as go-yaml reads it).
const asStream = (objects: readonly KubeObject[]) => objects.map((obj) => JSON.stringify(obj)).join('\n');

function itemsOf(stdout: string): KubeObject[] {
  if (stdout.trim() === '') return [];
  const parsed = JSON.parse(stdout) as KubeObject & { items?: KubeObject[] };
  return parsed.kind === 'List' || Array.isArray(parsed.items) ? (parsed.items ?? []) : [parsed];
}

/** The first read's failure says whether the cluster is there at all: one clear error instead of one per release. */
function unreachable(error: unknown, target: ClusterTarget): Error {
  const context = target.kubeContext ? `context "${target.kubeContext}"` : 'the current context';
  // With no stdin, kubectl's prompt for a username reads end-of-file at once.
  if (error instanceof ExecError && /^error: EOF\s*$|Please enter Username/m.test(error.stderr)) {
    return new ClusterUnreachableError(
      `kubectl asked for a username and password for the cluster of ${context}, and there is no terminal to answer: its kubeconfig user has no credentials`,
      {
        cause: error,
        suggestions: [
          'give the kubeconfig user a token, a client certificate, or an exec plugin that works without a terminal (kubectl config view --minify shows it)',
        ],
      },
    );
  }
  if (
    !(error instanceof ExecError) ||
    !/Unable to connect to the server|connection refused|no such host|i\/o timeout|could not get server version|couldn't get current server API group list/i.test(
      error.stderr,
    )
  ) {
    return error as Error;
  }
  const reason = error.stderr
    .trim()
    .split('\n')
    .at(-1)!
    .replace(/^error: /, '');
  return new ClusterUnreachableError(`cannot reach the cluster of ${context}: ${reason}`, {
    cause: error,
    suggestions: [
      "check --kube-context or the environment's kubeContext in releases.yaml, and that the cluster is running (kubectl cluster-info)",
    ],
  });
}

export class KubectlCli implements Kubectl {
  private resolved: Promise<ResolvedTool> | undefined;

  /** `tool` is called on first use, like helm's. */
  constructor(
    private readonly tool: () => Promise<ResolvedTool>,
    private readonly runner: Runner & Streamer,
    private readonly target: ClusterTarget,
  ) {}

  /** A kubectl call whose JSON answer is read as objects; reads, creates and conditional replaces are safe to retry. */
  private async get(args: string[], input?: string): Promise<KubeObject[]> {
    this.resolved ??= this.tool();
    const { path } = await this.resolved;
    try {
      return itemsOf(
        (
          await this.runner.run(
            path,
            [...args, '--output', 'json', '--request-timeout', REQUEST_TIMEOUT, ...contextArgs(this.target)],
            { input, retry: 'read' },
          )
        ).stdout,
      );
    } catch (error) {
      throw unreachable(error, this.target);
    }
  }

  helmStorage(namespace: string, driver: Exclude<StorageDriver, 'other'>, release?: string): Promise<KubeObject[]> {
    return this.get([
      'get',
      driver,
      '--namespace',
      namespace,
      '--selector',
      `owner=helm,status!=superseded${release ? `,name=${release}` : ''}`,
    ]);
  }

  helmRunRecords(namespace: string, driver: Exclude<StorageDriver, 'other'>): Promise<KubeObject[]> {
    return this.get(['get', driver, '--namespace', namespace, '--selector', RUN_RECORDS]);
  }

  async listKinds(kinds: KindsByScope): Promise<KubeObject[]> {
    // helm's own records are Secrets or ConfigMaps too, and large: never list them as live objects.
    const list = (scope: string, scopeKinds: readonly string[]) =>
      this.get(['get', scopeKinds.join(','), ...(scope ? ['--namespace', scope] : []), '--selector', 'owner!=helm']);
    const lists = await Promise.all(
      Object.entries(kinds).map(([scope, scopeKinds]) =>
        list(scope, scopeKinds).catch(async (error: unknown) => {
          // A kind the server no longer serves (its CRD was deleted) has no live objects: list the others alone.
          if (!(error instanceof ExecError && UNSERVED_KIND.test(error.stderr)) || scopeKinds.length === 0) throw error;
          const each = await Promise.all(
            scopeKinds.map((kind) =>
              list(scope, [kind]).catch((one: unknown) =>
                one instanceof ExecError && UNSERVED_KIND.test(one.stderr) ? [] : Promise.reject(one),
              ),
            ),
          );
          return each.flat();
        }),
      ),
    );
    return lists.flat();
  }

  async getObject(ref: ObjectRef): Promise<KubeObject | undefined> {
    const [found] = await this.get([
      'get',
      qualifiedKind(ref),
      ref.name,
      '--namespace',
      ref.namespace,
      '--ignore-not-found',
    ]);
    return found;
  }

  listEverywhere(apiVersion: string, kind: string): Promise<KubeObject[]> {
    return this.get(['get', qualifiedKind({ apiVersion, kind }), '--all-namespaces']);
  }

  async waitEstablished(crds: readonly string[], timeout: string): Promise<void> {
    this.resolved ??= this.tool();
    const { path } = await this.resolved;
    const args = [
      'wait',
      '--for=condition=Established',
      `--timeout=${timeout}`,
      ...crds.map((name) => `customresourcedefinition.apiextensions.k8s.io/${name}`),
      ...contextArgs(this.target),
    ];
    await this.runner.run(path, args, { retry: 'read' });
  }

  createObject(obj: KubeObject): Promise<KubeObject | 'exists'> {
    return this.writeObject('create', obj, /\(AlreadyExists\)/, 'exists');
  }

  replaceObject(obj: KubeObject): Promise<KubeObject | 'conflict'> {
    return this.writeObject('replace', obj, /\(Conflict\)/, 'conflict');
  }

  /** One object written from stdin; the server's refusal `refused` is an answer (`answer`), not a failure. */
  private async writeObject<Answer extends string>(
    verb: 'create' | 'replace',
    obj: KubeObject,
    refused: RegExp,
    answer: Answer,
  ): Promise<KubeObject | Answer> {
    try {
      const [written] = await this.get([verb, '-f', '-'], JSON.stringify(obj));
      return written!;
    } catch (error) {
      if (error instanceof ExecError && refused.test(error.stderr)) return answer;
      throw error;
    }
  }

  async watchHelmRecords(
    namespace: string,
    driver: Exclude<StorageDriver, 'other'>,
    onRecord: (record: RecordLabels) => void,
  ): Promise<LineStream> {
    this.resolved ??= this.tool();
    const { path } = await this.resolved;
    const labels = '{.metadata.labels.name}{" "}{.metadata.labels.status}{" "}{.metadata.labels.version}{"\\n"}';
    // Bounded, as every child is: a watch left behind by a killed run ends by itself.
    const args = [
      'get',
      driver,
      '--namespace',
      namespace,
      '--selector',
      'owner=helm',
      '--watch-only',
      '--request-timeout',
      '6h',
      '--output',
      `jsonpath=${labels}`,
      ...contextArgs(this.target),
    ];
    return this.runner.stream(path, args, (line) => {
      const [name, status, version] = line.trim().split(' ');
      const record = recordLabels(name, status, version);
      if (record) onRecord(record);
    });
  }

  async dryRunApply(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[] | undefined> {
    if (objects.length === 0) return [];
    // As helm applies: server-side, field manager "helm"; forcing conflicts shows what a drift repair would do.
    const args = [
      'apply',
      '--server-side',
      '--field-manager',
      'helm',
      '--force-conflicts',
      '--dry-run=server',
      '-f',
      '-',
      '--namespace',
      namespace,
    ];
    try {
      return await this.get(args, asStream(objects));
    } catch (error) {
      if (error instanceof ExecError && /namespaces? "[^"]+" not found/.test(error.stderr)) return undefined;
      throw error;
    }
  }
}

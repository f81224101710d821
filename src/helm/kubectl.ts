import { stringify } from 'yaml';
import type { KubeObject } from '../kube/objects.js';
import { ClusterUnreachableError, ExecError } from '../errors.js';
import type { ResolvedTool } from '../tools/resolve.js';
import type { ClusterTarget } from './args.js';
import type { Runner } from '../process/runner.js';

/** What boutique asks of kubectl: reading live objects and asking the server what an apply would produce. */
export interface Kubectl {
  readonly tool: ResolvedTool;
  /** The live copies of those objects that exist. */
  liveObjects(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[]>;
  /**
   * The objects as the API server would store them after helm applied them (server-side apply, dry run), or
   * undefined when the release namespace does not exist yet, so there is nothing to compare against.
   */
  dryRunApply(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[] | undefined>;
  /**
   * The storage labels of a release's latest revision, where helm keeps `helm upgrade --labels`. helm 4 shows them
   * in `helm get metadata`; helm 3 does not, so boutique reads them from helm's storage.
   */
  releaseStorageLabels(name: string, namespace: string): Promise<Record<string, string>>;
  /** Throws ClusterUnreachableError unless the API server answers: checked once, before any release is touched. */
  ping(): Promise<void>;
}

// kubectl names the flag --context where helm says --kube-context.
const contextArgs = (target: ClusterTarget) => (target.kubeContext ? ['--context', target.kubeContext] : []);

// A multi-document YAML stream: a v1 List would be validated as a kind of its own, which the server has no schema
// for, and older kubectl reads a stream that starts with "{" as one JSON document.
const asStream = (objects: readonly KubeObject[]) => objects.map((obj) => stringify(obj)).join('---\n');

function itemsOf(stdout: string): KubeObject[] {
  if (stdout.trim() === '') return [];
  const parsed = JSON.parse(stdout) as KubeObject & { items?: KubeObject[] };
  return parsed.kind === 'List' || Array.isArray(parsed.items) ? (parsed.items ?? []) : [parsed];
}

export class KubectlCli implements Kubectl {
  constructor(
    readonly tool: ResolvedTool,
    private readonly runner: Runner,
    private readonly target: ClusterTarget,
  ) {}

  async ping(): Promise<void> {
    try {
      await this.runner.run(this.tool.path, ['version', '--output', 'json', '--request-timeout', '15s', ...contextArgs(this.target)]);
    } catch (error) {
      const reason = error instanceof ExecError ? error.stderr.trim().replace(/^error: /, '') : (error as Error).message;
      const context = this.target.kubeContext ? `context "${this.target.kubeContext}"` : 'the current context';
      throw new ClusterUnreachableError(`cannot reach the cluster of ${context}: ${reason}`, {
        cause: error,
        suggestions: ['check --kube-context or the environment\'s kubeContext in releases.yaml, and that the cluster is running (kubectl cluster-info)'],
      });
    }
  }

  async releaseStorageLabels(name: string, namespace: string): Promise<Record<string, string>> {
    const storage = process.env.HELM_DRIVER === 'configmap' ? 'configmaps' : 'secrets';
    const args = ['get', storage, '--namespace', namespace, '--selector', `owner=helm,name=${name}`, '--output', 'json', ...contextArgs(this.target)];
    const revisions = itemsOf((await this.runner.run(this.tool.path, args)).stdout).map((item) => item.metadata.labels ?? {});
    return revisions.reduce<Record<string, string>>((latest, labels) => (Number(labels.version) > Number(latest.version ?? 0) ? labels : latest), {});
  }

  async liveObjects(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[]> {
    if (objects.length === 0) return [];
    const args = ['get', '-f', '-', '--namespace', namespace, '--ignore-not-found', '--output', 'json', ...contextArgs(this.target)];
    return itemsOf((await this.runner.run(this.tool.path, args, { input: asStream(objects) })).stdout);
  }

  async dryRunApply(objects: readonly KubeObject[], namespace: string): Promise<KubeObject[] | undefined> {
    if (objects.length === 0) return [];
    // As helm applies: server-side, field manager "helm"; forcing conflicts shows what a drift repair would do.
    const args = [
      'apply', '--server-side', '--field-manager', 'helm', '--force-conflicts', '--dry-run=server', '-f', '-',
      '--namespace', namespace, '--output', 'json', ...contextArgs(this.target),
    ];
    try {
      return itemsOf((await this.runner.run(this.tool.path, args, { input: asStream(objects) })).stdout);
    } catch (error) {
      if (error instanceof ExecError && /namespaces? "[^"]+" not found/.test(error.stderr)) return undefined;
      throw error;
    }
  }
}

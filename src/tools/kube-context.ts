import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ClusterUnreachableError, ExecError } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { parseVersion, type ResolvedTool } from './resolve.js';
import { pinnedToolPath, pinnedTools } from './pinned.js';

/** How to get the context the shipped dev environment names, on kind or minikube (docs/local-demo.md). */
export const createContextHints = [
  'kind: kind create cluster --name boutique   (creates the context kind-boutique)',
  'minikube: minikube start --profile boutique, then pass --kube-context boutique',
];

/** The kubeconfig files kubectl reads: $KUBECONFIG (a path list), else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv, home: string): string[] {
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  return listed.length > 0 ? listed : [join(home, '.kube', 'config')];
}

/** Said instead of kubectl's "localhost:8080 refused" when there is no kubeconfig at all. */
export function noKubeconfigError(
  files: readonly string[],
  exists: (path: string) => boolean,
  cause?: unknown,
): ClusterUnreachableError | undefined {
  if (files.some(exists)) return undefined;
  return new ClusterUnreachableError(
    `no kubeconfig: ${files.join(', ')} ${files.length === 1 ? 'does' : 'do'} not exist, so there is no cluster to talk to`,
    {
      cause,
      suggestions: createContextHints,
    },
  );
}

/** The context boutique was asked for is not in the kubeconfig: say which ones are. */
export function missingContextError(
  wanted: string,
  contexts: readonly string[],
  cause?: unknown,
): ClusterUnreachableError | undefined {
  if (contexts.includes(wanted)) return undefined;
  const known =
    contexts.length > 0
      ? `the kubeconfig has ${contexts.map((name) => `"${name}"`).join(', ')}`
      : 'the kubeconfig has no contexts';
  return new ClusterUnreachableError(`no kube context "${wanted}": ${known}`, {
    cause,
    suggestions: [
      ...createContextHints,
      "or pick an existing context with --kube-context NAME (or the environment's kubeContext in releases.yaml)",
    ],
  });
}

// What kubectl and helm say when the kubeconfig or the context is the problem, or the cluster cannot be reached.
const contactFailure =
  /context "[^"]*" does not exist|context was not found|localhost:8080|cluster unreachable|no configuration has been provided|invalid configuration/i;

/**
 * The error that says why a first contact with the cluster failed: no kubeconfig at all, or a context that does not
 * exist (listing those that do). Any other error, and a contact failure with neither cause, is returned as it is.
 */
export async function explainUnreachable(
  error: Error,
  options: {
    kubectl: ResolvedTool;
    runner: Runner;
    kubeContext: string | undefined;
    env?: NodeJS.ProcessEnv;
    home?: string;
  },
): Promise<Error> {
  const stderr = error instanceof ExecError ? error.stderr : '';
  if (!(error instanceof ClusterUnreachableError) && !contactFailure.test(stderr)) return error;
  const files = kubeconfigFiles(options.env ?? process.env, options.home ?? homedir());
  const noKubeconfig = noKubeconfigError(files, existsSync, error);
  if (noKubeconfig) return noKubeconfig;
  if (!options.kubeContext) return error;
  const listed = await options.runner
    .run(options.kubectl.path, ['config', 'get-contexts', '--output', 'name'])
    .catch(() => undefined);
  return (
    (listed &&
      missingContextError(
        options.kubeContext,
        listed.stdout
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean),
        error,
      )) ??
    error
  );
}

/** The server's and kubectl's versions, or undefined when the cluster does not answer (that failure is reported elsewhere). */
export async function kubeVersions(
  kubectl: ResolvedTool,
  runner: Runner,
  kubeContext: string | undefined,
): Promise<KubeVersions | undefined> {
  const args = [
    'version',
    '--output',
    'json',
    '--request-timeout',
    '10s',
    ...(kubeContext ? ['--context', kubeContext] : []),
  ];
  const result = await runner.run(kubectl.path, args).catch(() => undefined);
  return result && parseKubeVersions(result.stdout);
}

/** What `kubectl version --output json` says of the client and the server. */
export interface KubeVersions {
  client: string;
  server: string;
}

export function parseKubeVersions(stdout: string): KubeVersions | undefined {
  try {
    const parsed = JSON.parse(stdout) as {
      clientVersion?: { gitVersion?: string };
      serverVersion?: { gitVersion?: string };
    };
    const client = parsed.clientVersion?.gitVersion;
    const server = parsed.serverVersion?.gitVersion;
    return client && server ? { client, server } : undefined;
  } catch {
    return undefined;
  }
}

/** How many minor versions apart a kubectl and a server are; undefined when either is no version or the majors differ. */
export function minorSkew(client: string, server: string): number | undefined {
  const [clientVersion, serverVersion] = [parseVersion(client), parseVersion(server)];
  if (!clientVersion || !serverVersion || clientVersion[0] !== serverVersion[0]) return undefined;
  return Math.abs(clientVersion[1] - serverVersion[1]);
}

/**
 * kubectl supports one minor version of skew with the API server. Beyond that, a warning that names the pinned
 * kubectl boutique installed, and how to use it.
 */
export function versionSkewWarning(
  versions: KubeVersions,
  kubectl: ResolvedTool,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const skew = minorSkew(versions.client, versions.server);
  if (skew === undefined || skew <= 1) return undefined;
  const pinned = pinnedTools.tools.kubectl.version;
  const where =
    kubectl.source === 'pinned'
      ? "boutique's pinned kubectl"
      : `${kubectl.path} (${kubectl.source === 'env' ? '$BOUTIQUE_KUBECTL' : kubectl.source === 'path' ? 'PATH' : kubectl.source})`;
  const advice =
    kubectl.source === 'pinned'
      ? `install a kubectl within one minor of the server and point BOUTIQUE_KUBECTL at it`
      : `boutique's pinned kubectl ${pinned} is at ${pinnedToolPath('kubectl', env)}: BOUTIQUE_KUBECTL=${pinnedToolPath('kubectl', env)}`;
  return `warning: kubectl ${versions.client} from ${where} is ${skew} minor versions from the server's ${versions.server}; kubectl supports one. ${advice}`;
}

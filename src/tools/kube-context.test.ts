import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClusterUnreachableError, ExecError } from '../errors.js';
import type { Runner } from '../process/runner.js';
import {
  explainUnreachable,
  kubeconfigFiles,
  missingContextError,
  noKubeconfigError,
  parseKubeVersions,
  versionSkewWarning,
} from './kube-context.js';
import type { ResolvedTool } from './resolve.js';

const kubectl = (source: ResolvedTool['source'], version = 'v1.32.0'): ResolvedTool => ({
  name: 'kubectl',
  path: '/usr/bin/kubectl',
  version,
  source,
});
const contextsRunner = (contexts: string[]): Runner & { calls: string[][] } => {
  const calls: string[][] = [];
  return {
    calls,
    run: async (_command, args) => (
      calls.push(args),
      { stdout: contexts.map((name) => `${name}\n`).join(''), stderr: '', exitCode: 0 }
    ),
  };
};
const unreachable = new ClusterUnreachableError(
  'cannot reach the cluster of context "kind-boutique": context was not found',
);

describe('kubeconfig and context checks', () => {
  it('reads $KUBECONFIG as a path list, else ~/.kube/config', () => {
    expect(kubeconfigFiles({ KUBECONFIG: ['/a', '/b'].join(':') }, '/home/me')).toEqual(['/a', '/b']);
    expect(kubeconfigFiles({ KUBECONFIG: '' }, '/home/me')).toEqual(['/home/me/.kube/config']);
    expect(kubeconfigFiles({}, '/home/me')).toEqual(['/home/me/.kube/config']);
  });

  it('says there is no kubeconfig when none of the files exists, and how to create a cluster', () => {
    const error = noKubeconfigError(['/home/me/.kube/config'], () => false)!;
    expect(error.message).toBe(
      'no kubeconfig: /home/me/.kube/config does not exist, so there is no cluster to talk to',
    );
    expect(error.suggestions[0]).toBe(
      'kind: kind create cluster --name boutique   (creates the context kind-boutique)',
    );
    expect(noKubeconfigError(['/a', '/b'], (path) => path === '/b')).toBeUndefined();
  });

  it('lists the contexts that exist when the wanted one does not', () => {
    const error = missingContextError('kind-boutique', ['minikube', 'prod-eu'])!;
    expect(error.message).toBe('no kube context "kind-boutique": the kubeconfig has "minikube", "prod-eu"');
    expect(error.suggestions).toContain(
      'minikube: minikube start --profile boutique, then pass --kube-context boutique',
    );
    expect(missingContextError('kind-boutique', [])!.message).toBe(
      'no kube context "kind-boutique": the kubeconfig has no contexts',
    );
    expect(missingContextError('minikube', ['minikube'])).toBeUndefined();
  });

  it("explains a failed first contact: no kubeconfig first, then a missing context, else kubectl's own error", async () => {
    const home = mkdtempSync(join(tmpdir(), 'boutique-home-'));
    const runner = contextsRunner(['minikube']);
    const options = { kubectl: kubectl('path'), runner, kubeContext: 'kind-boutique', env: {}, home };
    expect((await explainUnreachable(unreachable, options)).message).toMatch(/^no kubeconfig: /);
    expect(runner.calls).toEqual([]);

    const kubeconfig = join(home, 'config');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
    const withKubeconfig = { ...options, env: { KUBECONFIG: kubeconfig } };
    expect((await explainUnreachable(unreachable, withKubeconfig)).message).toBe(
      'no kube context "kind-boutique": the kubeconfig has "minikube"',
    );
    expect(runner.calls).toEqual([['config', 'get-contexts', '--output', 'name']]);
    const missingContext = new ExecError('kubectl', ['get'], 1, 'error: context "kind-boutique" does not exist');
    expect((await explainUnreachable(missingContext, withKubeconfig)).message).toBe(
      'no kube context "kind-boutique": the kubeconfig has "minikube"',
    );
    expect(await explainUnreachable(unreachable, { ...withKubeconfig, kubeContext: 'minikube' })).toBe(unreachable);
    expect(await explainUnreachable(unreachable, { ...withKubeconfig, kubeContext: undefined })).toBe(unreachable);
    // A release's own failure is not about the cluster: left as it is, and nothing is asked of kubectl.
    const chartError = new ExecError(
      'helm',
      ['upgrade'],
      1,
      'Error: template: microservice/templates/deployment.yaml:3: bad',
    );
    const calls = runner.calls.length;
    expect(await explainUnreachable(chartError, withKubeconfig)).toBe(chartError);
    expect(runner.calls).toHaveLength(calls);
  });
});

describe('kubectl and server version skew', () => {
  it('reads both versions from kubectl version --output json', () => {
    expect(
      parseKubeVersions('{"clientVersion":{"gitVersion":"v1.32.0"},"serverVersion":{"gitVersion":"v1.35.2"}}'),
    ).toEqual({ client: 'v1.32.0', server: 'v1.35.2' });
    expect(parseKubeVersions('{"clientVersion":{"gitVersion":"v1.32.0"}}')).toBeUndefined();
    expect(parseKubeVersions('not json')).toBeUndefined();
  });

  it('warns beyond one minor, naming the pinned kubectl and where it is', () => {
    const env = { BOUTIQUE_CACHE_DIR: '/cache' };
    expect(versionSkewWarning({ client: 'v1.32.0', server: 'v1.35.2' }, kubectl('path'), env)).toBe(
      "warning: kubectl v1.32.0 from /usr/bin/kubectl (PATH) is 3 minor versions from the server's v1.35.2; kubectl supports one. " +
        "boutique's pinned kubectl v1.35.2 is at /cache/tools/kubectl-v1.35.2/kubectl: BOUTIQUE_KUBECTL=/cache/tools/kubectl-v1.35.2/kubectl",
    );
    expect(versionSkewWarning({ client: 'v1.37.1', server: 'v1.35.0' }, kubectl('env', 'v1.37.1'), env)).toMatch(
      /from \/usr\/bin\/kubectl \(\$BOUTIQUE_KUBECTL\) is 2 minor versions/,
    );
    expect(versionSkewWarning({ client: 'v1.35.2', server: 'v1.33.0' }, kubectl('pinned', 'v1.35.2'), env)).toMatch(
      /from boutique's pinned kubectl is 2 minor .* install a kubectl within one minor of the server/,
    );
  });

  it('stays quiet within one minor', () => {
    expect(versionSkewWarning({ client: 'v1.34.0', server: 'v1.35.2' }, kubectl('path'))).toBeUndefined();
    expect(versionSkewWarning({ client: 'v1.35.2', server: 'v1.35.0-gke.1' }, kubectl('path'))).toBeUndefined();
  });
});

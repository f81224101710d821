import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextName, mergedKubeconfig, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, boutiqueBin, repoRoot } from '../support/cli.js';
import { emulatorEnv, helmBinary, kubectlBinary } from '../support/tools.js';

const isWrite = (verb: string) => ['create', 'update', 'patch'].includes(verb);

/** The cluster under the name kind gives a cluster called boutique, so the demo reuses it instead of creating one. */
function kindLikeKubeconfig(cluster: ControlPlane): string {
  const path = join(mkdtempSync(join(tmpdir(), 'boutique-demo-')), 'config');
  writeFileSync(path, mergedKubeconfig({ 'kind-boutique': cluster }));
  return path;
}

describe('npm run demo (docs/local-demo.md) against the cluster', () => {
  let cluster: ControlPlane;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
  });
  afterAll(() => cluster?.stop());

  it('reuses the kind-boutique context, syncs dev, then port-forwards to the frontend', async () => {
    const env = { ...emulatorEnv(cluster), KUBECONFIG: kindLikeKubeconfig(cluster), NO_COLOR: '1', CI: 'true' };
    const demo = await execa(process.execPath, [join(repoRoot, 'scripts', 'local-demo.mjs'), '--port', '18080'], { cwd: repoRoot, env, reject: false });
    const stdout = String(demo.stdout);
    expect(stdout).toContain('demo: reusing the kube context kind-boutique\n');
    expect(stdout).not.toContain('kind create cluster');
    expect(stdout).toContain(`demo: $ ${process.execPath} ${boutiqueBin} sync -e dev --kube-context kind-boutique\n`);
    expect(stdout).toContain('demo: Online Boutique is at http://localhost:18080');
    for (const name of ['redis-cart', 'frontend', 'loadgenerator']) {
      expect(cluster.store.get('apps/v1', 'Deployment', 'boutique-dev', name), name).toBeDefined();
    }
    // No kubelet serves the port-forward stream: the demo asked for the frontend's Service and a pod behind it,
    // after the sync wrote its last object, then says how to retry.
    // kubectl's port-forward is itself a create (POST pods/NAME/portforward): the API server accepts it, no kubelet answers.
    const forwards = cluster.requests.filter((entry) => entry.subresource === 'portforward' && entry.namespace === 'boutique-dev');
    expect(forwards.map((entry) => entry.verb)).toContain('create');
    const lastWrite = Math.max(...cluster.requests.filter((entry) => isWrite(entry.verb) && !entry.dryRun && entry.subresource !== 'portforward').map((entry) => entry.seq));
    const afterSync = cluster.requests.filter((entry) => entry.seq > lastWrite);
    expect(afterSync.some((entry) => entry.resource === 'services' && entry.name === 'frontend' && entry.namespace === 'boutique-dev' && entry.verb === 'get')).toBe(true);
    expect(demo.exitCode).toBe(1);
    expect(String(demo.stderr)).toContain('demo: kubectl port-forward stopped');
    expect(String(demo.stderr)).toContain('kubectl port-forward --context kind-boutique -n boutique-dev service/frontend 18080:80');
  });

  it('a missing context lists the ones that exist and how to create kind-boutique; no kubeconfig says so', async () => {
    const env = emulatorEnv(cluster);
    const missing = await boutique(['status', '-e', 'dev'], { env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`Error: no kube context "kind-boutique": the kubeconfig has "${contextName}"\n  hint: kind: kind create cluster --name boutique   (creates the context kind-boutique)\n`);

    const home = mkdtempSync(join(tmpdir(), 'boutique-home-'));
    const none = await boutique(['status', '-e', 'dev'], { env: { ...env, KUBECONFIG: '', HOME: home } });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(`Error: no kubeconfig: ${join(home, '.kube', 'config')} does not exist, so there is no cluster to talk to\n`);
    expect(none.stderr).not.toContain('localhost:8080');
  });

  it('warns when kubectl is more than one minor from the server, naming the pinned kubectl', async () => {
    // A kubectl that reports itself as v1.32.0 and otherwise is the pinned one.
    const dir = mkdtempSync(join(tmpdir(), 'boutique-kubectl-'));
    const fake = join(dir, 'kubectl');
    writeFileSync(fake, `#!${process.execPath}
const { spawnSync } = require('node:child_process');
const result = spawnSync(${JSON.stringify(kubectlBinary())}, process.argv.slice(2), { encoding: 'utf8', input: process.argv[2] === 'version' ? '' : require('node:fs').readFileSync(0) });
const out = process.argv[2] === 'version' ? result.stdout.replace(/"gitVersion": "v1\\.35\\.2"/, '"gitVersion": "v1.32.0"').replace(/"minor": "35"/, '"minor": "32"').replace(/Client Version: v1\\.35\\.2/, 'Client Version: v1.32.0') : result.stdout;
process.stdout.write(out); process.stderr.write(result.stderr); process.exit(result.status ?? 1);
`, { mode: 0o755 });
    const result = await boutique(['status', '-l', 'name=adservice'], { env: { ...cluster.env, BOUTIQUE_HELM: helmBinary(), BOUTIQUE_KUBECTL: fake } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`warning: kubectl v1.32.0 from ${fake} ($BOUTIQUE_KUBECTL) is 3 minor versions from the server's v1.35.4; kubectl supports one. boutique's pinned kubectl v1.35.2 is at ${kubectlBinary()}`);
  });
});

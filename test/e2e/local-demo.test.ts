import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
    const demo = await execa(process.execPath, [join(repoRoot, 'scripts', 'local-demo.mjs'), '--port', '18080'], {
      cwd: repoRoot,
      env,
      reject: false,
    });
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
    const forwards = cluster.requests.filter(
      (entry) => entry.subresource === 'portforward' && entry.namespace === 'boutique-dev',
    );
    expect(forwards.map((entry) => entry.verb)).toContain('create');
    const lastWrite = Math.max(
      ...cluster.requests
        .filter((entry) => isWrite(entry.verb) && !entry.dryRun && entry.subresource !== 'portforward')
        .map((entry) => entry.seq),
    );
    const afterSync = cluster.requests.filter((entry) => entry.seq > lastWrite);
    expect(
      afterSync.some(
        (entry) =>
          entry.resource === 'services' &&
          entry.name === 'frontend' &&
          entry.namespace === 'boutique-dev' &&
          entry.verb === 'get',
      ),
    ).toBe(true);
    expect(demo.exitCode).toBe(1);
    expect(String(demo.stderr)).toContain('demo: kubectl port-forward stopped');
    expect(String(demo.stderr)).toContain(
      'kubectl port-forward --context kind-boutique -n boutique-dev service/frontend 18080:80',
    );
  });

  it('bad flags get one line and how to pass them through npm, as docs/local-demo.md writes them, before anything runs', async () => {
    const viaNpm = await execa('npm', ['run', '--silent', 'demo', '--port', '9090'], { cwd: repoRoot, reject: false });
    expect(viaNpm.exitCode).toBe(2);
    expect(String(viaNpm.stderr)).toContain(
      "demo: Unexpected argument '9090'. This command does not take positional arguments (npm took --port as its own setting)\n  hint: npm run demo -- --port 9090",
    );
    expect(String(viaNpm.stderr)).not.toMatch(/^\s+at /m);
    const badPort = await execa(process.execPath, ['scripts/local-demo.mjs', '--port', 'abc'], {
      cwd: repoRoot,
      reject: false,
      stripFinalNewline: false,
    });
    expect(badPort.exitCode).toBe(2);
    expect(String(badPort.stderr)).toBe(
      'demo: --port abc is not a port (1-65535)\n  hint: npm run demo -- --port 9090 --environment dev (npm keeps the flags before -- for itself)\n',
    );
    expect(readFileSync(join(repoRoot, 'docs', 'local-demo.md'), 'utf8')).toContain('npm run demo -- --port 9090 ');
  });

  it('a missing context lists the ones that exist and how to create kind-boutique; no kubeconfig says so', async () => {
    const env = emulatorEnv(cluster);
    const missing = await boutique(['status', '-e', 'dev'], { env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(
      `Error: no kube context "kind-boutique": the kubeconfig has "${contextName}"\n  hint: kind: kind create cluster --name boutique   (creates the context kind-boutique)\n`,
    );

    const home = mkdtempSync(join(tmpdir(), 'boutique-home-'));
    const none = await boutique(['status', '-e', 'dev'], { env: { ...env, KUBECONFIG: '', HOME: home } });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(
      `Error: no kubeconfig: ${join(home, '.kube', 'config')} does not exist, so there is no cluster to talk to\n`,
    );
    expect(none.stderr).not.toContain('localhost:8080');
  });

  /** A kubectl that reports itself as v1.32.0 and otherwise is the pinned one; each of its runs is logged beside it. */
  function oldKubectl(): { dir: string; path: string; log: string } {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-kubectl-'));
    const fake = join(dir, 'kubectl');
    const log = join(dir, 'runs.log');
    writeFileSync(
      fake,
      `#!${process.execPath}
const { spawnSync } = require('node:child_process');
require('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(' ') + '\\n');
const result = spawnSync(${JSON.stringify(kubectlBinary())}, process.argv.slice(2), { encoding: 'utf8', input: process.argv[2] === 'version' ? '' : require('node:fs').readFileSync(0) });
const out = process.argv[2] === 'version' ? result.stdout.replace(/"gitVersion": "v1\\.35\\.2"/, '"gitVersion": "v1.32.0"').replace(/"minor": "35"/, '"minor": "32"').replace(/Client Version: v1\\.35\\.2/, 'Client Version: v1.32.0') : result.stdout;
process.stdout.write(out); process.stderr.write(result.stderr); process.exit(result.status ?? 1);
`,
      { mode: 0o755 },
    );
    return { dir, path: fake, log };
  }

  it('uses its pinned kubectl, with one note, when the kubectl on PATH is more than one minor from the server', async () => {
    const old = oldKubectl();
    const env = {
      ...cluster.env,
      BOUTIQUE_HELM: helmBinary(),
      PATH: `${old.dir}:${process.env.PATH}`,
      BOUTIQUE_DIRECT_API: '0',
    };
    const result = await boutique(['status', '-l', 'name=adservice', '--debug'], { env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.match(/kubectl v1\.32\.0/g)).toHaveLength(1);
    expect(result.stderr).toContain(
      `note: kubectl v1.32.0 on PATH (${old.path}) is 3 minor versions from the server's v1.35.4; using boutique's pinned kubectl v1.35.2 (BOUTIQUE_KUBECTL chooses one)\n`,
    );
    expect(result.stderr).toContain(`using kubectl v1.35.2 from ${kubectlBinary()} (pinned)`);
    expect(result.stderr).not.toContain('warning: kubectl');
    // The kubectl on PATH was asked its version and the server's, and nothing else.
    expect(
      readFileSync(old.log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .every((run) => run.startsWith('version')),
    ).toBe(true);
  });

  it('warns when a kubectl chosen with BOUTIQUE_KUBECTL is more than one minor from the server, naming the pinned kubectl', async () => {
    const fake = oldKubectl().path;
    const result = await boutique(['status', '-l', 'name=adservice'], {
      env: { ...cluster.env, BOUTIQUE_HELM: helmBinary(), BOUTIQUE_KUBECTL: fake },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `warning: kubectl v1.32.0 from ${fake} ($BOUTIQUE_KUBECTL) is 3 minor versions from the server's v1.35.4; kubectl supports one. boutique's pinned kubectl v1.35.2 is at ${kubectlBinary()}`,
    );
  });
});

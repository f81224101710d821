import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../support/fake-deps.js';
import { copyShippedSystem } from '../support/system.js';
import { fakeAdapters, runCommand, writeFiles } from './run-command.js';

/** The commands that need no cluster: the real commands, in-process, with no adapters or fake helm alone. */
describe('the commands that need no cluster, in-process', () => {
  it('graph draws the needs as mermaid, and --output json lists the levels', async () => {
    const file = join(copyShippedSystem().dir, 'releases.yaml');
    const mermaid = await runCommand(['graph', '-f', file, '-e', 'dev', '--format', 'mermaid']);
    expect(mermaid.exitCode, mermaid.stderr).toBe(0);
    expect(mermaid.stdout).toMatch(/^(graph|flowchart) /);
    expect(mermaid.stdout).toContain('cartservice');
    const json = JSON.parse((await runCommand(['graph', '-f', file, '-e', 'dev', '-o', 'json'])).stdout);
    expect(json.summary.releases).toBe(12);
    expect(json.results[0]).toMatchObject({ level: 0 });
  });

  it('health --list --builtin lists the library without a releases.yaml, and without --list is a usage error (exit 2)', async () => {
    const list = await runCommand(['health', '--list', '--builtin', '-f', '/nonexistent/releases.yaml']);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout.length).toBeGreaterThan(0);
    const bare = await runCommand(['health']);
    expect(bare).toMatchObject({ exitCode: 2, stdout: '' });
    expect(bare.stderr).toContain('Error: boutique health lists rules: pass --list\n  hint: ');
  });

  it('lint --list-rules lists the rules; a broken releases.yaml becomes findings, exit 2, ok false', async () => {
    const rules = await runCommand(['lint', '--list-rules', '-o', 'json']);
    expect(rules.exitCode).toBe(0);
    expect(JSON.parse(rules.stdout).summary.rules).toBeGreaterThan(5);
    const dir = writeFiles({ 'releases.yaml': 'releases:\n  - name: web\n' });
    const broken = await runCommand(['lint', '-f', join(dir, 'releases.yaml'), '-o', 'json']);
    expect(broken.exitCode).toBe(2);
    const envelope = JSON.parse(broken.stdout);
    expect(envelope.ok).toBe(false);
    expect(envelope.summary.errors).toBeGreaterThan(0);
    expect(envelope.results[0].message).toContain('chart');
  });

  it('template prints each release behind its header, and a release that fails to render under its name (exit 1)', async () => {
    const file = join(copyShippedSystem().dir, 'releases.yaml');
    const cluster = createFakeCluster();
    cluster.deps.helm.template = async (release) => {
      if (release.name === 'cartservice') throw new Error('execution error: cart is broken');
      return `kind: ConfigMap\nmetadata:\n  name: ${release.name}\n`;
    };
    const ok = await runCommand(
      ['template', '-f', file, '-e', 'dev', '-l', 'name=redis-cart'],
      fakeAdapters(cluster.deps),
    );
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(
      '# boutique: release boutique-dev/redis-cart (chart ./charts/redis)\nkind: ConfigMap\nmetadata:\n  name: redis-cart\n',
    );
    const failed = await runCommand(
      ['template', '-f', file, '-e', 'dev', '-l', 'name=cartservice', '-o', 'json'],
      fakeAdapters(cluster.deps),
    );
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('release boutique-dev/cartservice: Error: execution error: cart is broken\n');
    expect(JSON.parse(failed.stdout)).toMatchObject({
      ok: false,
      summary: { rendered: 0, failed: 1 },
      errors: [{ release: 'boutique-dev/cartservice' }],
    });
  });

  it('version names boutique, helm and kubectl and where each came from', async () => {
    const run = await runCommand(['version', '-o', 'json'], fakeAdapters(createFakeCluster().deps));
    expect(run.exitCode, run.stderr).toBe(0);
    const envelope = JSON.parse(run.stdout);
    expect(envelope.summary).toMatchObject({ toolsMissing: 0 });
    expect(JSON.stringify(envelope.results)).toContain('/fake/bin/helm');
  });

  it('import converts a helmfile into releases.yaml; --strict exits 1 when something was left out', async () => {
    const dir = writeFiles({
      'helmfile.yaml':
        'releases:\n  - name: web\n    namespace: apps\n    chart: ./charts/web\n    hooks:\n      - events: [presync]\n        command: echo\n',
      'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    });
    const strict = await runCommand([
      'import',
      join(dir, 'helmfile.yaml'),
      '-f',
      join(dir, 'releases.yaml'),
      '--strict',
      '-o',
      'json',
    ]);
    expect(strict.exitCode).toBe(1);
    expect(readFileSync(join(dir, 'releases.yaml'), 'utf8')).toContain('name: web');
    const envelope = JSON.parse(strict.stdout);
    expect(envelope).toMatchObject({ command: 'import', ok: false, summary: { releases: 1 } });
    expect(envelope.summary.notes + envelope.summary.issues).toBeGreaterThan(0);
  });

  it('export writes Flux objects for an environment and says what it wrote', async () => {
    const file = join(copyShippedSystem().dir, 'releases.yaml');
    const out = writeFiles({});
    const run = await runCommand([
      'export',
      'flux',
      '-f',
      file,
      '-e',
      'dev',
      '--output-dir',
      join(out, 'flux'),
      '--repo-url',
      'https://git.example.com/platform.git',
      '--repo-path',
      '.',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^flux: \d+ files for environment dev in /);
    expect(existsSync(join(out, 'flux', 'kustomization.yaml'))).toBe(true);
  });

  it('set-image pins a version in the versions file and warns when the render did not change', async () => {
    const system = copyShippedSystem();
    const run = await runCommand(
      ['set-image', '-f', join(system.dir, 'releases.yaml'), '-e', 'dev', 'frontend=3f2a1c9', '-o', 'json'],
      fakeAdapters(createFakeCluster().deps),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    // The fake helm renders nothing, so the new version changes no render: the warning names versionKeys.
    expect(run.stderr).toContain('warning: boutique-dev/frontend renders the same with 3f2a1c9');
    const envelope = JSON.parse(run.stdout);
    expect(envelope.summary).toEqual({ changed: 1, unread: 1 });
    // The envelope names the file as the user would reach it: relative to the working directory.
    expect(readFileSync(resolve(envelope.results[0].file), 'utf8')).toContain('3f2a1c9');
  });

  it('promote copies what runs and is ready in the source cluster into the target versions file, and refuses what is not', async () => {
    const system = copyShippedSystem();
    const file = join(system.dir, 'releases.yaml');
    const source = createFakeCluster({ releases: { 'boutique-dev/frontend': {} } });
    source.deps.helm.values = async () => ({ image: { tag: 'abc1234' } });
    const run = await runCommand(
      ['promote', '-f', file, '--from', 'dev', '--to', 'staging', '-l', 'name=frontend'],
      fakeAdapters(source.deps),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\+\+\+ b\/.*versions\/staging\.yaml\n@@ -0,0 \+1,1 @@\n\+frontend: "abc1234"\n$/m);
    const refused = await runCommand(
      ['promote', '-f', file, '--from', 'dev', '--to', 'staging', '-l', 'name=cartservice', '-o', 'json'],
      fakeAdapters(source.deps),
    );
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      'cannot promote dev -> staging: 1 release(s) are not healthy in dev; nothing was written',
    );
    expect(JSON.parse(refused.stdout)).toMatchObject({ command: 'promote', ok: false, results: [] });
  });

  it('completion prints the bash script', async () => {
    const run = await runCommand(['completion', 'bash']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('complete ');
  });
});

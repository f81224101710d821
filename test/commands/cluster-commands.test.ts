import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecError } from '../../src/errors.js';
import type { HelmRevision } from '../../src/helm/helm.js';
import { createFakeCluster } from '../support/fake-deps.js';
import { copyShippedSystem } from '../support/system.js';
import { fakeAdapters, runCommand } from './run-command.js';

/** sync, status, diff, destroy, rollback and history: the real commands over in-memory helm and kubectl. */
describe('the commands that read or write a cluster, in-process', () => {
  const project = () => join(copyShippedSystem().dir, 'releases.yaml');
  const cart = ['-e', 'dev', '-l', 'name=cartservice', '--include-needs'];

  it('sync installs the selected release and its needs, in order, and says so in the table and the envelope', async () => {
    const cluster = createFakeCluster();
    const file = project();
    const run = await runCommand(['sync', '-f', file, ...cart], fakeAdapters(cluster.deps));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(cluster.calls.filter((call) => call.startsWith('upgrade'))).toEqual([
      'upgrade boutique-dev/redis-cart',
      'upgrade boutique-dev/cartservice',
    ]);
    expect(run.stdout).toMatch(/^RELEASE +RESULT/);
    expect(run.stdout).toMatch(/boutique-dev\/cartservice +installed/);
    const json = await runCommand(
      ['sync', '-f', file, ...cart, '-o', 'json', '--detailed-exitcode'],
      fakeAdapters(cluster.deps),
    );
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      command: 'sync',
      ok: true,
      summary: { unchanged: 2, changes: false },
      errors: [],
    });
  });

  it('sync prints a failed release under its name with helm’s words, lists it in the envelope and exits 1', async () => {
    const cluster = createFakeCluster();
    cluster.deps.helm.upgrade = async (release) => {
      if (release.name === 'redis-cart')
        throw new ExecError('helm', ['upgrade', '--install', 'redis-cart'], 1, 'Error: redis-cart would not start');
    };
    const run = await runCommand(['sync', '-f', project(), ...cart, '-o', 'json'], fakeAdapters(cluster.deps));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'release boutique-dev/redis-cart failed:\nError: redis-cart would not start\n  command: helm upgrade --install redis-cart\n',
    );
    expect(run.stderr).toMatch(/Error: sync failed: 1 failed, 1 skipped, 0 done\n$/);
    const envelope = JSON.parse(run.stdout);
    expect(envelope).toMatchObject({ ok: false, summary: { failed: 1, skipped: 1 } });
    expect(envelope.errors).toEqual([
      {
        code: 'EXEC',
        message: 'Error: redis-cart would not start',
        release: 'boutique-dev/redis-cart',
        command: ['helm', 'upgrade', '--install', 'redis-cart'],
        hints: expect.any(Array),
      },
    ]);
  });

  it('status and diff say what a sync would install; diff --detailed-exitcode exits 2 for it', async () => {
    const cluster = createFakeCluster({
      releases: {
        'boutique-dev/redis-cart': { labels: { 'boutique.dev/inputs': 'hash-1', 'boutique.dev/environment': 'dev' } },
      },
    });
    const file = project();
    const status = await runCommand(['status', '-f', file, ...cart], fakeAdapters(cluster.deps));
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^redis-cart .*in sync$/m);
    expect(status.stdout).toMatch(/^cartservice .*missing$/m);
    const diff = await runCommand(
      ['diff', '-f', file, ...cart, '--detailed-exitcode', '-o', 'json'],
      fakeAdapters(cluster.deps),
    );
    expect(diff.exitCode, diff.stderr).toBe(2);
    const envelope = JSON.parse(diff.stdout);
    expect(envelope).toMatchObject({ command: 'diff', ok: true, summary: { changes: true } });
    expect(
      envelope.results[0].releases.map((release: { id: string; action: string }) => `${release.id} ${release.action}`),
    ).toEqual(['boutique-dev/redis-cart unchanged', 'boutique-dev/cartservice install']);
    expect(cluster.calls.filter((call) => !call.startsWith('read'))).toEqual([]);
    const markdown = await runCommand(['diff', '-f', file, ...cart, '-o', 'markdown'], fakeAdapters(cluster.deps));
    expect(markdown.exitCode, markdown.stderr).toBe(0);
    expect(markdown.stdout).toMatch(/^#+ /m);
    expect(markdown.stdout).toContain('cartservice');
  });

  it('destroy --yes uninstalls in reverse order; rollback and history go through helm', async () => {
    const deployed = { labels: { 'boutique.dev/environment': 'dev' } };
    const cluster = createFakeCluster({
      releases: { 'boutique-dev/redis-cart': deployed, 'boutique-dev/cartservice': deployed },
    });
    const revisions: HelmRevision[] = [1, 2].map((revision) => ({
      revision,
      updated: `2026-12-0${revision}`,
      status: revision === 2 ? 'deployed' : 'superseded',
      chart: 'microservice-0.1.0',
      app_version: '',
      description: `Upgrade ${revision}`,
    }));
    cluster.deps.helm.history = async () => revisions;
    const file = project();
    const history = await runCommand(['history', '-f', file, '-e', 'dev', 'cartservice'], fakeAdapters(cluster.deps));
    expect(history.stdout).toMatch(/^REVISION +UPDATED/);
    expect(history.stdout).toContain('Upgrade 2');
    const unknown = await runCommand(['history', '-f', file, '-e', 'dev', 'cartservise']);
    expect(unknown).toMatchObject({ exitCode: 2, stdout: '' });
    expect(unknown.stderr).toContain('Error: no release "cartservise" in ');
    expect(unknown.stderr).toContain('  hint: did you mean "cartservice"?');
    const rollback = await runCommand(
      ['rollback', '-f', file, '-e', 'dev', 'cartservice', '-o', 'json'],
      fakeAdapters(cluster.deps),
    );
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(cluster.calls).toContain('rollback boutique-dev/cartservice');
    expect(JSON.parse(rollback.stdout).results).toEqual([
      { id: 'boutique-dev/cartservice', revision: 2, description: 'Upgrade 2' },
    ]);
    // Without --yes and without a terminal, destroy refuses before anything is uninstalled (exit 2).
    const unconfirmed = await runCommand(['destroy', '-f', file, ...cart, '-o', 'json'], fakeAdapters(cluster.deps));
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toContain(
      'destroy of 2 releases in environment dev (kube context fake-context): not confirmed, and there is no terminal to ask',
    );
    expect(JSON.parse(unconfirmed.stdout).errors).toMatchObject([{ code: 'NOT_CONFIRMED' }]);
    expect(cluster.calls.filter((call) => call.startsWith('uninstall'))).toEqual([]);
    const destroy = await runCommand(['destroy', '-f', file, ...cart, '--yes'], fakeAdapters(cluster.deps));
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(cluster.calls.filter((call) => call.startsWith('uninstall'))).toEqual([
      'uninstall boutique-dev/cartservice',
      'uninstall boutique-dev/redis-cart',
    ]);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { ToolError } from '../errors.js';
import type { Runner, RunOptions } from '../process/runner.js';
import { unmetDependencies } from './chart-dependencies.js';
import { goDurationMs, goRuntimeEnv, helmDeadline, HelmCli, keptResources } from './helm.js';
import { aRelease } from '../../test/fixtures/release.js';

/** A Runner that records every command and answers from a script of canned results. */
function recordingRunner(answer: (args: string[]) => string = () => '') {
  const calls: { args: string[]; options: RunOptions }[] = [];
  const runner: Runner = {
    run: async (_command, args, options = {}) => {
      calls.push({ args, options });
      return { stdout: answer(args), stderr: '', exitCode: 0 };
    },
  };
  return { runner, calls };
}

const tool = async () => ({ name: 'helm' as const, path: '/bin/helm', version: 'v4.1.4', source: 'pinned' as const });

function chart(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-chart-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const releaseOf = (path: string): Release =>
  aRelease({
    chart: { kind: 'local', path },
    chartSource: path,
    set: [{ name: 'auth.password', value: 's3cr3t', secret: true }],
    historyMax: 3,
    createNamespace: false,
  });

describe('HelmCli', () => {
  it("builds a local chart's missing dependencies once per run, before rendering", async () => {
    const path = chart({
      'Chart.yaml':
        'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - { name: common, version: 1.2.3, repository: "file://../common" }\n',
    });
    const { runner, calls } = recordingRunner();
    const helm = new HelmCli(tool, runner, {});
    await helm.template(releaseOf(path), []);
    await helm.template(releaseOf(path), []);
    expect(calls.map((call) => call.args.slice(0, 2).join(' '))).toEqual([
      'dependency build',
      'template web',
      'template web',
    ]);
  });

  it('builds nothing when charts/ satisfies the ranges; with --skip-deps, names what is missing and runs no helm', async () => {
    const tar = createTar([{ name: 'common/Chart.yaml', data: 'apiVersion: v2\nname: common\nversion: 1.2.9\n' }]);
    const path = chart({
      'Chart.yaml':
        'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - { name: common, version: "~1.2", repository: "https://charts.example.com" }\n',
    });
    mkdirSync(join(path, 'charts'));
    writeFileSync(join(path, 'charts', 'common-1.2.9.tgz'), gzipSync(tar));
    const vendored = recordingRunner();
    await new HelmCli(tool, vendored.runner, {}).template(releaseOf(path), []);
    expect(vendored.calls.map((call) => call.args[0])).toEqual(['template']);

    const bare = chart({
      'Chart.yaml':
        'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - { name: common, version: "~1.2", repository: "https://charts.example.com" }\n',
    });
    const skipped = recordingRunner();
    const failure = await new HelmCli(tool, skipped.runner, {}, { skipDependencies: true })
      .template(releaseOf(bare), [])
      .catch((error: ToolError) => error);
    expect(skipped.calls).toEqual([]);
    expect(failure).toBeInstanceOf(ToolError);
    expect((failure as ToolError).message).toBe(
      `chart ${bare}: common ~1.2 is missing from charts/ (--skip-deps builds nothing)`,
    );
    expect((failure as ToolError).suggestions[0]).toMatch(
      /^vendor common: helm pull common --repo https:\/\/charts\.example\.com --version '~1\.2' --destination /,
    );
  });

  it('checks every chart of a run before anything runs under --skip-deps, and leaves that to the build otherwise', () => {
    const bare = chart({
      'Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - { name: common, version: "^1" }\n',
    });
    const installed = { ...releaseOf(bare), installed: true } as Release;
    const { runner, calls } = recordingRunner();
    expect(() => new HelmCli(tool, runner, {}, { skipDependencies: true }).checkDependencies([installed])).toThrow(
      `chart ${bare}: common ^1 is missing from charts/ (--skip-deps builds nothing)`,
    );
    expect(() =>
      new HelmCli(tool, runner, {}, { skipDependencies: true }).checkDependencies([
        { ...installed, installed: false } as Release,
      ]),
    ).not.toThrow();
    expect(() => new HelmCli(tool, runner, {}).checkDependencies([installed])).not.toThrow();
    expect(calls).toEqual([]);
  });

  it('gives every helm process a larger GC target within its share of the memory, and one core when cores are few', () => {
    const GiB = 2 ** 30;
    expect(goRuntimeEnv(4, { cores: 2, memoryBytes: 24 * GiB }, {})).toEqual({
      GOGC: '400',
      GOMEMLIMIT: '1536MiB',
      GOMAXPROCS: '1',
    });
    expect(goRuntimeEnv(4, { cores: 4, memoryBytes: 4 * GiB }, {})).toEqual({
      GOGC: '400',
      GOMEMLIMIT: '256MiB',
      GOMAXPROCS: '1',
    });
    expect(goRuntimeEnv(3, { cores: 8, memoryBytes: 0.5 * GiB }, {})).toEqual({ GOGC: '400', GOMEMLIMIT: '64MiB' });
    expect(goRuntimeEnv(1, { cores: 8, memoryBytes: 8 * GiB }, {})).toEqual({ GOGC: '400', GOMEMLIMIT: '2048MiB' });
    expect(goRuntimeEnv(4, { cores: 1, memoryBytes: 8 * GiB }, {})).toEqual({ GOGC: '400', GOMEMLIMIT: '512MiB' });
  });

  it('leaves the Go runtime settings the user chose alone', () => {
    const machine = { cores: 2, memoryBytes: 2 ** 33 };
    expect(goRuntimeEnv(4, machine, { GOMAXPROCS: '2', GOGC: 'off' })).toEqual({});
    expect(goRuntimeEnv(4, machine, { GOMEMLIMIT: '1GiB' })).toEqual({ GOMAXPROCS: '1' });
    expect(goRuntimeEnv(4, machine, { GOGC: '100' })).toEqual({ GOMAXPROCS: '1' });
  });

  it('runs every helm command with the environment it was given', async () => {
    const { runner, calls } = recordingRunner();
    const env = { GOGC: '400', GOMAXPROCS: '1' };
    const helm = new HelmCli(tool, runner, {}, { env });
    const release = releaseOf(chart({ 'Chart.yaml': 'name: app\n' }));
    await helm.template(release, []);
    await helm.upgrade(release, [], {});
    expect(calls.map((call) => [call.args[0], call.options.env])).toEqual([
      ['template', env],
      ['upgrade', env],
    ]);
  });

  it('reads a dependency however Chart.yaml spells the key, and reads no YAML when it cannot have one', async () => {
    const spelled = [
      'dependencies:\n  - {name: common, version: 1.0.0}\n',
      '"dependencies": [{name: common, version: 1.0.0}]\n',
      '"\\x64ependencies": [{name: common, version: 1.0.0}]\n',
    ];
    for (const text of spelled)
      expect(
        unmetDependencies(chart({ 'Chart.yaml': `apiVersion: v2\nname: app\n${text}` })).map((dep) => dep.name),
        text,
      ).toEqual(['common']);
    expect(unmetDependencies(chart({ 'Chart.yaml': 'apiVersion: v2\nname: app\nversion: [unclosed\n' }))).toEqual([]);
  });

  it('gives a waiting command the release timeout and a margin, and hands secrets to the runner to mask', async () => {
    const { runner, calls } = recordingRunner();
    await new HelmCli(tool, runner, {}).upgrade(releaseOf(chart({ 'Chart.yaml': 'name: app\n' })), [], {});
    expect(calls[0]!.options).toMatchObject({ timeoutMs: 315_000, retry: 'write' });
    // helm's schema message about the secret's values path says no more than that, however short the value.
    expect(
      calls[0]!.options.mask!("c:\n- at '/auth/password': 's3cr3t' does not match pattern\n- at '/port': got string"),
    ).toBe(
      "c:\n- at '/auth/password': *** (a secret value: helm's message about it is not shown)\n- at '/port': got string",
    );
    expect(calls[0]!.args.join(' ')).not.toContain('s3cr3t');
  });

  it('gives a command that renders a bound that grows with its values files: a large one is no hang', async () => {
    const { runner, calls } = recordingRunner();
    const release = releaseOf(chart({ 'Chart.yaml': 'name: app\n' }));
    const large = join(mkdtempSync(join(tmpdir(), 'boutique-values-')), 'large.yaml');
    writeFileSync(large, Buffer.alloc(5 * 2 ** 20, 'a'));
    const helm = new HelmCli(tool, runner, {});
    await helm.lint(release, ['--values', large], { strict: false });
    await helm.template(release, ['--set-file', `note=${large}`]);
    // 120 s, and 10 s per MB of --values files (a --set-file value is a string, not a values file helm parses).
    expect(calls.map((call) => [call.args[0], call.options.timeoutMs])).toEqual([
      ['lint', 170_000],
      ['template', 120_000],
    ]);
  });

  it('stops every try of an upgrade before the deadline its revision records, which is the last moment its helm can write', async () => {
    const release = releaseOf(chart({ 'Chart.yaml': 'name: app\n' }));
    // The release's timeout, twice with atomic (its rollback waits again), helm's bookkeeping, then SIGKILL's delay.
    expect(helmDeadline(release, 1_000_000)).toBe(1_000 + 300 + 15 + 5);
    expect(helmDeadline({ ...release, atomic: true }, 1_000_000)).toBe(1_000 + 600 + 15 + 5);
    const { runner, calls } = recordingRunner();
    await new HelmCli(tool, runner, {}).upgrade(release, [], { 'boutique.dev/deadline': '1320' });
    expect(calls[0]!.options).toMatchObject({ until: 1_315_000 });
  });

  it('reads what helm uninstall kept and Go durations', () => {
    expect(
      keptResources(
        'release "op" uninstalled\nThese resources were kept due to the resource policy:\n[CustomResourceDefinition] widgets.example.com\n',
      ),
    ).toEqual(['CustomResourceDefinition/widgets.example.com']);
    expect(keptResources('release "op" uninstalled\n')).toEqual([]);
    expect(goDurationMs('1h30m')).toBe(5_400_000);
    expect(goDurationMs('300s')).toBe(300_000);
  });
});

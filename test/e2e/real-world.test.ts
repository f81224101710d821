import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv, helmBinary, helmWithDriver, kubectlBinary } from '../support/tools.js';

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;
const releases = ['ops/operator', 'apps/widgets', 'apps/quirks', 'apps/hooks', 'apps/with-deps', 'apps/scaled'];

/** Charts shaped like the ones users run (test/fixtures/real-world), against the cluster, with real helm. */
describe('boutique on charts shaped like third-party ones', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[], extraEnv: Record<string, string> = {}) =>
    boutique(args, { cwd: dir, env: { ...env, ...extraEnv } });
  const helm = (args: string[]) => execa(helmBinary(), args, { env, reject: false, stripFinalNewline: false });
  const revisions = (namespace: string) =>
    cluster.store
      .list('v1', 'Secret', namespace)
      .map((secret) => secret.metadata.name ?? '')
      .filter((name) => name.startsWith('sh.helm.release.v1.'))
      .sort();

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'boutique-real-world-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'real-world'), dir, { recursive: true });
    env = emulatorEnv(cluster);
  });
  afterAll(() => cluster?.stop());

  it('installs an operator with its CRD and, in the same first sync, the custom resources that need it', async () => {
    expect(existsSync(join(dir, 'charts', 'with-deps', 'charts'))).toBe(false);
    const result = await run(['sync']);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const id of releases) expect(result.stdout).toMatch(new RegExp(`^${id} +installed `, 'm'));
    expect(cluster.store.get('demo.boutique.dev/v1', 'Widget', 'apps', 'widgets')?.spec).toEqual({
      size: 3,
      color: 'teal',
    });
    // Nothing asked the server about widgets before the CRD was there.
    const crdCreated = cluster.requests.find(
      (entry) => entry.resource === 'customresourcedefinitions' && isWrite(entry),
    )!.seq;
    const widgetRequests = cluster.requests.filter((entry) => entry.resource === 'widgets');
    expect(widgetRequests.length).toBeGreaterThan(0);
    expect(widgetRequests.filter((entry) => entry.seq < crdCreated)).toEqual([]);
    // The file:// dependency was built for the run.
    expect(existsSync(join(dir, 'charts', 'with-deps', 'charts', 'library-0.1.0.tgz'))).toBe(true);
  });

  it('changes nothing on the second sync: 0755 modes, "no"/"off" strings and a deep CRD read as helm reads them', async () => {
    const before = cluster.requests.length;
    const result = await run(['sync', '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).summary).toEqual({ unchanged: 6, changes: false });
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);
    expect(revisions('apps')).toEqual([
      'sh.helm.release.v1.hooks.v1',
      'sh.helm.release.v1.quirks.v1',
      'sh.helm.release.v1.scaled.v1',
      'sh.helm.release.v1.widgets.v1',
      'sh.helm.release.v1.with-deps.v1',
    ]);
    const deployment = cluster.store.get('apps/v1', 'Deployment', 'apps', 'quirks') as unknown as {
      spec: {
        template: {
          spec: { volumes: { configMap: { defaultMode: number } }[]; containers: { env: { value: string }[] }[] };
        };
      };
    };
    expect(deployment.spec.template.spec.volumes[0]!.configMap.defaultMode).toBe(0o755);
    expect(deployment.spec.template.spec.containers[0]!.env.map((variable) => variable.value)).toEqual([
      'no',
      'no',
      'off',
    ]);

    const diff = await run(['diff', '--detailed-exitcode']);
    expect(diff.exitCode, diff.stdout + diff.stderr).toBe(0);
    expect(diff.stdout).toContain('Releases: 6 unchanged.');
    const status = await run(['status']);
    expect(
      status.stdout
        .trim()
        .split('\n')
        .slice(1)
        .every((line) => line.endsWith(' in sync')),
    ).toBe(true);
  });

  it('renders inline values byte-identical to helm with the same values file', async () => {
    writeFileSync(join(dir, 'quirks-values.yaml'), 'hsts: "no"\n');
    const ours = await run(['template', '-l', 'name=quirks']);
    const theirs = await helm([
      'template',
      'quirks',
      join(dir, 'charts', 'quirks'),
      '--namespace',
      'apps',
      '--values',
      join(dir, 'quirks-values.yaml'),
    ]);
    expect(ours.exitCode, ours.stderr).toBe(0);
    expect(ours.stdout).toBe(`# boutique: release apps/quirks (chart ./charts/quirks)\n${String(theirs.stdout)}`);
    expect(ours.stdout).toContain('value: "no"');
  });

  it('lists hook Jobs in diff, and a values change that re-runs them as changed', async () => {
    const releasesYaml = join(dir, 'releases.yaml');
    writeFileSync(
      releasesYaml,
      readFileSync(releasesYaml, 'utf8').replace(
        '    chart: ./charts/hooks-only\n',
        '    chart: ./charts/hooks-only\n    values: [{ tag: "2.0" }]\n',
      ),
    );
    const diff = await run(['diff', '-l', 'name=hooks', '--detailed-exitcode']);
    expect(diff.exitCode, diff.stderr).toBe(2);
    expect(diff.stdout).toContain('Hooks: helm runs them around the sync and keeps no copy in the cluster');
    expect(diff.stdout).toContain('~ Job/hooks-migrate (hook: pre-install, pre-upgrade) (change)');
    expect(diff.stdout).toContain(
      '-        - image: registry.example.com/migrate:1.0\n+        - image: registry.example.com/migrate:2.0\n',
    );
    expect(diff.stdout).toMatch(
      /Plan: 0 to add, 1 to change, 0 to destroy, 0 unchanged\. Releases: 1 to upgrade, 0 unchanged\./,
    );
    // Where helm's records cannot be listed in bulk (HELM_DRIVER=sql), the deployed hooks come from helm get hooks.
    const bulk = await run(['diff', '-l', 'name=hooks', '-o', 'json']);
    const perRelease = await run(['diff', '-l', 'name=hooks', '-o', 'json'], {
      HELM_DRIVER: 'sql',
      BOUTIQUE_HELM: helmWithDriver('secret'),
    });
    expect(JSON.parse(perRelease.stdout), perRelease.stderr).toEqual(JSON.parse(bulk.stdout));
  });

  it('leaves a Deployment at the replicas its autoscaler set, though the chart sets replicas too', async () => {
    await execa(kubectlBinary(), ['scale', 'deployment/scaled', '--replicas=4', '--namespace', 'apps'], { env });
    const result = await run(['sync', '-l', 'name=scaled']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^apps\/scaled +unchanged /m);
    expect(cluster.store.get('apps/v1', 'Deployment', 'apps', 'scaled')?.spec).toMatchObject({ replicas: 4 });
  });

  it('honours releases.yaml ignore rules in status, diff and sync alike, and still repairs other drift', async () => {
    const kubectl = (args: string[]) => execa(kubectlBinary(), [...args, '--namespace', 'apps'], { env });
    await kubectl([
      'patch',
      'configmap',
      'quirks-scripts',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { 'start.sh': '#!/bin/sh\nexec server --debug\n' } }),
    ]);
    expect((await run(['status', '-l', 'name=quirks'])).stdout).toMatch(/quirks .* in sync\n/);
    expect((await run(['diff', '-l', 'name=quirks', '--detailed-exitcode'])).exitCode).toBe(0);
    const before = cluster.requests.length;
    expect((await run(['sync', '-l', 'name=quirks'])).stdout).toMatch(/^apps\/quirks +unchanged /m);
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);

    await kubectl(['set', 'env', 'deployment/quirks', 'PROFILER=on']);
    const sync = await run(['sync', '-l', 'name=quirks']);
    expect(sync.stdout).toMatch(/^apps\/quirks +upgraded +\S+ +drift in Deployment\/quirks$/m);
    const variables = (
      cluster.store.get('apps/v1', 'Deployment', 'apps', 'quirks')?.spec as {
        template: { spec: { containers: { env: { name: string; value: string }[] }[] } };
      }
    ).template.spec.containers[0]!.env;
    expect(variables.find((variable) => variable.name === 'PROFILER')?.value).toBe('off');
  });
});

describe('a custom resource whose CRD no release installs', () => {
  let cluster: ControlPlane;
  afterAll(() => cluster?.stop());

  it('fails that release alone, before helm writes anything of it; an independent release installs', async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'boutique-no-crd-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'real-world'), dir, { recursive: true });
    const env = emulatorEnv(cluster);
    // widgets without the operator that brings its CRD: sync makes no dry run of its own, helm's checks refuse it.
    const result = await boutique(['sync', '-l', 'name=widgets', '-l', 'name=scaled'], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^apps\/widgets +failed /m);
    expect(result.stdout).toMatch(/^apps\/scaled +installed /m);
    expect(result.stderr).toMatch(
      /release apps\/widgets failed:\n(.*\n)*.*no matches for kind "Widget" in version "demo\.boutique\.dev\/v1"/,
    );
    const written = cluster.requests.filter(isWrite);
    expect(written.filter((entry) => entry.name === 'scaled' && entry.resource === 'deployments')).toHaveLength(1);
    expect(written.filter((entry) => /widgets/.test(entry.name ?? '') || entry.resource === 'widgets')).toEqual([]);
    expect(cluster.store.list('v1', 'Secret', 'apps').map((secret) => secret.metadata.name)).toEqual([
      'sh.helm.release.v1.scaled.v1',
    ]);
  });
});

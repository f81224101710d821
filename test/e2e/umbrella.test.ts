import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane, type RequestLogEntry } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

const isWrite = (entry: RequestLogEntry) =>
  ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(entry.verb) && !entry.dryRun;

/**
 * An umbrella chart as users vendor it (test/fixtures/umbrella): four dependencies declared with ranges and packaged
 * into charts/ by helm package here, an operator subchart whose CRD is in crds/, custom resources of it in the
 * parent's templates. Every repository it names is unreachable (.invalid): nothing may be fetched.
 */
describe('an umbrella chart with vendored ranged dependencies and its own CRDs', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: dir, env });
  const chartsDir = () => join(dir, 'charts', 'stack', 'charts');

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'boutique-umbrella-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'umbrella'), dir, { recursive: true });
    for (const chart of readdirSync(join(dir, 'vendor')))
      await execa(helmBinary(), ['package', join(dir, 'vendor', chart), '--destination', chartsDir()]);
    // HOME and helm's folders of its own: no repository is known, no cache of one exists.
    env = {
      ...emulatorEnv(cluster),
      HELM_CACHE_HOME: join(dir, '.helm-cache'),
      HELM_CONFIG_HOME: join(dir, '.helm-config'),
      HELM_DATA_HOME: join(dir, '.helm-data'),
    };
  });
  afterAll(() => cluster.stop());

  it("templates and lints with no dependency build, and lint finds no error on the chart's defaults", async () => {
    const before = readdirSync(chartsDir()).sort();
    const template = await run(['template', '-l', 'name=stack', '--debug']);
    expect(template.exitCode, template.stderr).toBe(0);
    expect(template.stderr).not.toContain('dependency build');
    expect(template.stdout).toContain('name: stack-cache');
    expect(template.stdout).toContain('kind: Gauge');
    const lint = await run(['lint', '-o', 'json']);
    const findings = (
      JSON.parse(lint.stdout) as { results: { ruleId: string; severity: string; release: string; message: string }[] }
    ).results;
    expect(
      findings.filter((finding) => finding.severity === 'error'),
      lint.stderr,
    ).toEqual([]);
    expect(findings.filter((finding) => finding.ruleId === 'service-selector')).toEqual([]);
    // The custom resource is checked against the CRD of the operator subchart's crds/ folder.
    expect(findings.filter((finding) => finding.message.includes('Gauge'))).toEqual([]);
    expect(lint.exitCode).toBe(0);
    // The CRD-only chart: helm lint's warning, and what --strict would make of it, as warnings.
    expect(
      findings
        .filter((finding) => finding.release === 'monitoring/dial-crds')
        .map(({ ruleId, severity, message }) => `${severity} ${ruleId} ${message}`),
    ).toEqual([
      'warning helm-lint templates/: directory does not exist',
      'warning helm-lint-strict helm lint --strict would fail on the warning above',
    ]);
    const strict = await run(['lint', '--strict', '-l', 'name=dial-crds']);
    expect(strict.exitCode).toBe(1);
    expect(strict.stdout).toContain('helm lint --strict fails on the warnings above');
    // The same, asked for by the release in releases.yaml.
    const releasesYaml = join(dir, 'releases.yaml');
    const declared = readFileSync(releasesYaml, 'utf8');
    writeFileSync(
      releasesYaml,
      declared.replace(
        '    chart: ./charts/dial-crds\n',
        '    chart: ./charts/dial-crds\n    lint: { rules: { helm-lint-strict: error } }\n',
      ),
    );
    try {
      const perRelease = await run(['lint', '-l', 'name=dial-crds']);
      expect(perRelease.exitCode, perRelease.stdout + perRelease.stderr).toBe(1);
      expect(perRelease.stdout).toContain('helm lint --strict fails on the warnings above');
    } finally {
      writeFileSync(releasesYaml, declared);
    }
    expect(readdirSync(chartsDir()).sort()).toEqual(before);
  });

  it('plans the install on an empty cluster with sync --dry-run', async () => {
    const dryRun = await run(['sync', '--dry-run', '-l', 'name=stack']);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/monitoring\/stack +install/);
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });

  it('diffs on an empty cluster: the CRD from crds/ and the custom resource as added, the latter marked', async () => {
    const diff = await run(['diff', '-l', 'name=stack', '--detailed-exitcode']);
    expect(diff.exitCode, diff.stdout + diff.stderr).toBe(2);
    expect(diff.stdout).toContain('+ CustomResourceDefinition/gauges.metrics.example.dev');
    expect(diff.stdout).toMatch(
      /\+ Gauge\/stack-main.*\n(.*\n)*?.*! checked against the CRD from monitoring\/stack, not yet installed/,
    );
    expect(diff.stdout).toContain('+ Deployment/stack-tracing');
    const json = await run(['diff', '-l', 'name=stack', '-o', 'json']);
    const [{ diffs }] = JSON.parse(json.stdout).results as [
      { diffs: { changes: { ref: string; action: string; after: string; impacts: { kind: string }[] }[] }[] },
    ];
    const changes = diffs[0]!.changes;
    const gauge = changes.find((change) => change.ref === 'Gauge/stack-main');
    expect(gauge).toMatchObject({ action: 'add', impacts: [{ kind: 'crd-preview' }] });
    expect(gauge!.after).toContain('app.kubernetes.io/managed-by: Helm');
    // helm installs crds/ as they are, outside the release: without its labels.
    const crd = changes.find((change) => change.ref === 'CustomResourceDefinition/gauges.metrics.example.dev');
    expect(crd).toMatchObject({ action: 'add', impacts: [] });
    expect(crd!.after).not.toContain('app.kubernetes.io/managed-by');
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });

  it("refuses, in the diff, a custom resource the CRD's schema refuses", async () => {
    const values = join(dir, 'charts', 'stack', 'values.yaml');
    const original = readFileSync(values, 'utf8');
    writeFileSync(
      values,
      original.replace('retention: 10d', 'retention: ten days').replace('replicas: 2', 'replicas: 0'),
    );
    try {
      const diff = await run(['diff', '-l', 'name=stack']);
      expect(diff.exitCode).toBe(1);
      expect(diff.stderr).toContain(
        'Gauge/stack-main: spec.replicas: must be >= 1 (checked against the CRD from monitoring/stack, not yet installed)',
      );
      expect(diff.stderr).toMatch(/Gauge\/stack-main: spec\.retention: must match pattern/);
    } finally {
      writeFileSync(values, original);
    }
  });

  it('syncs with no dependency build, then diffs as unchanged', async () => {
    const sync = await run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(cluster.store.get('metrics.example.dev/v1', 'Gauge', 'monitoring', 'stack-main')?.spec).toMatchObject({
      replicas: 2,
      retention: '10d',
    });
    const diff = await run(['diff', '--detailed-exitcode']);
    expect(diff.exitCode, diff.stdout + diff.stderr).toBe(0);
  });

  it('upgrades when a vendored dependency is replaced by a newer package', async () => {
    const cache = join(dir, 'vendor', 'cache');
    writeFileSync(
      join(cache, 'Chart.yaml'),
      readFileSync(join(cache, 'Chart.yaml'), 'utf8').replace('version: 3.1.0', 'version: 3.2.0'),
    );
    writeFileSync(
      join(cache, 'templates', 'workload.yaml'),
      readFileSync(join(cache, 'templates', 'workload.yaml'), 'utf8').replace('cache:3.1.0', 'cache:3.2.0'),
    );
    rmSync(join(chartsDir(), 'cache-3.1.0.tgz'));
    await execa(helmBinary(), ['package', cache, '--destination', chartsDir()]);
    const sync = await run(['sync', '-l', 'name=stack']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^monitoring\/stack +upgraded /m);
    const deployment = cluster.store.get('apps/v1', 'Deployment', 'monitoring', 'stack-cache')?.spec as {
      template: { spec: { containers: { image: string }[] } };
    };
    expect(deployment.template.spec.containers[0]!.image).toBe('registry.example.dev/cache:3.2.0');
  });

  it('names a dependency charts/ does not satisfy, and how to vendor it', async () => {
    rmSync(join(chartsDir(), 'cache-3.2.0.tgz'));
    const skipped = await run(['template', '-l', 'name=stack', '--skip-deps', '--debug']);
    expect(skipped.exitCode).toBe(1);
    expect(skipped.stderr).toContain('charts/stack: cache ^3 is missing from charts/ (--skip-deps builds nothing)');
    expect(skipped.stderr).toContain(
      "helm pull oci://registry.example.invalid/charts/cache --version '^3' --destination",
    );
    expect(skipped.stderr).not.toMatch(/\$ \S+helm /);
    // diff and sync stop before they read the cluster.
    const before = cluster.requests.length;
    for (const command of ['diff', 'sync']) {
      const stopped = await run([command, '-l', 'name=stack', '--skip-deps']);
      expect(stopped.exitCode, command).toBe(1);
      expect(stopped.stderr).toContain('cache ^3 is missing from charts/ (--skip-deps builds nothing)');
    }
    expect(cluster.requests.slice(before)).toEqual([]);
    // Without --skip-deps helm dependency build is tried, and cannot reach the repository: the error says what is missing.
    const built = await run(['template', '-l', 'name=stack']);
    expect(built.exitCode).toBe(1);
    expect(built.stderr).toContain('charts/stack: cache ^3 is missing from charts/, and helm dependency build failed');
  });
});

/** issue 32: custom resources whose CRD comes from a release this run installs (test/fixtures/real-world). */
describe('a release of custom resources whose operator this run installs', () => {
  let cluster: ControlPlane;
  let dir: string;
  afterAll(() => cluster.stop());

  it("diffs on an empty cluster: the custom resource checked against the operator release's CRD, and refused when it breaks it", async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    dir = mkdtempSync(join(tmpdir(), 'boutique-needed-crd-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'real-world'), dir, { recursive: true });
    const env = emulatorEnv(cluster);
    const diff = await boutique(['diff', '-l', 'name=operator', '-l', 'name=widgets'], { cwd: dir, env });
    expect(diff.exitCode, diff.stdout + diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(
      /\+ Widget\/widgets.*\n(.*\n)*?.*! checked against the CRD from ops\/operator, not yet installed/,
    );
    expect(diff.stdout).toContain('+ CustomResourceDefinition/widgets.demo.boutique.dev');

    writeFileSync(
      join(dir, 'charts', 'widgets', 'values.yaml'),
      readFileSync(join(dir, 'charts', 'widgets', 'values.yaml'), 'utf8').replace(/^size: .*$/m, 'size: three'),
    );
    const refused = await boutique(['diff', '-l', 'name=operator', '-l', 'name=widgets'], { cwd: dir, env });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(
      'Widget/widgets: spec.size: expected integer, got string (checked against the CRD from ops/operator, not yet installed)',
    );
    expect(cluster.requests.filter(isWrite)).toEqual([]);
  });
});

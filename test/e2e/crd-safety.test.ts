import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWrite, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv } from '../support/tools.js';

const crd = 'backups.safety.boutique.dev';

/**
 * An operator that templates its CRD (so helm upgrades it) and a release of its custom resources: changes that
 * would break the stored objects or their clients are refused before any write; additive ones go through.
 */
describe('CustomResourceDefinition upgrades', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: dir, env });
  const operatorValues = (values: string) => writeFileSync(join(dir, 'values', 'operator.yaml'), values);
  const writesSince = (seq: number) => cluster.requests.slice(seq).filter(isWrite);
  const schemaOf = () =>
    JSON.stringify(cluster.store.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, crd)?.spec);

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    dir = mkdtempSync(join(tmpdir(), 'boutique-crd-safety-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'crd-safety'), dir, { recursive: true });
    env = emulatorEnv(cluster);
    const first = await run(['sync']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(
      cluster.store
        .list('safety.boutique.dev/v1', 'Backup', 'data')
        .map((backup) => backup.metadata.name)
        .sort(),
    ).toEqual(['monthly', 'nightly']);
  });
  afterAll(() => cluster.stop());

  it('refuses to stop serving a version clients use, writing nothing', async () => {
    operatorValues('alphaVersion: false\ntargetField: true\n');
    const before = cluster.requests.length;
    const schema = schemaOf();
    const result = await run(['sync']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ops\/backup-operator +failed/m);
    expect(result.stdout).toMatch(
      /^data\/backups +skipped .*nothing was applied: ops\/backup-operator would make an unsafe CustomResourceDefinition change/m,
    );
    expect(result.stderr).toContain(
      `${crd}: version v1alpha1 is served today and would be removed: clients that use it break [served-version-removed]`,
    );
    expect(result.stderr).toContain(`--allow-unsafe-crd-change ${crd}`);
    expect(writesSince(before)).toEqual([]);
    expect(schemaOf()).toBe(schema);
  });

  it('names every stored object a new required field, a new bound or a dropped field breaks', async () => {
    operatorValues('alphaVersion: true\ntargetField: false\nrequireOwner: true\nmaxRetention: 30\n');
    const before = cluster.requests.length;
    const result = await run(['sync']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('2 live Backup objects fail the new schema [object-rejected]');
    expect(result.stderr).toMatch(
      /data\/monthly: \.spec must have required property 'owner'; \.spec\.retention must be <= 30/,
    );
    expect(result.stderr).toMatch(
      /data\/nightly: \.spec must have required property 'owner'; \.spec\.target is set and no longer in the schema/,
    );
    expect(writesSince(before)).toEqual([]);

    const diff = await run(['diff']);
    expect(diff.exitCode, diff.stderr).toBe(0);
    expect(diff.stdout).toContain(
      `! unsafe, sync refuses it without --allow-unsafe-crd-change ${crd}: 2 live Backup objects fail the new schema`,
    );
    expect(diff.stdout).toContain('! schema ~ v1 .spec.owner: now required');
    expect(diff.stdout).toContain('! schema - v1 .spec.target');
  });

  it('applies an additive change, and an unsafe one the flag names', async () => {
    operatorValues('alphaVersion: true\ntargetField: true\npausedField: true\n');
    const additive = await run(['sync', '-o', 'json']);
    expect(additive.exitCode, additive.stderr).toBe(0);
    // toMatchObject: a real API server sometimes answers a request of the run with a transient error while it
    // reloads the changed CRD; boutique tries it again and the summary counts it as `retries`.
    expect(JSON.parse(additive.stdout).summary).toMatchObject({ upgraded: 1, unchanged: 1, changes: true });
    expect(schemaOf()).toContain('"paused":{"type":"boolean"}');

    operatorValues('alphaVersion: true\ntargetField: false\npausedField: true\n');
    const allowed = await run(['sync', '--allow-unsafe-crd-change', crd, '-o', 'json']);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout).summary).toMatchObject({ upgraded: 1, unchanged: 1, changes: true });
    expect(schemaOf()).not.toContain('"target"');
  });
});

describe('uninstalling an operator whose CRD still has objects', () => {
  let cluster: ControlPlane;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: dir, env });

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    dir = mkdtempSync(join(tmpdir(), 'boutique-crd-destroy-'));
    cpSync(join(repoRoot, 'test', 'fixtures', 'crd-safety'), dir, { recursive: true });
    env = emulatorEnv(cluster);
    const first = await run(['sync']);
    expect(first.exitCode, first.stderr).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('refuses with --yes alone, naming the CRD and how many objects go with it; --delete-crds lets it go', async () => {
    const before = cluster.requests.length;
    const refused = await run(['destroy', '-l', 'name=backup-operator', '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `nothing was uninstalled: ops/backup-operator deletes CustomResourceDefinition ${crd} and with it 2 live Backup objects`,
    );
    expect(refused.stderr).toContain('--delete-crds');
    expect(cluster.requests.slice(before).filter(isWrite)).toEqual([]);

    const deleted = await run(['destroy', '-l', 'name=backup-operator', '--yes', '--delete-crds', '-o', 'json']);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout).summary).toEqual({ uninstalled: 1, changes: true });
    expect(cluster.store.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, crd)).toBeUndefined();
  });

  it('lets a destroy of both go without the flag: the custom resources go first, with their own release', async () => {
    const again = await run(['sync']);
    expect(again.exitCode, again.stderr).toBe(0);
    // Destroyed together, the custom resources go first with their release: nothing is deleted behind anyone's back.
    const both = await run(['destroy', '--yes', '-o', 'json']);
    expect(both.exitCode, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout).summary).toEqual({ uninstalled: 2, changes: true });
  });
});

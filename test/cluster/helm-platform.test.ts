/**
 * helm v4.1.4 installs a chart of cluster-wide kinds (test/cluster/data/platform: RBAC, a webhook configuration,
 * IngressClass, PriorityClass, StorageClass, CronJob, Lease) and waits with the watcher; the server's
 * validation and OpenAPI reach helm's error messages. One emulator for the file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helm, writeChartFiles } from './clients.js';
import { isWrite, startEmulator, type Emulator } from './emulator.js';
import { apiVersionOf, builtinTypes } from './kinds.js';
import { nameOf, sampleManifests } from './samples.js';

const chart = fileURLToPath(new URL('./data/platform', import.meta.url));
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 50 });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('every built-in kind', () => {
  it('installs with the watcher wait and uninstalls', async () => {
    const workdir = await mkdtemp(join(tmpdir(), 'emulator-kinds-'));
    try {
      const chart = await writeChartFiles(workdir, 'every-kind', '{}\n', { 'all.yaml': sampleManifests(undefined) });
      const installed = await helm(emulator, ['upgrade', '--install', 'every', chart, '-n', 'every', '--create-namespace', '--wait=watcher', '--timeout', '30s']);
      expect(installed.stderr).toBe('');
      expect(installed.exitCode).toBe(0);
      const stored = (namespaced: boolean) => builtinTypes.filter((type) => type.namespaced === namespaced);
      for (const type of stored(true)) expect([type.kind, emulator.store.get(apiVersionOf(type), type.kind, 'every', nameOf(type))?.metadata.name]).toEqual([type.kind, nameOf(type)]);
      for (const type of stored(false)) expect([type.kind, emulator.store.get(apiVersionOf(type), type.kind, undefined, nameOf(type))?.metadata.name]).toEqual([type.kind, nameOf(type)]);
      expect((await helm(emulator, ['uninstall', 'every', '-n', 'every', '--wait', '--timeout', '30s'])).exitCode).toBe(0);
      expect(builtinTypes.filter((type) => emulator.store.get(apiVersionOf(type), type.kind, type.namespaced ? 'every' : undefined, nameOf(type))).map((type) => type.kind)).toEqual([]);
    } finally {
      await rm(workdir, { recursive: true, force: true });
    }
  });
});

/** [apiVersion, kind, namespaced] of every object the chart renders by default. */
const rendered: [string, string, boolean][] = [
  ['v1', 'ServiceAccount', true],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', false],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', false],
  ['rbac.authorization.k8s.io/v1', 'Role', true],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', true],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', false],
  ['networking.k8s.io/v1', 'IngressClass', false],
  ['scheduling.k8s.io/v1', 'PriorityClass', false],
  ['storage.k8s.io/v1', 'StorageClass', false],
  ['batch/v1', 'CronJob', true],
  ['coordination.k8s.io/v1', 'Lease', true],
];

describe('a chart of cluster-wide kinds', () => {
  it('installs with the watcher wait, cluster-scoped objects without a namespace', async () => {
    const result = await helm(emulator, ['upgrade', '--install', 'plat', chart, '-n', 'platform', '--create-namespace', '--wait=watcher', '--timeout', '20s']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const [apiVersion, kind, namespaced] of rendered) {
      const names = emulator.store.list(apiVersion, kind).filter((object) => object.metadata.name?.startsWith('plat-')).map((object) => object.metadata.namespace ?? '<cluster>');
      expect([kind, names]).toEqual([kind, [namespaced ? 'platform' : '<cluster>']]);
    }
    const applied = emulator.requests.filter((entry) => isWrite(entry) && entry.verb === 'patch' && entry.name?.startsWith('plat-'));
    expect(applied.find((entry) => entry.resource === 'clusterroles')?.path).toBe('/apis/rbac.authorization.k8s.io/v1/clusterroles/plat-controller');
    expect(applied.every((entry) => entry.query.fieldValidation === 'Strict')).toBe(true);
  });

  it('upgrades in place, and uninstalls every object', async () => {
    const upgraded = await helm(emulator, ['upgrade', 'plat', chart, '-n', 'platform', '--set', 'schedule=*/5 * * * *', '--wait=watcher', '--timeout', '20s']);
    expect(upgraded.exitCode).toBe(0);
    expect(emulator.store.get('batch/v1', 'CronJob', 'platform', 'plat-cleanup')?.spec).toMatchObject({ schedule: '*/5 * * * *' });
    expect((await helm(emulator, ['uninstall', 'plat', '-n', 'platform', '--wait'])).exitCode).toBe(0);
    for (const [apiVersion, kind] of rendered) expect(emulator.store.list(apiVersion, kind).filter((object) => object.metadata.name?.startsWith('plat-'))).toEqual([]);
  });

  it('fails an install whose env value YAML reads as a boolean, with the server message', async () => {
    const result = await helm(emulator, ['upgrade', '--install', 'unquoted', chart, '-n', 'platform', '--set', 'quoteDebug=false']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'failed to create typed patch object (platform/unquoted-cleanup; batch/v1, Kind=CronJob): .spec.jobTemplate.spec.template.spec.containers[name="cleanup"].env[name="DEBUG"].value: expected string, got &value.valueUnstructured{Value:false}',
    );
  });

  it('reports a kind without a CRD as a real cluster does', async () => {
    const result = await helm(emulator, ['upgrade', '--install', 'widgets', chart, '-n', 'platform', '--set', 'widget=true']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('resource mapping not found for name: "widgets-widget" namespace: "" from "": no matches for kind "Widget" in version "example.com/v1"');
    expect(result.stderr).toContain('ensure CRDs are installed first');
  });
});

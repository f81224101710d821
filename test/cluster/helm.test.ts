/**
 * Conformance of the emulator with real helm v4.1.4: the flows of the surface doc (sections 2-5 and 7).
 * One emulator for the file; each describe uses its own releases and namespaces.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmBinary } from '../support/tools.js';
import { helm, kubectl, writeAllKindsChart, writeChart } from './clients.js';
import { isWrite, startEmulator, type Emulator, type KubeObject } from './emulator.js';

let emulator: Emulator;
let workdir: string;
let chart: string;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 100 });
  workdir = await mkdtemp(join(tmpdir(), 'emulator-helm-'));
  chart = await writeChart(workdir);
});

afterAll(async () => {
  await emulator?.stop();
  await rm(workdir, { recursive: true, force: true });
});

/** Release secrets of `release`, by revision. */
function releaseSecrets(namespace: string, release: string): Map<number, KubeObject> {
  const secrets = emulator.store.list('v1', 'Secret', namespace).filter((secret) => secret.metadata.labels?.owner === 'helm' && secret.metadata.labels.name === release);
  return new Map(secrets.map((secret) => [Number(secret.metadata.labels?.version), secret]));
}

function releaseStatuses(namespace: string, release: string): Record<number, string | undefined> {
  return Object.fromEntries([...releaseSecrets(namespace, release)].map(([revision, secret]) => [revision, secret.metadata.labels?.status]));
}

function deployment(namespace: string, name: string): KubeObject {
  const object = emulator.store.get('apps/v1', 'Deployment', namespace, name);
  if (!object) throw new Error(`Deployment ${namespace}/${name} does not exist`);
  return object;
}

/** Requests made from now on, for assertions on one command. */
function requestsFrom(mark: number) {
  return emulator.requests.filter((entry) => entry.seq > mark);
}

const lastSeq = (): number => emulator.requests[emulator.requests.length - 1]?.seq ?? 0;

describe('release lifecycle', () => {
  it('installs with --create-namespace and waits with the watcher', async () => {
    const mark = lastSeq();
    const result = await helm(emulator, ['upgrade', '--install', 'app', chart, '-n', 'shop', '--create-namespace', '--wait', '--timeout', '20s']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(releaseStatuses('shop', 'app')).toEqual({ 1: 'deployed' });
    const writes = requestsFrom(mark).filter(isWrite).map((entry) => `${entry.verb} ${entry.resource} ${entry.name ?? ''}`.trim());
    expect(writes).toEqual([
      'patch namespaces shop',
      'create secrets',
      'patch configmaps app-cfg',
      'patch services app-web',
      'patch deployments app-web',
      'update secrets sh.helm.release.v1.app.v1',
    ]);
    const web = deployment('shop', 'app-web');
    expect(web.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm' });
    expect(web.status).toMatchObject({ availableReplicas: 1, observedGeneration: 1 });
    const [replicaSet] = emulator.store.list('apps/v1', 'ReplicaSet', 'shop');
    expect(replicaSet?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', uid: web.metadata.uid, controller: true })]);
    expect(requestsFrom(mark).some((entry) => entry.verb === 'watch' && entry.query.sendInitialEvents === 'true')).toBe(true);
  });

  it('upgrades with changed values: new revision, new generation and ReplicaSet', async () => {
    const result = await helm(emulator, ['upgrade', '--install', 'app', chart, '-n', 'shop', '--set', 'message=changed', '--wait', '--timeout', '20s']);
    expect(result.exitCode).toBe(0);
    expect(releaseStatuses('shop', 'app')).toEqual({ 1: 'superseded', 2: 'deployed' });
    expect(emulator.store.get('v1', 'ConfigMap', 'shop', 'app-cfg')?.data).toEqual({ message: 'changed' });
    const web = deployment('shop', 'app-web');
    expect(web.metadata.generation).toBe(2);
    expect(web.status).toMatchObject({ observedGeneration: 2, availableReplicas: 1 });
    expect(emulator.store.list('apps/v1', 'ReplicaSet', 'shop').map((replicaSet) => (replicaSet.spec as { replicas: number }).replicas).sort()).toEqual([0, 1]);
  });

  it('upgrades with identical values: a new revision and no object changes', async () => {
    const before = emulator.store.get('v1', 'ConfigMap', 'shop', 'app-cfg')?.metadata.resourceVersion;
    const result = await helm(emulator, ['upgrade', '--install', 'app', chart, '-n', 'shop', '--set', 'message=changed', '--wait=legacy', '--timeout', '20s']);
    expect(result.exitCode).toBe(0);
    expect(releaseStatuses('shop', 'app')).toEqual({ 1: 'superseded', 2: 'superseded', 3: 'deployed' });
    expect(emulator.store.get('v1', 'ConfigMap', 'shop', 'app-cfg')?.metadata.resourceVersion).toBe(before);
    expect(deployment('shop', 'app-web').metadata.generation).toBe(2);
  });

  it('reads the release back: list -A, status -o json, history, get manifest and values', async () => {
    const list = await helm(emulator, ['list', '-A', '-o', 'json']);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'app', namespace: 'shop', revision: '3', status: 'deployed' })]);
    const status = JSON.parse((await helm(emulator, ['status', 'app', '-n', 'shop', '-o', 'json'])).stdout);
    expect(status).toMatchObject({ name: 'app', version: 3, info: { status: 'deployed' } });
    const history = JSON.parse((await helm(emulator, ['history', 'app', '-n', 'shop', '-o', 'json'])).stdout) as { revision: number }[];
    expect(history.map((entry) => entry.revision)).toEqual([1, 2, 3]);
    const manifest = await helm(emulator, ['get', 'manifest', 'app', '-n', 'shop']);
    expect(manifest.stdout).toContain('name: app-cfg');
    const values = await helm(emulator, ['get', 'values', 'app', '-n', 'shop', '-o', 'json']);
    expect(JSON.parse(values.stdout)).toEqual({ message: 'changed' });
  });

  it('sends no mutating request with --dry-run=server', async () => {
    const mark = lastSeq();
    const result = await helm(emulator, ['upgrade', '--install', 'app', chart, '-n', 'shop', '--set', 'message=dry', '--dry-run=server']);
    expect(result.exitCode).toBe(0);
    expect(requestsFrom(mark).filter(isWrite)).toEqual([]);
    expect(emulator.store.get('v1', 'ConfigMap', 'shop', 'app-cfg')?.data).toEqual({ message: 'changed' });
  });

  it('rolls back to an earlier revision', async () => {
    const result = await helm(emulator, ['rollback', 'app', '1', '-n', 'shop', '--wait', '--timeout', '20s']);
    expect(result.exitCode).toBe(0);
    expect(releaseStatuses('shop', 'app')[4]).toBe('deployed');
    expect(emulator.store.get('v1', 'ConfigMap', 'shop', 'app-cfg')?.data).toEqual({ message: 'hello' });
  });

  it('uninstalls with --wait, removing the objects, their ReplicaSets and the release', async () => {
    const result = await helm(emulator, ['uninstall', 'app', '-n', 'shop', '--wait', '--timeout', '20s']);
    expect(result.exitCode).toBe(0);
    expect(emulator.store.list('apps/v1', 'Deployment', 'shop')).toEqual([]);
    expect(emulator.store.list('apps/v1', 'ReplicaSet', 'shop')).toEqual([]);
    expect(releaseSecrets('shop', 'app').size).toBe(0);
    const status = await helm(emulator, ['status', 'app', '-n', 'shop']);
    expect(status.stderr).toContain('Error: release: not found');
  });
});

describe('failures', () => {
  it('times out a --wait install when the Deployment never becomes ready', async () => {
    const remove = emulator.faults.neverReady({ kind: 'Deployment', namespace: 'slow' });
    const result = await helm(emulator, ['install', 'slow', chart, '-n', 'slow', '--create-namespace', '--wait', '--timeout', '3s']);
    remove();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('resource Deployment/slow/slow-web not ready');
    expect(result.stderr).toContain('context deadline exceeded');
    expect(releaseStatuses('slow', 'slow')).toEqual({ 1: 'failed' });
  });

  it('times out a legacy wait too', async () => {
    const remove = emulator.faults.neverReady({ kind: 'Deployment', namespace: 'slow' });
    const result = await helm(emulator, ['upgrade', 'slow', chart, '-n', 'slow', '--set', 'replicas=2', '--wait=legacy', '--timeout', '3s']);
    remove();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('context deadline exceeded');
    expect(releaseStatuses('slow', 'slow')[2]).toBe('failed');
  });

  it('uninstalls a failed install with --rollback-on-failure', async () => {
    const remove = emulator.faults.neverReady({ kind: 'Deployment', namespace: 'atomic' });
    const result = await helm(emulator, ['install', 'atomic', chart, '-n', 'atomic', '--create-namespace', '--rollback-on-failure', '--timeout', '3s']);
    remove();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('has been uninstalled due to rollback-on-failure being set');
    expect(releaseSecrets('atomic', 'atomic').size).toBe(0);
    expect(emulator.store.list('v1', 'ConfigMap', 'atomic')).toEqual([]);
  });

  it('rolls back a failed upgrade with --rollback-on-failure', async () => {
    expect((await helm(emulator, ['install', 'atomic', chart, '-n', 'atomic', '--wait', '--timeout', '20s'])).exitCode).toBe(0);
    const broken = (object: KubeObject): boolean => JSON.stringify(object.spec).includes('nginx:broken');
    const remove = emulator.faults.neverReady({ kind: 'Deployment', namespace: 'atomic', where: broken });
    const result = await helm(emulator, ['upgrade', 'atomic', chart, '-n', 'atomic', '--set', 'image=nginx:broken', '--rollback-on-failure', '--timeout', '3s']);
    remove();
    expect(result.stderr).toContain('has been rolled back due to rollback-on-failure being set');
    expect(result.exitCode).toBe(1);
    expect(releaseStatuses('atomic', 'atomic')).toEqual({ 1: 'superseded', 2: 'failed', 3: 'deployed' });
    expect(JSON.stringify(deployment('atomic', 'atomic-web').spec)).toContain('nginx:1.27');
  });

  it('refuses to adopt an object without helm ownership metadata, unless told to take ownership', async () => {
    expect((await kubectl(emulator, ['create', 'namespace', 'adopt'])).exitCode).toBe(0);
    expect((await kubectl(emulator, ['create', 'configmap', 'adopt-cfg', '-n', 'adopt', '--from-literal=note=mine'])).exitCode).toBe(0);
    const refused = await helm(emulator, ['install', 'adopt', chart, '-n', 'adopt']);
    expect(refused.stderr).toContain('ConfigMap "adopt-cfg" in namespace "adopt" exists and cannot be imported into the current release: invalid ownership metadata');
    expect((await helm(emulator, ['install', 'adopt', chart, '-n', 'adopt', '--take-ownership'])).exitCode).toBe(0);
    const adopted = emulator.store.get('v1', 'ConfigMap', 'adopt', 'adopt-cfg');
    expect(adopted?.metadata.annotations).toMatchObject({ 'meta.helm.sh/release-name': 'adopt' });
    expect(adopted?.data).toEqual({ note: 'mine', message: 'hello' });
  });

  it('reports a field conflict with another manager and takes the field with --force-conflicts', async () => {
    expect((await helm(emulator, ['install', 'drift', chart, '-n', 'drift', '--create-namespace'])).exitCode).toBe(0);
    const edit = await kubectl(
      emulator,
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kubectl-edit', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drift-cfg', namespace: 'drift' }, data: { message: 'edited' } }),
    );
    expect(edit.exitCode).toBe(0);
    const conflict = await helm(emulator, ['upgrade', 'drift', chart, '-n', 'drift', '--set', 'message=new']);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.message');
    const forced = await helm(emulator, ['upgrade', 'drift', chart, '-n', 'drift', '--set', 'message=new', '--force-conflicts']);
    expect(forced.exitCode).toBe(0);
    expect(emulator.store.get('v1', 'ConfigMap', 'drift', 'drift-cfg')?.data).toEqual({ message: 'new' });
  });
});

describe('pending releases', () => {
  /** Start a helm command that waits forever, and kill helm once revision `revision` is stored as `status`. */
  async function interrupted(args: string[], namespace: string, release: string, revision: number, status: string): Promise<void> {
    const remove = emulator.faults.neverReady({ kind: 'Deployment', namespace });
    const running = execa(helmBinary(), [...args, '--wait', '--timeout', '60s'], { env: emulator.env, reject: false });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (releaseStatuses(namespace, release)[revision] === status) {
          clearInterval(check);
          resolve();
        }
      }, 50);
    });
    running.kill('SIGKILL');
    await running;
    remove();
  }

  it('keeps the pending-upgrade lock after helm dies, and recovers with rollback', async () => {
    expect((await helm(emulator, ['install', 'locked', chart, '-n', 'locked', '--create-namespace'])).exitCode).toBe(0);
    await interrupted(['upgrade', 'locked', chart, '-n', 'locked', '--set', 'message=v2'], 'locked', 'locked', 2, 'pending-upgrade');
    const blocked = await helm(emulator, ['upgrade', 'locked', chart, '-n', 'locked']);
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('another operation (install/upgrade/rollback) is in progress');
    const rollback = await helm(emulator, ['rollback', 'locked', '-n', 'locked']);
    expect(rollback.exitCode).toBe(0);
    expect(releaseStatuses('locked', 'locked')[3]).toBe('deployed');
    expect((await helm(emulator, ['upgrade', 'locked', chart, '-n', 'locked'])).exitCode).toBe(0);
  });

  it('keeps a pending-install lock that uninstall clears', async () => {
    await interrupted(['install', 'stuck', chart, '-n', 'stuck', '--create-namespace'], 'stuck', 'stuck', 1, 'pending-install');
    const blocked = await helm(emulator, ['install', 'stuck', chart, '-n', 'stuck']);
    expect(blocked.stderr).toContain('Error: INSTALLATION FAILED: release name check failed: cannot reuse a name that is still in use');
    expect((await helm(emulator, ['uninstall', 'stuck', '-n', 'stuck'])).exitCode).toBe(0);
    expect((await helm(emulator, ['install', 'stuck', chart, '-n', 'stuck'])).exitCode).toBe(0);
  });

  it('treats a 409 on the release POST as the concurrency lock', async () => {
    const remove = emulator.faults.conflictOn({ resource: 'secrets', verb: 'create', namespace: 'locked' });
    const result = await helm(emulator, ['upgrade', 'locked', chart, '-n', 'locked']);
    remove();
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('UPGRADE FAILED');
  });
});

describe('kinds, waits and apply methods', () => {
  it('waits with the watcher on a server without WatchList, through list and watch', async () => {
    const remove = emulator.faults.rejectWatchList();
    const mark = lastSeq();
    const result = await helm(emulator, ['install', 'fallback', chart, '-n', 'fallback', '--create-namespace', '--set', 'replicas=2', '--wait', '--timeout', '20s']);
    remove();
    expect(result.exitCode).toBe(0);
    const watches = requestsFrom(mark).filter((entry) => entry.verb === 'watch' && entry.resource === 'deployments');
    expect(watches.map((entry) => [entry.status, entry.query.sendInitialEvents ?? 'list+watch'])).toEqual([
      [422, 'true'],
      [200, 'list+watch'],
    ]);
    expect(deployment('fallback', 'fallback-web').status).toMatchObject({ readyReplicas: 2 });
  });

  it('waits for every kind the shipped charts render, with the watcher and the legacy strategy', async () => {
    const kinds = await writeAllKindsChart(workdir);
    const watcher = await helm(emulator, ['install', 'kinds', kinds, '-n', 'kinds', '--create-namespace', '--wait', '--timeout', '20s']);
    expect(watcher.stderr).toBe('');
    const legacy = await helm(emulator, ['install', 'legacy', kinds, '-n', 'kinds', '--wait=legacy', '--timeout', '20s']);
    expect(legacy.stderr).toBe('');
    expect(emulator.store.list('v1', 'PersistentVolumeClaim', 'kinds').map((claim) => `${claim.metadata.name} ${(claim.status as { phase: string }).phase}`)).toEqual([
      'data-kinds-db-0 Bound',
      'data-kinds-db-1 Bound',
      'data-legacy-db-0 Bound',
      'data-legacy-db-1 Bound',
      'kinds-scratch Bound',
      'legacy-scratch Bound',
    ]);
    expect(emulator.store.get('v1', 'Service', 'kinds', 'kinds-lb')?.status).toEqual({ loadBalancer: { ingress: [expect.objectContaining({ ip: expect.any(String) })] } });
    expect(emulator.store.get('v1', 'Secret', 'kinds', 'kinds-auth')?.data).toEqual({ password: Buffer.from('s3cret').toString('base64') });
  });

  it('installs and upgrades client-side, then switches to server-side apply', async () => {
    expect((await helm(emulator, ['install', 'csa', chart, '-n', 'csa', '--create-namespace', '--server-side=false'])).exitCode).toBe(0);
    const mark = lastSeq();
    expect((await helm(emulator, ['upgrade', 'csa', chart, '-n', 'csa', '--set', 'message=csa'])).exitCode).toBe(0);
    const patch = requestsFrom(mark).find((entry) => entry.verb === 'patch' && entry.name === 'csa-cfg');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(emulator.store.get('v1', 'ConfigMap', 'csa', 'csa-cfg')?.data).toEqual({ message: 'csa' });
    expect((await helm(emulator, ['upgrade', 'csa', chart, '-n', 'csa', '--set', 'message=ssa', '--server-side=true'])).exitCode).toBe(0);
    const live = emulator.store.get('v1', 'ConfigMap', 'csa', 'csa-cfg');
    expect(live?.data).toEqual({ message: 'ssa' });
    expect(live?.metadata.managedFields?.map((entry) => `${entry.manager} ${entry.operation}`)).toEqual(['helm Apply']);
  });
});

describe('hooks', () => {
  it('runs a post-install hook Job to completion and deletes it', async () => {
    const result = await helm(emulator, ['install', 'hooked', chart, '-n', 'hooked', '--create-namespace', '--set', 'hook=true', '--timeout', '20s']);
    expect(result.exitCode).toBe(0);
    const jobRequests = emulator.requests.filter((entry) => entry.resource === 'jobs' && entry.namespace === 'hooked');
    expect(jobRequests.map((entry) => entry.verb)).toContain('watch');
    expect(emulator.store.list('batch/v1', 'Job', 'hooked')).toEqual([]);
  });
});

/** Conformance of the emulator with real kubectl v1.35.2 (surface doc, section 6). One emulator for the file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl } from './clients.js';
import { startEmulator, type Emulator } from './emulator.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 50 });
});

afterAll(async () => {
  await emulator?.stop();
});

function configMap(name: string, data: Record<string, string>, namespace = 'default'): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
}

const deployment = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'front' } },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 8080 }], env: [{ name: 'A', value: '1' }] }] },
    },
  },
});

const liveConfigMap = (name: string, namespace = 'default') => emulator.store.get('v1', 'ConfigMap', namespace, name);

describe('server-side apply', () => {
  it('creates, then leaves an identical object untouched', async () => {
    const created = await kubectl(emulator, ['apply', '--server-side', '-f', '-'], configMap('ssa', { a: '1', b: '2' }));
    expect(created.stdout.trim()).toBe('configmap/ssa serverside-applied');
    const version = liveConfigMap('ssa')?.metadata.resourceVersion;
    expect((await kubectl(emulator, ['apply', '--server-side', '-f', '-'], configMap('ssa', { a: '1', b: '2' }))).exitCode).toBe(0);
    expect(liveConfigMap('ssa')?.metadata.resourceVersion).toBe(version);
    expect(liveConfigMap('ssa')?.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} } } }),
    ]);
  });

  it('removes fields the same manager stopped applying, keeping fields of other managers', async () => {
    await kubectl(emulator, ['patch', 'configmap', 'ssa', '--type', 'merge', '-p', '{"data":{"c":"3"}}']);
    const result = await kubectl(emulator, ['apply', '--server-side', '-f', '-'], configMap('ssa', { a: '1' }));
    expect(result.exitCode).toBe(0);
    expect(liveConfigMap('ssa')?.data).toEqual({ a: '1', c: '3' });
  });

  it('rejects a conflicting apply of another manager, and --force-conflicts takes the field over', async () => {
    const conflict = await kubectl(emulator, ['apply', '--server-side', '--field-manager=kubectl-edit', '-f', '-'], configMap('ssa', { a: 'edited' }));
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.a');
    const forced = await kubectl(emulator, ['apply', '--server-side', '--force-conflicts', '--field-manager=kubectl-edit', '-f', '-'], configMap('ssa', { a: 'edited' }));
    expect(forced.exitCode).toBe(0);
    const managers = liveConfigMap('ssa')?.metadata.managedFields?.map((entry) => [entry.manager, entry.fieldsV1]);
    expect(managers).toContainEqual(['kubectl-edit', { 'f:data': { 'f:a': {} } }]);
    expect(managers?.find(([manager]) => manager === 'kubectl')).toBeUndefined();
  });

  it('merges containers, ports and env by key', async () => {
    expect((await kubectl(emulator, ['apply', '--server-side', '-f', '-'], deployment)).exitCode).toBe(0);
    const sidecar = JSON.parse(deployment);
    sidecar.spec.template.spec.containers = [{ name: 'sidecar', image: 'busybox:1.36' }];
    const result = await kubectl(emulator, ['apply', '--server-side', '--field-manager=sidecar-injector', '-f', '-'], JSON.stringify(sidecar));
    expect(result.exitCode).toBe(0);
    const live = emulator.store.get('apps/v1', 'Deployment', 'default', 'web');
    const containers = (live?.spec as { template: { spec: { containers: { name: string }[] } } }).template.spec.containers;
    expect(containers.map((container) => container.name)).toEqual(['web', 'sidecar']);
  });
});

describe('diff', () => {
  it('server-side: exit 0 without changes, 1 with, and nothing persisted', async () => {
    await kubectl(emulator, ['apply', '--server-side', '-f', '-'], configMap('differ', { a: '1' }));
    const version = liveConfigMap('differ')?.metadata.resourceVersion;
    expect((await kubectl(emulator, ['diff', '--server-side', '-f', '-'], configMap('differ', { a: '1' }))).exitCode).toBe(0);
    const changed = await kubectl(emulator, ['diff', '--server-side', '-f', '-'], configMap('differ', { a: '2' }));
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain('+  a: "2"');
    expect(liveConfigMap('differ')?.metadata.resourceVersion).toBe(version);
    expect(emulator.requests.filter((entry) => entry.name === 'differ' && entry.dryRun).map((entry) => entry.verb)).toEqual(['patch', 'patch']);
  });

  it('client-side: exit 0 after apply, 1 with changes', async () => {
    expect((await kubectl(emulator, ['apply', '-f', '-'], configMap('csa', { a: '1' }))).exitCode).toBe(0);
    expect(liveConfigMap('csa')?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"a":"1"');
    expect((await kubectl(emulator, ['diff', '-f', '-'], configMap('csa', { a: '1' }))).exitCode).toBe(0);
    const changed = await kubectl(emulator, ['diff', '-f', '-'], configMap('csa', { a: '1', b: '2' }));
    expect(changed.exitCode).toBe(1);
    expect(changed.stdout).toContain('+  b: "2"');
    expect(liveConfigMap('csa')?.data).toEqual({ a: '1' });
  });

  it('client-side apply of a change patches with a strategic merge patch', async () => {
    expect((await kubectl(emulator, ['apply', '-f', '-'], configMap('csa', { b: '2' }))).exitCode).toBe(0);
    expect(liveConfigMap('csa')?.data).toEqual({ b: '2' });
    const patch = emulator.requests.findLast((entry) => entry.name === 'csa' && entry.verb === 'patch');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
  });
});

describe('get', () => {
  it('prints JSON lists and objects', async () => {
    const list = JSON.parse((await kubectl(emulator, ['get', 'configmaps', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((item) => item.metadata.name)).toEqual(expect.arrayContaining(['csa', 'differ', 'ssa']));
    const single = JSON.parse((await kubectl(emulator, ['get', 'configmap', 'ssa', '-o', 'json'])).stdout);
    expect(single).toMatchObject({ kind: 'ConfigMap', data: { a: 'edited' } });
  });

  it('prints tables with per-kind columns', async () => {
    await kubectl(emulator, ['rollout', 'status', 'deployment/web', '--timeout=20s']);
    const table = await kubectl(emulator, ['get', 'deployments']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(table.stdout).toMatch(/^web\s+1\/1\s+1\s+1\s+\d+s$/m);
  });

  it('lists by label selector and across namespaces', async () => {
    const selected = await kubectl(emulator, ['get', 'deployments', '-A', '-l', 'app in (web,api),tier!=back', '-o', 'name']);
    expect(selected.stdout.trim()).toBe('deployment.apps/web');
    const none = await kubectl(emulator, ['get', 'deployments', '-l', '!tier', '-o', 'name']);
    expect(none.stdout.trim()).toBe('');
  });

  it('serves `get all` through discovery categories', async () => {
    const all = await kubectl(emulator, ['get', 'all', '-o', 'name']);
    expect(all.stdout).toContain('deployment.apps/web');
    expect(all.stdout).toMatch(/replicaset\.apps\/web-/);
  });

  it('creates namespaces, configmaps and secrets sent as protobuf', async () => {
    expect((await kubectl(emulator, ['create', 'namespace', 'proto'])).exitCode).toBe(0);
    expect((await kubectl(emulator, ['create', 'configmap', 'p', '-n', 'proto', '--from-literal=k=v'])).exitCode).toBe(0);
    expect((await kubectl(emulator, ['create', 'secret', 'generic', 's', '-n', 'proto', '--from-literal=k=v'])).exitCode).toBe(0);
    expect(liveConfigMap('p', 'proto')?.data).toEqual({ k: 'v' });
    expect(emulator.store.get('v1', 'Secret', 'proto', 's')?.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(emulator.requests.filter((entry) => entry.namespace === 'proto' && entry.verb === 'create').map((entry) => entry.contentType)).toEqual([
      'application/vnd.kubernetes.protobuf',
      'application/vnd.kubernetes.protobuf',
    ]);
  });
});

describe('custom resources', () => {
  const crd = JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.shop.example.com' },
    spec: {
      group: 'shop.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  const widget = (size: number) => JSON.stringify({ apiVersion: 'shop.example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default' }, spec: { size } });

  it('serves custom resources once the CRD is Established, and deletes them with it', async () => {
    expect((await kubectl(emulator, ['apply', '--server-side', '-f', '-'], crd)).exitCode).toBe(0);
    expect((await kubectl(emulator, ['wait', '--for=condition=Established', 'crd/widgets.shop.example.com', '--timeout=5s'])).exitCode).toBe(0);
    expect((await kubectl(emulator, ['apply', '--server-side', '-f', '-'], widget(3))).exitCode).toBe(0);
    expect((await kubectl(emulator, ['get', 'wd', '-o', 'name'])).stdout.trim()).toBe('widget.shop.example.com/w1');
    expect((await kubectl(emulator, ['diff', '--server-side', '-f', '-'], widget(4))).exitCode).toBe(1);
    expect((await kubectl(emulator, ['delete', 'crd', 'widgets.shop.example.com'])).exitCode).toBe(0);
    expect((await kubectl(emulator, ['get', 'widgets.shop.example.com'])).exitCode).toBe(1);
    await kubectl(emulator, ['apply', '--server-side', '-f', '-'], crd);
    await kubectl(emulator, ['wait', '--for=condition=Established', 'crd/widgets.shop.example.com', '--timeout=5s']);
    expect(emulator.store.list('shop.example.com/v1', 'Widget', 'default')).toEqual([]);
  });
});

describe('changes and deletion', () => {
  it('scales a Deployment through the scale subresource', async () => {
    const result = await kubectl(emulator, ['scale', 'deployment/web', '--replicas=3']);
    expect(result.exitCode).toBe(0);
    const live = emulator.store.get('apps/v1', 'Deployment', 'default', 'web');
    expect(live?.spec).toMatchObject({ replicas: 3 });
    expect(live?.metadata.managedFields).toContainEqual(expect.objectContaining({ subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }));
    expect((await kubectl(emulator, ['wait', '--for=jsonpath={.status.readyReplicas}=3', 'deployment/web', '--timeout=20s'])).exitCode).toBe(0);
  });

  it('patches with json, merge and strategic patches', async () => {
    await kubectl(emulator, ['patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]']);
    await kubectl(emulator, ['patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":null}}}']);
    await kubectl(emulator, ['patch', 'deployment', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.28"}]}}}}']);
    const live = emulator.store.get('apps/v1', 'Deployment', 'default', 'web');
    const spec = live?.spec as { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
    expect(spec.replicas).toBe(2);
    expect(live?.metadata.labels).toEqual({ app: 'web' });
    expect(spec.template.spec.containers.map((container) => `${container.name}=${container.image}`)).toEqual(['web=nginx:1.28', 'sidecar=busybox:1.36']);
  });

  it('waits for conditions with and without WatchList', async () => {
    expect((await kubectl(emulator, ['wait', '--for=condition=Available', 'deployment/web', '--timeout=20s'])).exitCode).toBe(0);
    const fallbackEnv = { ...emulator, env: { ...emulator.env, KUBE_FEATURE_WatchListClient: 'false' } };
    expect((await kubectl(fallbackEnv, ['rollout', 'status', 'deployment/web', '--timeout=20s'])).exitCode).toBe(0);
  });

  it('deletes objects and reports missing ones', async () => {
    expect((await kubectl(emulator, ['delete', 'configmap', 'differ'])).exitCode).toBe(0);
    expect(liveConfigMap('differ')).toBeUndefined();
    const missing = await kubectl(emulator, ['delete', 'configmap', 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): configmaps "nope" not found');
  });

  it('deletes a Deployment with its ReplicaSets and waits for it to go', async () => {
    expect((await kubectl(emulator, ['delete', 'deployment', 'web', '--wait'])).exitCode).toBe(0);
    expect(emulator.store.list('apps/v1', 'ReplicaSet', 'default')).toEqual([]);
    expect((await kubectl(emulator, ['wait', '--for=delete', 'deployment/web', '--timeout=5s'])).exitCode).toBe(0);
  });

  it('deletes a namespace with everything in it', async () => {
    expect((await kubectl(emulator, ['delete', 'namespace', 'proto'])).exitCode).toBe(0);
    expect(emulator.store.list('v1', 'ConfigMap', 'proto')).toEqual([]);
    expect(emulator.store.get('v1', 'Namespace', undefined, 'proto')).toBeUndefined();
  });
});

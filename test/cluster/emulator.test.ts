/** The emulator's own API over HTTP: REST semantics, watches, the request log and fault injection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/wait.js';
import { readyDelayAnnotation, startEmulator, type Emulator, type KubeObject } from './emulator.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 30 });
});

afterAll(async () => {
  await emulator?.stop();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'Content-Type': contentType, 'User-Agent': 'emulator-test/1.0' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const configMaps = '/api/v1/namespaces/default/configmaps';
const deployments = '/apis/apps/v1/namespaces/default/deployments';

function configMap(name: string, data: Record<string, string> = { k: 'v' }, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

function deployment(name: string, image: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

/** Read a watch stream until `enough` accepts the events seen so far, then close it. */
async function watchEvents(path: string, enough: (events: { type: string; object: KubeObject }[]) => boolean): Promise<{ type: string; object: KubeObject }[]> {
  const controller = new AbortController();
  const response = await fetch(`${emulator.url}${path}`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const events: { type: string; object: KubeObject }[] = [];
  let buffered = '';
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += Buffer.from(value).toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line) events.push(JSON.parse(line));
  }
  controller.abort();
  return events;
}

describe('REST semantics', () => {
  it('answers NotFound, AlreadyExists and stale updates with Status objects', async () => {
    const missing = await call('GET', `${deployments}/nope`);
    expect(missing).toEqual({
      status: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found', reason: 'NotFound', details: { name: 'nope', group: 'apps', kind: 'deployments' }, code: 404 },
    });
    expect((await call('POST', configMaps, configMap('dup'))).status).toBe(201);
    expect((await call('POST', configMaps, configMap('dup'))).body).toMatchObject({ reason: 'AlreadyExists', code: 409, message: 'configmaps "dup" already exists' });
    const stale = await call('PUT', `${configMaps}/dup`, { ...configMap('dup'), metadata: { name: 'dup', resourceVersion: '1' } });
    expect(stale.body).toMatchObject({ reason: 'Conflict', code: 409 });
    expect(stale.body.message).toContain('the object has been modified');
  });

  it('refuses objects in a namespace that does not exist', async () => {
    const result = await call('POST', '/api/v1/namespaces/nope/configmaps', configMap('x'));
    expect(result.body).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });

  it('never persists dryRun=All writes and returns the would-be object', async () => {
    expect((await call('POST', `${configMaps}?dryRun=All`, configMap('dry'))).status).toBe(201);
    expect(emulator.store.get('v1', 'ConfigMap', 'default', 'dry')).toBeUndefined();
    await call('POST', configMaps, configMap('dry'));
    const before = emulator.store.get('v1', 'ConfigMap', 'default', 'dry');
    const patched = await call('PATCH', `${configMaps}/dry?dryRun=All`, { data: { k: 'new' } }, 'application/merge-patch+json');
    expect(patched.body).toMatchObject({ data: { k: 'new' }, metadata: { resourceVersion: before?.metadata.resourceVersion } });
    expect(emulator.store.get('v1', 'ConfigMap', 'default', 'dry')).toEqual(before);
  });

  it('bumps generation on spec changes only, and none for ConfigMaps', async () => {
    await call('POST', deployments, deployment('gen', 'a'));
    await call('PATCH', `${deployments}/gen`, { metadata: { labels: { x: 'y' } } }, 'application/merge-patch+json');
    expect(emulator.store.get('apps/v1', 'Deployment', 'default', 'gen')?.metadata.generation).toBe(1);
    await call('PATCH', `${deployments}/gen`, { spec: { replicas: 2 } }, 'application/merge-patch+json');
    expect(emulator.store.get('apps/v1', 'Deployment', 'default', 'gen')?.metadata.generation).toBe(2);
    expect(emulator.store.get('v1', 'ConfigMap', 'default', 'dup')?.metadata.generation).toBeUndefined();
  });

  it('defaults the fields waits dereference', async () => {
    await call('POST', '/apis/batch/v1/namespaces/default/jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'job' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    expect(emulator.store.get('batch/v1', 'Job', 'default', 'job')?.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    expect(emulator.store.get('apps/v1', 'Deployment', 'default', 'gen')?.spec).toMatchObject({ replicas: 2, progressDeadlineSeconds: 600 });
  });

  it('deletes dependents with the owner, unless orphaned', async () => {
    await call('POST', deployments, deployment('owner', 'a'));
    await call('POST', deployments, deployment('orphaner', 'a'));
    await watchEvents(`${deployments}?watch=true&fieldSelector=metadata.name%3Dorphaner`, (events) => events.some((event) => (event.object.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1));
    const ownedBy = (name: string) =>
      emulator.store.list('apps/v1', 'ReplicaSet', 'default').filter((replicaSet) => replicaSet.metadata.name?.startsWith(`${name}-`));
    expect(ownedBy('owner')).toHaveLength(1);
    await call('DELETE', `${deployments}/owner`, { propagationPolicy: 'Background' });
    expect(ownedBy('owner')).toEqual([]);
    await call('DELETE', `${deployments}/orphaner`, { propagationPolicy: 'Orphan' });
    expect(ownedBy('orphaner').map((replicaSet) => replicaSet.metadata.ownerReferences)).toEqual([undefined]);
  });
});

describe('watches', () => {
  it('sends initial events and the initial-events-end bookmark for WatchList', async () => {
    await call('POST', configMaps, configMap('listed', {}, { watch: 'me' }));
    const events = await watchEvents(`${configMaps}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=watch%3Dme`, (seen) =>
      seen.some((event) => event.type === 'BOOKMARK'),
    );
    expect(events.map((event) => `${event.type} ${event.object.metadata.name ?? ''}`.trim())).toEqual(['ADDED listed', 'BOOKMARK']);
    expect(events[1]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('replays events after a resourceVersion, and answers 410 Expired for versions before the history', async () => {
    const created = await call('POST', configMaps, configMap('replayed'));
    const version = (created.body.metadata as { resourceVersion: string }).resourceVersion;
    await call('PATCH', `${configMaps}/replayed`, { data: { k: 'v2' } }, 'application/merge-patch+json');
    await call('DELETE', `${configMaps}/replayed`);
    const events = await watchEvents(`${configMaps}?watch=true&resourceVersion=${version}&fieldSelector=metadata.name%3Dreplayed`, (seen) => seen.length >= 2);
    expect(events.map((event) => event.type)).toEqual(['MODIFIED', 'DELETED']);
    const expired = await watchEvents(`${configMaps}?watch=true&resourceVersion=-5`, (seen) => seen.length >= 1);
    expect(expired[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('reports the status simulator progress as MODIFIED events, honouring the per-object delay', async () => {
    await call('POST', deployments, deployment('slowpoke', 'a', { [readyDelayAnnotation]: '150' }));
    const events = await watchEvents(`${deployments}?watch=true&fieldSelector=metadata.name%3Dslowpoke`, (seen) =>
      seen.some((event) => (event.object.status as { availableReplicas?: number } | undefined)?.availableReplicas === 1),
    );
    const conditions = events.map((event) => ((event.object.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).find((condition) => condition.type === 'Available')?.status);
    expect(conditions[0]).toBe('False');
    expect(conditions[conditions.length - 1]).toBe('True');
    expect(events.slice(1).every((event) => event.type === 'MODIFIED')).toBe(true);
  });
});

describe('request log and faults', () => {
  it('logs verb, resource, name, dry run, status and field manager of each request', async () => {
    await call('PATCH', `${configMaps}/logged?fieldManager=tester&dryRun=All`, configMap('logged'), 'application/apply-patch+yaml');
    expect(emulator.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      verb: 'patch',
      group: '',
      version: 'v1',
      resource: 'configmaps',
      namespace: 'default',
      name: 'logged',
      dryRun: true,
      status: 201,
      fieldManager: 'tester',
      query: { fieldManager: 'tester', dryRun: 'All' },
    });
  });

  it('fails a deterministic share of matching requests', async () => {
    const remove = emulator.faults.failRequests({ share: 0.5, status: 503, matcher: { resource: 'configmaps', verb: 'list' } });
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await call('GET', configMaps)).status);
    remove();
    expect(statuses).toEqual([200, 503, 200, 503]);
    expect((await call('GET', configMaps)).status).toBe(200);
  });

  it('answers a storage timeout as the API server does, with Retry-After, and stops failing at a limit', async () => {
    emulator.faults.failRequests({ status: 500, retryAfterSeconds: 2, limit: 2, matcher: { path: /^\/api\/v1\/namespaces\/default\/configmaps$/ } });
    const first = await fetch(`${emulator.url}${configMaps}`);
    expect(first.status).toBe(500);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(await first.json()).toMatchObject({
      reason: 'ServerTimeout',
      message: 'The list operation against configmaps could not be completed at this time, please try again.',
      details: { kind: 'configmaps', retryAfterSeconds: 2 },
    });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt++) statuses.push((await call('GET', configMaps)).status);
    emulator.faults.clear();
    expect(statuses).toEqual([500, 200, 200]);
  });

  it('forces conflicts on matching writes only', async () => {
    emulator.faults.conflictOn({ kind: 'ConfigMap', name: /^locked/ });
    const write = await call('POST', configMaps, configMap('locked-1'));
    const read = await call('GET', `${configMaps}/dup`);
    emulator.faults.clear();
    expect(write.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(read.status).toBe(200);
  });

  it('adds latency to matching requests only', async () => {
    emulator.faults.latency(300, { name: 'dup' });
    const finished: string[] = [];
    await Promise.all(
      ['dup', 'listed'].map(async (name) => {
        await call('GET', `${configMaps}/${name}`);
        finished.push(name);
      }),
    );
    emulator.faults.clear();
    expect(finished).toEqual(['listed', 'dup']);
  });

  it('holds back matching objects until the neverReady fault is removed', async () => {
    const remove = emulator.faults.neverReady({ kind: 'StatefulSet', name: 'held' });
    await call('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'held' },
      spec: { serviceName: 'held', selector: { matchLabels: { app: 'held' } }, template: { metadata: { labels: { app: 'held' } }, spec: { containers: [{ name: 'c', image: 'a' }] } } },
    });
    const path = '/apis/apps/v1/namespaces/default/statefulsets?watch=true&fieldSelector=metadata.name%3Dheld';
    const ready = (seen: { object: KubeObject }[]) => seen.some((event) => (event.object.status as { readyReplicas?: number } | undefined)?.readyReplicas === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ready([{ object: emulator.store.get('apps/v1', 'StatefulSet', 'default', 'held')! }])).toBe(false);
    remove();
    expect(ready(await watchEvents(path, ready))).toBe(true);
  });
});

describe('OpenAPI', () => {
  const widgets = (properties: Record<string, unknown>): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.cache.example.com' },
    spec: {
      group: 'cache.example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties } } } } }],
    },
  });
  const index = async () => (await call('GET', '/openapi/v3')).body.paths as Record<string, { serverRelativeURL: string }>;
  const widgetSpec = async () => {
    const document = (await call('GET', '/openapi/v3/apis/cache.example.com/v1')).body as { components: { schemas: Record<string, { properties: { spec: { properties: object } } }> } };
    return Object.keys(document.components.schemas['com.example.cache.v1.Widget']!.properties.spec.properties);
  };
  const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

  it('serves the same documents until a CRD changes what is served, then the new ones', async () => {
    expect(await index()).not.toHaveProperty('apis/cache.example.com/v1');
    const first = await call('GET', '/openapi/v3/api/v1');
    expect(await call('GET', '/openapi/v3/api/v1')).toEqual(first);

    expect((await call('POST', crds, widgets({ size: { type: 'integer' } }))).status).toBe(201);
    await until(async () => 'apis/cache.example.com/v1' in (await index()), 'the CRD served', { withinMs: 1_000, everyMs: 20 });
    const before = (await index())['apis/cache.example.com/v1']!.serverRelativeURL;
    expect(await widgetSpec()).toEqual(['size']);

    const current = (await call('GET', `${crds}/widgets.cache.example.com`)).body as KubeObject;
    const changed = widgets({ size: { type: 'integer' }, colour: { type: 'string' } });
    expect((await call('PUT', `${crds}/widgets.cache.example.com`, { ...changed, metadata: current.metadata })).status).toBe(200);
    await until(async () => (await widgetSpec()).length === 2, 'the changed schema served', { withinMs: 1_000, everyMs: 20 });
    expect(await widgetSpec()).toEqual(['size', 'colour']);
    expect((await index())['apis/cache.example.com/v1']!.serverRelativeURL).not.toBe(before);

    expect((await call('DELETE', `${crds}/widgets.cache.example.com`)).status).toBe(200);
    expect(await index()).not.toHaveProperty('apis/cache.example.com/v1');
  });
});

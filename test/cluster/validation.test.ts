/**
 * Server-side validation and immutable fields through real kubectl v1.35.2, asserting the API server's own
 * message texts; OpenAPI through `kubectl explain` and the unknown-kind error. One emulator for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, type ToolResult } from './clients.js';
import { startEmulator, type Emulator } from './emulator.js';
import type { JsonObject } from './kinds.js';

const namespace = 'checks';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 50 });
  await kubectl(emulator, ['create', 'namespace', namespace]);
});

afterAll(async () => {
  await emulator?.stop();
});

const apply = (object: JsonObject, ...flags: string[]): Promise<ToolResult> => kubectl(emulator, ['apply', '--server-side', ...flags, '-f', '-'], JSON.stringify(object));
const create = (object: JsonObject, ...flags: string[]): Promise<ToolResult> => kubectl(emulator, ['create', ...flags, '-f', '-'], JSON.stringify(object));

function expectRejected(result: ToolResult, message: string): void {
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain(message);
}

function deployment(name: string, options: { env?: unknown; labels?: Record<string, string>; extra?: JsonObject; volumes?: unknown[] } = {}): JsonObject {
  const labels = options.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27', env: [{ name: 'FLAG', value: options.env ?? 'false' }], ...options.extra }],
          ...(options.volumes ? { volumes: options.volumes } : {}),
        },
      },
    },
  };
}

const meta = (kind: string, name: string, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name, namespace } });

describe.concurrent('field types and unknown fields', () => {
  it('rejects a boolean where a string belongs, in server-side apply and in a create', async () => {
    expectRejected(
      await apply(deployment('typed', { env: false })),
      'Error from server: failed to create typed patch object (checks/typed; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].env[name="FLAG"].value: expected string, got &value.valueUnstructured{Value:false}',
    );
    expectRejected(
      await create(deployment('typed', { env: false })),
      'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string',
    );
    expect(emulator.store.get('apps/v1', 'Deployment', namespace, 'typed')).toBeUndefined();
  });

  it('rejects a string where a number belongs', async () => {
    const object = deployment('counted');
    (object.spec as JsonObject).replicas = 'two';
    expectRejected(await apply(object), '.spec.replicas: expected numeric (int or float), got string');
  });

  it('rejects fields a schema does not declare in server-side apply', async () => {
    expectRejected(
      await apply(deployment('unknown', { extra: { colour: 'blue' } })),
      '.spec.template.spec.containers[name="app"].colour: field not declared in schema',
    );
  });

  it('handles unknown fields of a create by fieldValidation: Strict fails, Warn warns and drops, Ignore drops', async () => {
    const withUnknown = (name: string) => ({ ...meta('ConfigMap', name), data: { a: '1' }, colour: 'blue' });
    expectRejected(
      await create(withUnknown('strict'), '--validate=strict'),
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "colour"',
    );
    const warned = await create(withUnknown('warned'), '--validate=warn');
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toContain('Warning: unknown field "colour"');
    const ignored = await create(withUnknown('ignored'), '--validate=false');
    expect(ignored.stderr).toBe('');
    for (const name of ['warned', 'ignored']) expect(emulator.store.get('v1', 'ConfigMap', namespace, name)).not.toHaveProperty('colour');
  });

  it('reports duplicate fields: Strict fails a create, Warn adds a Warning header, apply names the line', async () => {
    const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"twice"},\n"data":{"a":"1","a":"2"}}`;
    const post = (query: string) =>
      fetch(`${emulator.url}/api/v1/namespaces/${namespace}/configmaps?${query}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const strict = await post('fieldValidation=Strict');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as JsonObject).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "a"');
    const warned = await post('fieldValidation=Warn');
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "duplicate field \\"a\\""');
    const applied = await fetch(`${emulator.url}/api/v1/namespaces/${namespace}/configmaps/twice?fieldManager=test&fieldValidation=Strict`, {
      method: 'PATCH',
      body,
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    expect(applied.status).toBe(400);
    expect(((await applied.json()) as JsonObject).message).toBe('error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 2: key "a" already set in map');
  });
});

describe.concurrent('object validation', () => {
  it('requires the fields the schema requires', async () => {
    const object = deployment('selectorless');
    delete (object.spec as JsonObject).selector;
    expectRejected(await apply(object), 'The Deployment "selectorless" is invalid: spec.selector: Required value');
  });

  it('rejects a file mode outside 0-0777, such as decimal 755', async () => {
    const volumes = [{ name: 'scripts', configMap: { name: 'scripts', defaultMode: 755 } }];
    expectRejected(
      await apply(deployment('modes', { volumes })),
      'spec.template.spec.volumes[0].configMap.defaultMode: Invalid value: 755: must be a number between 0 and 0777 (octal), both inclusive',
    );
    expect((await apply(deployment('modes', { volumes: [{ name: 'scripts', configMap: { name: 'scripts', defaultMode: 0o755 } }] }))).exitCode).toBe(0);
  });

  it('rejects names that are not DNS names', async () => {
    expectRejected(
      await apply({ ...meta('ConfigMap', 'Not_A_Name'), data: {} }),
      `The ConfigMap "Not_A_Name" is invalid: metadata.name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
    expectRejected(await apply({ ...meta('Service', 'web.front'), spec: { ports: [{ port: 80 }] } }), 'metadata.name: Invalid value: "web.front": a DNS-1035 label must consist of');
    expect((await apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:aggregate-to-view' }, rules: [] })).exitCode).toBe(0);
  });
});

describe.concurrent('immutable fields', () => {
  it('keeps a Deployment selector', async () => {
    expect((await apply(deployment('web'))).exitCode).toBe(0);
    expectRejected(
      await apply(deployment('web', { labels: { app: 'web', tier: 'front' } })),
      'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  it('lets a StatefulSet change only replicas, template, update strategy and the like', async () => {
    const statefulSet = (storage: string, replicas: number) => ({
      ...meta('StatefulSet', 'db', 'apps/v1'),
      spec: {
        replicas,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'redis:7' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } }],
      },
    });
    expect((await apply(statefulSet('1Gi', 1))).exitCode).toBe(0);
    expect((await apply(statefulSet('1Gi', 3))).exitCode).toBe(0);
    expectRejected(
      await apply(statefulSet('5Gi', 3)),
      "The StatefulSet \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('keeps a Job template', async () => {
    const job = (image: string) => ({ ...meta('Job', 'migrate', 'batch/v1'), spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } } });
    expect((await apply(job('busybox:1.36'))).exitCode).toBe(0);
    expectRejected(await apply(job('busybox:1.37')), 'The Job "migrate" is invalid: spec.template: Invalid value: core.PodTemplateSpec{…}: field is immutable');
  });

  it('keeps a Service clusterIP, also when the resubmitted object omits it', async () => {
    const service = (clusterIP?: string) => ({ ...meta('Service', 'api'), spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 80 }] } });
    expect((await create(service())).exitCode).toBe(0);
    const allocated = (emulator.store.get('v1', 'Service', namespace, 'api')?.spec as JsonObject).clusterIP;
    expect((await kubectl(emulator, ['replace', '-f', '-'], JSON.stringify(service())))).toMatchObject({ exitCode: 0 });
    expect((emulator.store.get('v1', 'Service', namespace, 'api')?.spec as JsonObject).clusterIP).toBe(allocated);
    expectRejected(await kubectl(emulator, ['replace', '-f', '-'], JSON.stringify(service('10.96.250.250'))), 'The Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.250.250"}: may not change once set');
    const external = await apply({ ...meta('Service', 'api'), spec: { type: 'ExternalName', externalName: 'api.example.com' } }, '--force-conflicts');
    expect(external.exitCode).toBe(0);
    expect(emulator.store.get('v1', 'Service', namespace, 'api')?.spec).not.toHaveProperty('clusterIP');
  });

  it('keeps a claim spec except its storage request', async () => {
    const claim = (accessModes: string[]) => ({ ...meta('PersistentVolumeClaim', 'scratch'), spec: { accessModes, resources: { requests: { storage: '1Gi' } } } });
    expect((await apply(claim(['ReadWriteOnce']))).exitCode).toBe(0);
    expectRejected(await apply(claim(['ReadWriteMany'])), 'The PersistentVolumeClaim "scratch" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  });

  it('keeps the data of immutable ConfigMaps and Secrets', async () => {
    expect((await apply({ ...meta('ConfigMap', 'frozen'), immutable: true, data: { a: '1' } })).exitCode).toBe(0);
    expectRejected(await apply({ ...meta('ConfigMap', 'frozen'), immutable: true, data: { a: '2' } }), 'The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    expect((await apply({ ...meta('Secret', 'frozen'), immutable: true, stringData: { a: '1' } })).exitCode).toBe(0);
    expectRejected(await apply({ ...meta('Secret', 'frozen'), immutable: false, stringData: { a: '1' } }), 'The Secret "frozen" is invalid: immutable: Forbidden: field is immutable when `immutable` is set');
  });
});

describe.concurrent('custom resources', () => {
  const crd = (scope: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.shop.example.com' },
    spec: {
      group: 'shop.example.com',
      scope,
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } } },
            },
          },
        },
      ],
    },
  });
  const gadget = (spec: JsonObject) => ({ ...meta('Gadget', 'g1', 'shop.example.com/v1'), spec });

  beforeAll(async () => {
    await apply(crd('Namespaced'));
    await kubectl(emulator, ['wait', '--for=condition=Established', 'crd/gadgets.shop.example.com', '--timeout=5s']);
  });

  it('validates custom resources against the CRD schema', async () => {
    expectRejected(await create(gadget({ size: 'big' })), 'The Gadget "g1" is invalid: spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"');
    expectRejected(await create(gadget({})), 'The Gadget "g1" is invalid: spec.size: Required value');
    expectRejected(await create(gadget({ size: 1, colour: 'red' })), 'strict decoding error: unknown field "spec.colour"');
    expectRejected(await apply(gadget({ size: 1, labels: { a: 1 } })), '.spec.labels.a: expected string, got &value.valueUnstructured{Value:1}');
    expect((await apply(gadget({ size: 1, labels: { a: 'b' } }))).exitCode).toBe(0);
  });

  it('keeps the scope of a CRD', async () => {
    expectRejected(await apply(crd('Cluster')), 'The CustomResourceDefinition "gadgets.shop.example.com" is invalid: spec.scope: Invalid value: "Cluster": field is immutable');
  });

  it('explains custom resources from their schema', async () => {
    const explained = await kubectl(emulator, ['explain', 'gadget.spec.size']);
    expect(explained.stdout).toContain('FIELD: size <integer>');
  });
});

describe.concurrent('namespaces and OpenAPI', () => {
  it('answers 404 for objects in a namespace that does not exist', async () => {
    expectRejected(await apply({ ...meta('ConfigMap', 'lost'), metadata: { name: 'lost', namespace: 'ghost' }, data: {} }), 'namespaces "ghost" not found');
    expectRejected(await create({ ...meta('ConfigMap', 'lost'), metadata: { name: 'lost', namespace: 'ghost' }, data: {} }), 'namespaces "ghost" not found');
    // kubectl follows a 404 with a GET of the namespace, and reports that.
    expectRejected(await kubectl(emulator, ['get', 'configmap', 'lost', '-n', 'ghost']), 'Error from server (NotFound): namespaces "ghost" not found');
  });

  it('answers kubectl explain from the OpenAPI v3 schemas', async () => {
    const explained = await kubectl(emulator, ['explain', 'deployment.spec.replicas']);
    expect(explained.exitCode).toBe(0);
    expect(explained.stdout).toMatch(/KIND:\s+Deployment/);
    expect(explained.stdout).toContain('FIELD: replicas <integer>');
    const v2 = await kubectl(emulator, ['explain', '--output', 'plaintext-openapiv2', 'statefulset.spec.volumeClaimTemplates']);
    expect(v2.stdout).toContain('RESOURCE: volumeClaimTemplates <[]Object>');
    expect(v2.stdout).toMatch(/spec\t<Object>/);
  });

  it('gives the real error for a kind the server does not know', async () => {
    const unknown = await apply({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace } });
    expectRejected(unknown, 'resource mapping not found for name: "w" namespace: "checks" from "STDIN": no matches for kind "Widget" in version "example.com/v1"');
    expect(unknown.stderr).toContain('ensure CRDs are installed first');
  });
});

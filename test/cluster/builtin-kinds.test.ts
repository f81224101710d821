/**
 * Every built-in kind through real kubectl v1.35.2: create, get -o yaml, list across namespaces, server-side
 * apply and delete, one batched kubectl call per verb for all kinds (table-driven assertions per kind).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { kubectl, type ToolResult } from './clients.js';
import { startEmulator, type Emulator } from './emulator.js';
import { apiVersionOf, builtinTypes, type JsonObject } from './kinds.js';
import { nameOf, qualified, sampleManifests, samples } from './samples.js';

const namespace = 'kinds';
const manifests = (labels?: Record<string, string>): string => sampleManifests(namespace, labels);

let emulator: Emulator;
let created: ToolResult;
let single: Map<string, JsonObject>;
let listed: JsonObject[];
let applied: ToolResult;
let deleted: ToolResult;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 50 });
  await kubectl(emulator, ['create', 'namespace', namespace]);
  created = await kubectl(emulator, ['create', '-f', '-'], manifests());
  // get by name, one call per scope: kubectl returns a List of the named objects.
  single = new Map();
  for (const scoped of [true, false]) {
    const names = builtinTypes.filter((type) => type.namespaced === scoped).map((type) => `${qualified(type)}/${nameOf(type)}`);
    const result = await kubectl(emulator, ['get', ...names, ...(scoped ? ['-n', namespace] : []), '-o', 'yaml']);
    for (const item of (parse(result.stdout) as { items: JsonObject[] }).items) single.set(String(item.kind), item);
  }
  const list = await kubectl(emulator, ['get', builtinTypes.map(qualified).join(','), '-A', '-l', 'conformance=kinds', '-o', 'yaml']);
  listed = ((parse(list.stdout) as { items?: JsonObject[] }).items ?? []);
  applied = await kubectl(emulator, ['apply', '--server-side', '-f', '-'], manifests({ applied: 'yes' }));
  deleted = await kubectl(emulator, ['delete', '--wait=false', '-f', '-'], manifests());
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
});

describe('every built-in kind', () => {
  it('has a sample for each kind of the table', () => {
    expect(builtinTypes.map((type) => type.kind).filter((kind) => !samples[kind])).toEqual([]);
    expect(parseAllDocuments(manifests()).length).toBe(builtinTypes.length);
  });

  it.each(builtinTypes.map((type) => [`${apiVersionOf(type)} ${type.kind}`, type] as const))('%s: create, get, list, apply, delete', (_name, type) => {
    const printed = `${type.kind.toLowerCase()}${type.group ? `.${type.group}` : ''}`;
    expect(created.stdout).toContain(`${printed}/${nameOf(type)} created`);
    const object = single.get(type.kind);
    expect(object).toMatchObject({ apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name: nameOf(type) } });
    expect((object?.metadata as JsonObject).namespace).toBe(type.namespaced ? namespace : undefined);
    expect(listed.filter((item) => item.kind === type.kind).map((item) => (item.metadata as JsonObject).name)).toEqual([nameOf(type)]);
    expect(applied.stdout).toContain(`${printed}/${nameOf(type)} serverside-applied`);
    expect(deleted.stdout).toContain(`${printed} "${nameOf(type)}" deleted`);
  });

  it('serves cluster-scoped kinds only outside namespaces, and namespaced kinds in every namespace', async () => {
    const status = async (path: string) => (await fetch(`${emulator.url}${path}`)).status;
    expect(await status('/apis/rbac.authorization.k8s.io/v1/clusterroles')).toBe(200);
    expect(await status('/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles')).toBe(404);
    expect(await status('/apis/rbac.authorization.k8s.io/v1/roles')).toBe(200);
  });
});

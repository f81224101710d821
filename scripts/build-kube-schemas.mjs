#!/usr/bin/env node
// Regenerates schema/kube/kube-<version>.json, the compact Kubernetes type catalogue that
// `boutique lint` validates rendered manifests against (layer 3). Run by hand when adding a Kubernetes
// version; the generated files are committed so lint needs no network and no extra dependency at run time.
//
//   node scripts/build-kube-schemas.mjs            # every version in SOURCES
//   node scripts/build-kube-schemas.mjs 1.36       # one version
//
// Source: the official JavaScript client @kubernetes/client-node (Apache-2.0). Its generated models carry
// every OpenAPI definition (field names, JSON names, types, formats, required-ness). No npm package ships the
// Kubernetes OpenAPI document itself for 1.35; see docs/lint-rules.md for which spec each version comes from.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SOURCES = {
  1.34: '@kubernetes/client-node@1.4.0',
  1.36: '@kubernetes/client-node@2.0.1',
};

// OpenAPI's Quantity is a plain `string` in the client models, but the API server also accepts numbers
// (`cpu: 1`), so these fields are marked as quantities. Maps of quantities, by JSON field name:
const QUANTITY_MAP_FIELDS = new Set([
  'limits',
  'requests',
  'hard',
  'used',
  'capacity',
  'allocatable',
  'allocatedResources',
  'overhead',
  'podFixed',
  'default',
  'defaultRequest',
  'max',
  'min',
  'maxLimitRequestRatio',
  'consumedCapacity',
]);
// Scalar quantities, by model and JSON field name:
const QUANTITY_FIELDS = new Set([
  'V1EmptyDirVolumeSource.sizeLimit',
  'V2MetricTarget.value',
  'V2MetricTarget.averageValue',
  'V2MetricValueStatus.value',
  'V2MetricValueStatus.averageValue',
  'V1CSIStorageCapacity.capacity',
  'V1CSIStorageCapacity.maximumVolumeSize',
]);

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(repoRoot, 'schema/kube');

const requested = process.argv.slice(2);
const versions = requested.length > 0 ? requested : Object.keys(SOURCES);
for (const version of versions) {
  const source = SOURCES[version];
  if (!source) throw new Error(`No source for Kubernetes ${version}; known: ${Object.keys(SOURCES).join(', ')}`);
  const workDir = mkdtempSync(join(tmpdir(), 'kube-schemas-'));
  try {
    const { stdout } = await execa('npm', ['pack', source, '--silent', '--pack-destination', workDir]);
    const tarball = stdout.trim().split('\n').pop();
    await execa('tar', ['-xzf', join(workDir, tarball), '-C', workDir]);
    const catalogue = buildCatalogue(join(workDir, 'package/dist/gen'), source);
    mkdirSync(outDir, { recursive: true });
    const outFile = join(outDir, `kube-${version}.json`);
    writeFileSync(outFile, JSON.stringify(catalogue) + '\n');
    console.log(
      `${outFile}: ${Object.keys(catalogue.kinds).length} kinds, ${Object.keys(catalogue.types).length} types from ${catalogue.source}`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function buildCatalogue(genDir, source) {
  const modelsDir = join(genDir, 'models');
  const types = {};
  let specVersion = '';
  for (const file of readdirSync(modelsDir)
    .filter((name) => name.endsWith('.d.ts'))
    .sort()) {
    const modelName = file.slice(0, -'.d.ts'.length);
    const js = readFileSync(join(modelsDir, `${modelName}.js`), 'utf8');
    const match = js.match(new RegExp(`${modelName}\\.attributeTypeMap = (\\[[\\s\\S]*?\\]);`));
    if (!match) continue; // ObjectSerializer, all.js and other non-model modules
    specVersion ||= js.match(/OpenAPI spec version: (\S+)/)?.[1] ?? '';
    const attributes = JSON.parse(match[1]);
    const optional = new Set(
      [...readFileSync(join(modelsDir, file), 'utf8').matchAll(/^\s+'([^']+)'\?:/gm)].map((m) => m[1]),
    );
    const properties = {};
    const required = [];
    for (const { name, baseName, type, format } of attributes) {
      properties[baseName] = encodeType(modelName, baseName, type, format);
      if (!optional.has(name)) required.push(baseName);
    }
    types[modelName] = required.length > 0 ? { properties, required } : { properties };
  }
  return { source: `${source} (OpenAPI ${specVersion})`, kinds: findKinds(join(genDir, 'apis'), types), types };
}

// Compact type notation read by src/lint/kube-catalogue.ts:
// string | integer | number | boolean | int-or-string | quantity | any | <Model> | []<type> | {}<type>
function encodeType(modelName, field, type, format) {
  const array = type.match(/^Array<(.+)>$/);
  if (array) return `[]${encodeType(modelName, field, array[1], format)}`;
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    const valueType =
      QUANTITY_MAP_FIELDS.has(field) && map[1] === 'string' ? 'quantity' : encodeType(modelName, field, map[1], '');
    return `{}${valueType}`;
  }
  if (type === 'number') return format === 'int32' || format === 'int64' ? 'integer' : 'number';
  if (type === 'string') return QUANTITY_FIELDS.has(`${modelName}.${field}`) ? 'quantity' : 'string';
  if (type === 'Date') return 'string';
  if (type === 'IntOrString') return 'int-or-string';
  if (type === 'boolean' || type === 'any') return type;
  return type; // a model name
}

// Top-level kinds are the bodies of `create*` calls on collection paths: the path gives group/version,
// the body's model gives the kind (V1Deployment, CoreV1Event, V1beta1DeviceClass...).
function findKinds(apisDir, types) {
  const kinds = {};
  for (const file of readdirSync(apisDir)
    .filter((name) => name.endsWith('Api.js'))
    .sort()) {
    const js = readFileSync(join(apisDir, file), 'utf8');
    for (const method of js.split(/\n    async /).filter((chunk) => chunk.startsWith('create'))) {
      const path = method.match(/const localVarPath = '([^']+)'/)?.[1];
      const model = method.match(/ObjectSerializer\.serialize\(body, "([A-Za-z0-9]+)"/)?.[1];
      if (!path || !model || path.includes('{name}') || !types[model]) continue;
      const groupVersion = path.match(/^\/api\/(v1)\//)?.[1] ?? path.match(/^\/apis\/([^/]+\/[^/]+)\//)?.[1];
      const kind = model.match(/^[A-Za-z]*?V\d+(?:alpha\d+|beta\d+)?([A-Z].*)$/)?.[1];
      if (groupVersion && kind) kinds[`${groupVersion}/${kind}`] = model;
    }
  }
  return Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)));
}

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { createInputsHash } from './inputs-hash.js';
import { aRelease } from '../../test/fixtures/release.js';

const chartYaml =
  'apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n  - { name: cache, version: "^3", repository: "https://charts.example.com" }\n';

function vendor(chart: string, version: string): void {
  mkdirSync(join(chart, 'charts'), { recursive: true });
  const tar = createTar([
    { name: 'cache/Chart.yaml', data: `apiVersion: v2\nname: cache\nversion: ${version}\n` },
    { name: 'cache/templates/cm.yaml', data: `# ${version}\n` },
  ]);
  writeFileSync(join(chart, 'charts', `cache-${version}.tgz`), gzipSync(tar));
}

const releaseOf = (path: string): Release =>
  ({
    id: 'monitoring/stack',
    name: 'stack',
    namespace: 'monitoring',
    chart: { kind: 'local', path },
    values: [],
    set: [],
    timeout: '300s',
    wait: true,
    historyMax: 3,
    createNamespace: false,
    atomic: false,
  }) as unknown as Release;

const hashOf = (path: string) => createInputsHash()(releaseOf(path));

describe('createInputsHash, for a chart with vendored dependencies', () => {
  it('changes when a vendored dependency is replaced by another version', () => {
    const chart = mkdtempSync(join(tmpdir(), 'boutique-hash-'));
    writeFileSync(join(chart, 'Chart.yaml'), chartYaml);
    vendor(chart, '3.1.0');
    const before = hashOf(chart);
    rmSync(join(chart, 'charts', 'cache-3.1.0.tgz'));
    vendor(chart, '3.2.0');
    expect(hashOf(chart)).not.toBe(before);
  });

  it('stays the same when helm dependency build fetches what Chart.lock pins', () => {
    const chart = mkdtempSync(join(tmpdir(), 'boutique-hash-'));
    writeFileSync(join(chart, 'Chart.yaml'), chartYaml);
    writeFileSync(
      join(chart, 'Chart.lock'),
      'dependencies:\n- name: cache\n  repository: https://charts.example.com\n  version: 3.2.0\ndigest: sha256:0\n',
    );
    const unbuilt = hashOf(chart);
    vendor(chart, '3.2.0');
    expect(hashOf(chart)).toBe(unbuilt);
  });
});

const root = mkdtempSync(join(tmpdir(), 'boutique-inputs-hash-'));
mkdirSync(join(root, 'chart', 'templates'), { recursive: true });
writeFileSync(join(root, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
writeFileSync(join(root, 'chart', 'templates', 'cm.yaml'), 'kind: ConfigMap\n');

const release = (set: Release['set']): Release =>
  aRelease({
    chart: { kind: 'local', path: join(root, 'chart') },
    chartSource: './chart',
    values: [{ kind: 'inline', values: { a: 1 } }],
    set,
  });
const key = (byte: number) => Buffer.alloc(32, byte);
const SENTINEL = 'S3NT1NEL-hash-2c9d';

describe('the inputs hash', () => {
  it('is what it was for a release without secret values, whatever the key: no upgrade after this change', () => {
    const plain = release([{ name: 'replicas', value: 2 }]);
    expect(createInputsHash()(plain)).toBe('5dfb59474c3cbe5bce7b8b9cda6393e90339151c');
    expect(createInputsHash()(plain, key(1))).toBe(createInputsHash()(plain));
  });

  it('takes a secret value only through an HMAC under the key: stable per key, another key another hash', () => {
    const secret = (value: string) => release([{ name: 'db.password', value, secret: true }]);
    expect(createInputsHash()(secret(SENTINEL), key(1))).toBe(createInputsHash()(secret(SENTINEL), key(1)));
    expect(createInputsHash()(secret(SENTINEL), key(1))).not.toBe(
      createInputsHash()(secret(`${SENTINEL}-other`), key(1)),
    );
    expect(createInputsHash()(secret(SENTINEL), key(2))).not.toBe(createInputsHash()(secret(SENTINEL), key(1)));
  });

  it('without a key, never equals an earlier run: the release is upgraded rather than judged by its secret', () => {
    const secret = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const hasher = createInputsHash();
    expect(hasher(secret)).toBe(hasher(secret));
    expect(createInputsHash()(secret)).not.toBe(hasher(secret));
  });

  it('takes a decrypted sops file only through an HMAC under the key, as a secret value: never its text', () => {
    const sealed = (password: string): Release => ({
      ...release([]),
      values: [
        {
          kind: 'sops',
          path: join(root, 'secrets.enc.yaml'),
          values: { db: { password } },
          secrets: [{ path: 'db.password', value: password }],
        },
      ],
    });
    expect(createInputsHash()(sealed(SENTINEL), key(1))).toBe(createInputsHash()(sealed(SENTINEL), key(1)));
    expect(createInputsHash()(sealed(SENTINEL), key(1))).not.toBe(
      createInputsHash()(sealed(`${SENTINEL}-other`), key(1)),
    );
    expect(createInputsHash()(sealed(SENTINEL), key(2))).not.toBe(createInputsHash()(sealed(SENTINEL), key(1)));
    const hasher = createInputsHash();
    expect(createInputsHash()(sealed(SENTINEL))).not.toBe(hasher(sealed(SENTINEL)));
  });

  it('cannot be recomputed from a guess without the key, as an unsalted hash could', () => {
    const secret = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const guess = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const plainHash = createHash('sha256').update(JSON.stringify(guess.set)).digest('hex').slice(0, 40);
    expect(createInputsHash()(secret, key(7))).not.toBe(plainHash);
  });
});

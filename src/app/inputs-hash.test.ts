import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { createInputsHash } from './inputs-hash.js';

const root = mkdtempSync(join(tmpdir(), 'boutique-inputs-hash-'));
mkdirSync(join(root, 'chart', 'templates'), { recursive: true });
writeFileSync(join(root, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
writeFileSync(join(root, 'chart', 'templates', 'cm.yaml'), 'kind: ConfigMap\n');

const release = (set: Release['set']): Release => ({
  id: 'shop/web', name: 'web', namespace: 'shop', chart: { kind: 'local', path: join(root, 'chart') }, chartSource: './chart', values: [{ kind: 'inline', values: { a: 1 } }], set,
  needs: [], labels: {}, installed: true, createNamespace: true, wait: true, timeout: '300s', atomic: false, historyMax: 10, lintRules: {}, ignoreDifferences: [],
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
    expect(createInputsHash()(secret(SENTINEL), key(1))).not.toBe(createInputsHash()(secret(`${SENTINEL}-other`), key(1)));
    expect(createInputsHash()(secret(SENTINEL), key(2))).not.toBe(createInputsHash()(secret(SENTINEL), key(1)));
  });

  it('without a key, never equals an earlier run: the release is upgraded rather than judged by its secret', () => {
    const secret = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const hasher = createInputsHash();
    expect(hasher(secret)).toBe(hasher(secret));
    expect(createInputsHash()(secret)).not.toBe(hasher(secret));
  });

  it('cannot be recomputed from a guess without the key, as an unsalted hash could', () => {
    const secret = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const guess = release([{ name: 'db.password', value: SENTINEL, secret: true }]);
    const plainHash = createHash('sha256').update(JSON.stringify(guess.set)).digest('hex').slice(0, 40);
    expect(createInputsHash()(secret, key(7))).not.toBe(plainHash);
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { maskSecretPair } from './secrets.js';
import { Masker } from '../secrets/mask.js';

const none = new Masker([]);
const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'db' },
  data,
});

describe('maskSecretPair', () => {
  it('tells unchanged, changed, added and removed keys apart without revealing a value', () => {
    const before = secret({ user: 'YWRtaW4=', password: 'b2xk', legacy: 'eA==' });
    const after = secret({ user: 'YWRtaW4=', password: 'bmV3', token: 'dA==' });
    const masked = maskSecretPair(none, before, after);
    expect(masked.before?.data).toEqual({ user: '***', password: '***', legacy: '***' });
    expect(masked.after?.data).toEqual({ user: '***', password: '*** (changed)', token: '***' });
    expect(JSON.stringify(masked)).not.toMatch(/YWRtaW4=|b2xk|bmV3|eA==|dA==/);
  });

  it('masks a Secret that exists on one side only', () => {
    expect(maskSecretPair(none, undefined, secret({ password: 'bmV3' })).after?.data).toEqual({ password: '***' });
    expect(maskSecretPair(none, secret({ password: 'b2xk' }), undefined).before?.data).toEqual({ password: '***' });
  });

  it('leaves other kinds alone, even with a data field', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { motd: 'hello' },
    };
    expect(maskSecretPair(none, configMap, configMap).after).toEqual(configMap);
  });
});

describe('maskSecretPair with secret values', () => {
  it('masks every string that holds one, by place, and says which changed', () => {
    const masker = new Masker([
      { path: 'db.password', value: 'old-hunter2-x' },
      { path: 'db.password', value: 'new-swordfish' },
    ]);
    const map = (url: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { url, user: 'admin' },
    });
    const masked = maskSecretPair(masker, map('pg://a:old-hunter2-x@db'), map('pg://a:new-swordfish@db'));
    expect(masked.before?.data).toEqual({ url: '***', user: 'admin' });
    expect(masked.after?.data).toEqual({ url: '*** (changed)', user: 'admin' });
  });
});

import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { maskSecretPair } from './secrets.js';
import { maskSecretValues, maskSecretValuesDeep } from '../secrets/mask.js';

const secret = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data });

describe('maskSecretPair', () => {
  it('tells unchanged, changed, added and removed keys apart without revealing a value', () => {
    const before = secret({ user: 'YWRtaW4=', password: 'b2xk', legacy: 'eA==' });
    const after = secret({ user: 'YWRtaW4=', password: 'bmV3', token: 'dA==' });
    const masked = maskSecretPair(before, after);
    expect(masked.before?.data).toEqual({ user: '***', password: '***', legacy: '***' });
    expect(masked.after?.data).toEqual({ user: '***', password: '*** (changed)', token: '***' });
    expect(JSON.stringify(masked)).not.toMatch(/YWRtaW4=|b2xk|bmV3|eA==|dA==/);
  });

  it('masks a Secret that exists on one side only', () => {
    expect(maskSecretPair(undefined, secret({ password: 'bmV3' })).after?.data).toEqual({ password: '***' });
    expect(maskSecretPair(secret({ password: 'b2xk' }), undefined).before?.data).toEqual({ password: '***' });
  });

  it('leaves other kinds alone, even with a data field', () => {
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { motd: 'hello' } };
    expect(maskSecretPair(configMap, configMap).after).toBe(configMap);
  });
});

describe('maskSecretValues', () => {
  it('masks every occurrence, longest value first, and the base64 form', () => {
    const text = 'url: postgres://app:hunter2-long@db\npassword: hunter2\nencoded: aHVudGVyMg==\n';
    expect(maskSecretValues(text, ['hunter2', 'hunter2-long'])).toBe('url: postgres://app:***@db\npassword: ***\nencoded: ***\n');
  });

  it('ignores empty values instead of masking between every character', () => {
    expect(maskSecretValues('abc', [''])).toBe('abc');
  });

  it('masks strings and map keys anywhere in a value', () => {
    const masked = maskSecretValuesDeep({ list: ['x-hunter2'], nested: { hunter2: 3, flag: true } }, ['hunter2']);
    expect(masked).toEqual({ list: ['x-***'], nested: { '***': 3, flag: true } });
  });
});

import { describe, expect, it } from 'vitest';
import { versionIn } from '../gitops/merged-values.js';
import { versionValues } from './normalize.js';
import type { Release } from './types.js';
import { deleteAtSetPath, setAtPath, valueAtSetPath } from './values-path.js';

describe('valueAtSetPath', () => {
  it('follows helm --set paths through maps and lists', () => {
    const values = { auth: { password: 'p' }, users: [{ name: 'a', token: 't0' }, { token: 't1' }] };
    expect(valueAtSetPath(values, 'auth.password')).toBe('p');
    expect(valueAtSetPath(values, 'users[1].token')).toBe('t1');
    expect(valueAtSetPath(values, 'users[0].name')).toBe('a');
    expect(valueAtSetPath(values, 'auth.missing.deeper')).toBeUndefined();
    expect(valueAtSetPath({}, 'password')).toBeUndefined();
    expect(valueAtSetPath({ annotations: { 'example.com/role': 'r' } }, 'annotations.example\\.com/role')).toBe('r');
  });
});

describe('setAtPath', () => {
  it('follows helm --set paths, escaped dots included', () => {
    expect(setAtPath({}, 'annotations.example\\.com/role', 'x')).toEqual({ annotations: { 'example.com/role': 'x' } });
    expect(setAtPath({ a: { keep: 1 } }, 'a.b[0].c', 2)).toEqual({ a: { keep: 1, b: [{ c: 2 }] } });
  });
});

describe('deleteAtSetPath', () => {
  it('removes what a helm --set path names, list indexes and escaped dots included, and nothing else', () => {
    const values = () => ({ auth: { user: 'u', password: 'p' }, users: [{ name: 'a', token: 't0' }, { token: 't1' }], annotations: { 'example.com/key': 'k', example: { 'com/key': 'kept' } } });
    expect(deleteAtSetPath(values(), 'auth.password').auth).toEqual({ user: 'u' });
    expect(deleteAtSetPath(values(), 'users[0].token').users).toEqual([{ name: 'a' }, { token: 't1' }]);
    expect(deleteAtSetPath(values(), 'users[1]').users).toEqual([{ name: 'a', token: 't0' }, null]);
    expect(deleteAtSetPath(values(), 'annotations.example\\.com/key').annotations).toEqual({ example: { 'com/key': 'kept' } });
    expect(deleteAtSetPath({ auth: { password: 'p' } }, 'auth.password')).toEqual({ auth: {} });
    for (const path of ['auth.missing', 'auth.password.deeper', 'users[5].token', 'nothing.here']) expect(deleteAtSetPath(values(), path), path).toEqual(values());
  });
});

describe('version keys', () => {
  it('are helm --set paths both ways: written by versionValues, read back by versionIn', () => {
    const keys = { tag: 'images[0].tag', digest: 'podAnnotations.example\\.com/digest' };
    const release = { versionKeys: keys } as unknown as Release;
    const tagged = versionValues('v1.2.3', keys);
    expect(tagged).toEqual({ images: [{ tag: 'v1.2.3' }] });
    expect(versionIn(tagged, release)).toBe('v1.2.3');
    const pinned = versionValues('sha256:abc', keys);
    expect(pinned).toEqual({ podAnnotations: { 'example.com/digest': 'sha256:abc' } });
    expect(versionIn({ ...tagged, ...pinned }, release)).toBe('sha256:abc');
  });
});

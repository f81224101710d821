import { describe, expect, it } from 'vitest';
import { versionIn } from '../config/values-merge.js';
import { versionValues } from './normalize.js';
import type { Release } from './types.js';
import { deleteAtSetPath, growListsOnSetPath, setAtPath, valueAtSetPath } from './values-path.js';

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
    const values = () => ({
      auth: { user: 'u', password: 'p' },
      users: [{ name: 'a', token: 't0' }, { token: 't1' }],
      annotations: { 'example.com/key': 'k', example: { 'com/key': 'kept' } },
    });
    expect(deleteAtSetPath(values(), 'auth.password').auth).toEqual({ user: 'u' });
    expect(deleteAtSetPath(values(), 'users[0].token').users).toEqual([{ name: 'a' }, { token: 't1' }]);
    expect(deleteAtSetPath(values(), 'users[1]').users).toEqual([{ name: 'a', token: 't0' }, null]);
    expect(deleteAtSetPath(values(), 'annotations.example\\.com/key').annotations).toEqual({
      example: { 'com/key': 'kept' },
    });
    expect(deleteAtSetPath({ auth: { password: 'p' } }, 'auth.password')).toEqual({ auth: {} });
    for (const path of ['auth.missing', 'auth.password.deeper', 'users[5].token', 'nothing.here'])
      expect(deleteAtSetPath(values(), path), path).toEqual(values());
  });
});

describe('growListsOnSetPath', () => {
  it('grows each list on the path to hold its index, with null, as helm --set does before it sets the value', () => {
    expect(growListsOnSetPath({ users: [{ name: 'alice' }] }, 'users[2].token')).toEqual({
      users: [{ name: 'alice' }, null, null],
    });
    expect(growListsOnSetPath({ a: { matrix: [[1]] } }, 'a.matrix[0][2]')).toEqual({
      a: { matrix: [[1, null, null]] },
    });
    // Then helm's --set, or helm-controller's targetPath, sets the value where it now fits: the same values as --set alone.
    expect(
      setAtPath(growListsOnSetPath({ users: [{ name: 'alice' }] }, 'users[2].token'), 'users[2].token', 't'),
    ).toEqual(setAtPath({ users: [{ name: 'alice' }] }, 'users[2].token', 't'));
  });

  it('leaves a list that holds the index, and a path that leaves the tree, as they are', () => {
    const values = () => ({ users: [{ name: 'alice' }, { name: 'bob' }], auth: { user: 'u' } });
    for (const path of ['users[1].token', 'users[0]', 'missing[3].x', 'auth.user[2]', 'auth.password'])
      expect(growListsOnSetPath(values(), path), path).toEqual(values());
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

import { describe, expect, it } from 'vitest';
import { setAtPath, valueAtSetPath } from './values-path.js';

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

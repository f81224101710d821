import { describe, expect, it } from 'vitest';
import { valueAtSetPath } from './changes.js';

describe('valueAtSetPath', () => {
  it('follows helm --set paths through maps and lists', () => {
    const values = { auth: { password: 'p' }, users: [{ name: 'a', token: 't0' }, { token: 't1' }] };
    expect(valueAtSetPath(values, 'auth.password')).toBe('p');
    expect(valueAtSetPath(values, 'users[1].token')).toBe('t1');
    expect(valueAtSetPath(values, 'users[0].name')).toBe('a');
    expect(valueAtSetPath(values, 'auth.missing.deeper')).toBeUndefined();
    expect(valueAtSetPath({}, 'password')).toBeUndefined();
  });
});

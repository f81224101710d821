import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { helmSetLiteral, parseSetFlag } from './set-flag.js';

describe('parseSetFlag (helm --set syntax)', () => {
  it('types --set values as helm does and keeps --set-string values as written', () => {
    expect(parseSetFlag('replicas=3', '--set')).toEqual([{ name: 'replicas', value: 3 }]);
    expect(parseSetFlag('debug=true', '--set')).toEqual([{ name: 'debug', value: true }]);
    expect(parseSetFlag('mode=0755', '--set')).toEqual([{ name: 'mode', value: '0755' }]);
    expect(parseSetFlag('replicas=3', '--set-string')).toEqual([{ name: 'replicas', value: '3' }]);
  });

  it('reads a comma as the start of another KEY=VALUE, as helm does', () => {
    expect(parseSetFlag('a=1,b.c=two', '--set')).toEqual([
      { name: 'a', value: 1 },
      { name: 'b.c', value: 'two' },
    ]);
  });

  it('reads backslash escapes in values and keeps the key as written', () => {
    expect(parseSetFlag('list=a\\,b\\\\c\\{d\\}', '--set-string')).toEqual([{ name: 'list', value: 'a,b\\c{d}' }]);
    expect(parseSetFlag('ingress.annotations.kubernetes\\.io/class=nginx', '--set-string')).toEqual([
      { name: 'ingress.annotations.kubernetes\\.io/class', value: 'nginx' },
    ]);
    expect(parseSetFlag('url=https://h/?a=b', '--set-string')).toEqual([{ name: 'url', value: 'https://h/?a=b' }]);
  });

  it('refuses a pair without a key, naming the pair and the escape', () => {
    expect(() => parseSetFlag('token=abc,def', '--set-secret')).toThrow(UsageError);
    expect(() => parseSetFlag('token=abc,def', '--set-secret')).toThrow(
      '--set-secret token=abc,def: expected KEY=VALUE, got "def"',
    );
    expect(() => parseSetFlag('=x', '--set')).toThrow('--set =x: expected KEY=VALUE');
  });

  it('refuses helm list syntax, which boutique cannot hold as one value', () => {
    expect(() => parseSetFlag('hosts={a,b}', '--set')).toThrow('list values ({a,b}) are not taken on the command line');
    expect(parseSetFlag('text=\\{a\\}', '--set-string')).toEqual([{ name: 'text', value: '{a}' }]);
  });
});

describe('helmSetLiteral', () => {
  it('escapes what helm --set would read as syntax, and round-trips through parseSetFlag', () => {
    const value = 'a,b{c}\\d=e';
    expect(helmSetLiteral(value)).toBe('a\\,b\\{c\\}\\\\d=e');
    expect(parseSetFlag(`k=${helmSetLiteral(value)}`, '--set-string')).toEqual([{ name: 'k', value }]);
    expect(helmSetLiteral(3)).toBe('3');
  });
});

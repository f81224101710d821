import { describe, expect, it } from 'vitest';
import {
  duplicateKeys,
  maxNestingDepth,
  parseGoYaml,
  parseGoYamlDocument,
  parseGoYamlDocuments,
  stringifyGoYaml,
  tooDeeplyNested,
} from './go-yaml.js';

describe('YAML as go-yaml v2 reads it', () => {
  it('reads YAML 1.1 scalars: octal modes and yes/no/on/off booleans; timestamps stay strings', () => {
    expect(parseGoYaml('mode: 0755\na: no\nb: "no"\nc: on\nd: y\ne: 0x1F\nf: 2001-12-14\ng: 1_000\n')).toEqual({
      mode: 493,
      a: false,
      b: 'no',
      c: true,
      d: true,
      e: 31,
      f: '2001-12-14',
      g: 1000,
    });
  });

  it('merges maps with <<', () => {
    expect(parseGoYaml('base: &b { x: 1, z: 2 }\nother: { <<: *b, z: 3 }\n')).toEqual({
      base: { x: 1, z: 2 },
      other: { x: 1, z: 3 },
    });
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'
        .split('')
        .map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`),
    ].join('\n');
    expect(() => parseGoYaml(bomb)).toThrow(/alias/i);
  });

  it('finds the first collection nested deeper than the limit, without recursing', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(tooDeeplyNested(parseGoYamlDocument(nested(maxNestingDepth)))).toBeUndefined();
    expect(tooDeeplyNested(parseGoYamlDocument(nested(maxNestingDepth + 1)))?.range?.[0]).toBe(maxNestingDepth);
  });

  it('writes strings that YAML 1.1 would retype with quotes, and folds no line', () => {
    const value = {
      hsts: 'no',
      mode: '0755',
      flag: 'on',
      yes: 'y',
      long: `${'word '.repeat(60)}end`,
      deep: { a: { b: { c: 'line one\nline two\n' } } },
    };
    const text = stringifyGoYaml(value);
    expect(text).toContain('hsts: "no"');
    expect(text.split('\n').some((line) => line.length > 250)).toBe(true);
    expect(parseGoYaml(text)).toEqual(value);
  });

  it('finds every repeated key of every map, block or flow, in document order, and nothing else', () => {
    const text = [
      'a: 1',
      'b:',
      '  - {x: 1, y: 2, x: 3}',
      '  - c: 1',
      '    c: 2',
      'a: 2',
      '"1": one',
      '1: number',
      'd: {}',
      'a: 3',
      '',
    ].join('\n');
    const doc = parseGoYamlDocument(text, { uniqueKeys: false });
    expect(duplicateKeys(doc).map((key) => `${String(key.value)}@${key.range![0]}`)).toEqual([
      `x@${text.indexOf('x: 3')}`,
      `c@${text.indexOf('c: 2')}`,
      `a@${text.indexOf('a: 2')}`,
      `a@${text.indexOf('a: 3')}`,
    ]);
    expect(duplicateKeys(parseGoYamlDocument('a: 1\nb: {a: 1}\n', { uniqueKeys: false }))).toEqual([]);
  });

  it('reads every document of a stream', () => {
    const docs = parseGoYamlDocuments('a: 1\n---\nb: 0644\n');
    expect(docs.map((doc) => doc.toJS())).toEqual([{ a: 1 }, { b: 420 }]);
  });
});

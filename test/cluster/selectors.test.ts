import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kinds.js';
import { labelSelectorObject, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('label selectors', () => {
  it.each([
    ['name=rel,owner=helm', { name: 'rel', owner: 'helm' }, true],
    ['name==rel', { name: 'other' }, false],
    ['status!=deployed', {}, true],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env notin (prod)', { env: 'prod' }, false],
    ['tier', { tier: 'x' }, true],
    ['!tier', { tier: 'x' }, false],
    ['', { any: 'thing' }, true],
  ])('%s on %j → %s', (expression, labels, expected) => {
    expect(parseLabelSelector(expression)(labels)).toBe(expected);
  });

  it('rejects malformed expressions with 400', () => {
    expect(() => parseLabelSelector('a in b')).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('evaluates LabelSelector objects with matchExpressions', () => {
    const selector = labelSelectorObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['back'] }] });
    expect(selector({ app: 'web', tier: 'front' })).toBe(true);
    expect(selector({ app: 'web', tier: 'back' })).toBe(false);
  });
});

describe('field selectors', () => {
  const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'ns' }, status: { phase: 'Running' } };

  it('matches metadata and status paths with = and !=', () => {
    expect(parseFieldSelector('metadata.name=a,metadata.namespace==ns')(object)).toBe(true);
    expect(parseFieldSelector('status.phase!=Running')(object)).toBe(false);
  });
});

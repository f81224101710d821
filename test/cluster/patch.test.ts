import { describe, expect, it } from 'vitest';
import { jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';

const pod = {
  metadata: { labels: { app: 'web', tier: 'front' }, finalizers: ['a'] },
  spec: {
    containers: [
      { name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] },
      { name: 'sidecar', image: 'busybox' },
    ],
    tolerations: [{ key: 'x' }],
  },
};

describe('strategic merge patch', () => {
  it('merges containers and env by name, replaces lists without a merge key', () => {
    const result = strategicMergePatch(pod, {
      spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }], tolerations: [{ key: 'y' }] },
    }) as typeof pod;
    expect(result.spec.containers[0]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    expect(result.spec.containers).toHaveLength(2);
    expect(result.spec.tolerations).toEqual([{ key: 'y' }]);
  });

  it('honours $patch: delete, null deletion, $setElementOrder and $deleteFromPrimitiveList', () => {
    const result = strategicMergePatch(pod, {
      metadata: { labels: { tier: null }, '$deleteFromPrimitiveList/finalizers': ['a'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
        containers: [{ name: 'web', $patch: 'delete' }, { name: 'sidecar', image: 'busybox:2' }],
      },
    }) as typeof pod;
    expect(result.metadata).toEqual({ labels: { app: 'web' }, finalizers: [] });
    expect(result.spec.containers).toEqual([{ name: 'sidecar', image: 'busybox:2' }]);
  });

  it('replaces a map with $patch: replace and keeps only $retainKeys', () => {
    expect(strategicMergePatch({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { strategy: { $retainKeys: ['type'], type: 'Recreate' } })).toEqual({
      strategy: { type: 'Recreate' },
    });
    expect(strategicMergePatch({ labels: { a: '1' } }, { labels: { $patch: 'replace', b: '2' } })).toEqual({ labels: { b: '2' } });
  });
});

describe('JSON patches', () => {
  it('applies RFC 7386 merge patches', () => {
    expect(jsonMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3], e: 'x' })).toEqual({ a: 1, b: { d: 3 }, l: [3], e: 'x' });
  });

  it('applies RFC 6902 operations, including escaped pointers', () => {
    const document = { metadata: { annotations: { 'a/b': 'x' } }, list: [1, 2] };
    const result = jsonPatch(document, [
      { op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/list/0', value: 2 },
      { op: 'copy', from: '/list', path: '/copy' },
    ]);
    expect(result).toEqual({ metadata: { annotations: { 'a/b': 'y' } }, list: [2, 3], copy: [2, 3] });
    expect(document.list).toEqual([1, 2]);
  });

  it('fails a test operation with 422', () => {
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(expect.objectContaining({ code: 422 }));
  });
});

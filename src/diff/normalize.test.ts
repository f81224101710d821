import { describe, expect, it } from 'vitest';
import { find, frontendRelease } from '../../test/fixtures/diff/scenario.js';
import { normalizeObject, toYaml } from './normalize.js';
import type { KubeObject } from '../kube/objects.js';

const { rendered, live } = frontendRelease();

describe('normalizeObject', () => {
  it('drops status and every field the server or controllers write', () => {
    const deployment = normalizeObject(find(live, 'Deployment', 'frontend'));
    expect(deployment.status).toBeUndefined();
    expect(deployment.metadata).toEqual({
      labels: { app: 'frontend', 'app.kubernetes.io/managed-by': 'Helm' },
      name: 'frontend',
      namespace: 'shop',
    });
    // The server renders an empty pod template timestamp as null.
    expect(toYaml(deployment)).not.toContain('creationTimestamp');
  });

  it('keeps annotations the user set', () => {
    const annotated: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', annotations: { 'meta.helm.sh/release-name': 'x', 'team.example.com/owner': 'shop' } },
    };
    expect(normalizeObject(annotated).metadata.annotations).toEqual({ 'team.example.com/owner': 'shop' });
  });

  it('folds Secret stringData into data as the API server stores it', () => {
    const renderedSecret = normalizeObject(find(rendered, 'Secret', 'frontend-session'));
    const liveSecret = normalizeObject(find(live, 'Secret', 'frontend-session'));
    expect(renderedSecret.stringData).toBeUndefined();
    expect(renderedSecret.data).toEqual(liveSecret.data);
  });

  it('lets stringData win over data for the same key, and canonicalizes base64', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { token: 'b2xk', padded: 'YQ' },
      stringData: { token: 'new' },
    };
    expect(normalizeObject(secret).data).toEqual({ padded: 'YQ==', token: 'bmV3' });
  });

  it('prints the same YAML whatever the key order of the input', () => {
    const deployment = find(live, 'Deployment', 'frontend');
    const reversed = JSON.parse(JSON.stringify(deployment, (_key, value: unknown) => reverseKeys(value))) as KubeObject;
    expect(toYaml(normalizeObject(reversed))).toBe(toYaml(normalizeObject(deployment)));
    expect(toYaml(normalizeObject(deployment)).startsWith('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n')).toBe(
      true,
    );
  });
});

function reverseKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).reverse());
}

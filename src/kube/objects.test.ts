import { describe, expect, it } from 'vitest';
import { frontendRelease } from '../../test/fixtures/diff/scenario.js';
import { ManifestParseError, objectKey, objectRef, parseManifests, type KubeObject } from './objects.js';

const configMap = (name: string, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace && { namespace }) },
});

describe('parseManifests', () => {
  it('reads helm output, skipping empty and comment-only documents', () => {
    const objects = parseManifests(
      '---\n# Source: chart/templates/empty.yaml\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n',
    );
    expect(objects.map(objectRef)).toEqual(['ConfigMap/a', 'Deployment/b']);
  });

  it('flattens a kubectl List into its items', () => {
    const { live } = frontendRelease();
    expect(live.map(objectRef)).toEqual([
      'ServiceAccount/frontend',
      'Secret/frontend-session',
      'ConfigMap/frontend-config',
      'Service/frontend',
      'Deployment/frontend',
    ]);
  });

  it('names the document that is not valid YAML', () => {
    const parse = () => parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: [unclosed\n');
    expect(parse).toThrow(ManifestParseError);
    expect(parse).toThrow(/^Parsing manifest document 2: /);
  });

  it('names the document and the fields a Kubernetes object lacks', () => {
    expect(() =>
      parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Secret\nmetadata: {}\n'),
    ).toThrow('Parsing manifest document 2: missing apiVersion, metadata.name');
    expect(() => parseManifests('- just\n- a list\n')).toThrow(
      'Parsing manifest document 1: expected a mapping (a Kubernetes object)',
    );
  });
});

describe('objectKey', () => {
  it('puts objects without a namespace in the release namespace', () => {
    expect(objectKey(configMap('settings'), 'shop')).toBe('core/ConfigMap/shop/settings');
    expect(objectKey(configMap('settings', 'payments'), 'shop')).toBe('core/ConfigMap/payments/settings');
  });

  it('ignores the version, so both HPA versions name the same object', () => {
    const hpa = (apiVersion: string): KubeObject => ({
      apiVersion,
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend' },
    });
    expect(objectKey(hpa('autoscaling/v1'), 'shop')).toBe(objectKey(hpa('autoscaling/v2'), 'shop'));
    expect(objectKey(hpa('autoscaling/v2'), 'shop')).toBe('autoscaling/HorizontalPodAutoscaler/shop/frontend');
  });

  it('leaves the namespace out of cluster-scoped kinds, even when a chart sets one', () => {
    const role: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader', namespace: 'shop' },
    };
    expect(objectKey(role, 'shop')).toBe('rbac.authorization.k8s.io/ClusterRole/reader');
  });
});

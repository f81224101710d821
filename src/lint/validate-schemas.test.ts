import { describe, expect, it } from 'vitest';
import { loadObjects } from '../../test/fixtures/lint/fixtures.js';
import { availableKubeVersions, DEFAULT_KUBE_VERSION, UnknownKubeVersionError } from './kube-catalogue.js';
import { kubeTarget } from '../app/kube-catalogues.js';
import { validateSchemas } from './validate-schemas.js';
import type { Finding } from './types.js';

const RELEASE = 'boutique/frontend';

function describeFindings(findings: Finding[]): string[] {
  return findings.map((finding) => `${finding.severity} ${finding.ruleId} ${finding.object}: ${finding.message}`);
}

describe('validateSchemas', () => {
  it('accepts valid built-in objects in every shipped version', () => {
    const objects = loadObjects('frontend.yaml');
    for (const version of availableKubeVersions())
      expect(validateSchemas(objects, kubeTarget(version), RELEASE)).toEqual([]);
  });

  it('reports unknown fields, wrong types and missing required fields with their JSON path', () => {
    const findings = validateSchemas(loadObjects('schema-errors.yaml'), kubeTarget(DEFAULT_KUBE_VERSION), RELEASE);
    expect(describeFindings(findings)).toEqual([
      'error kube-schema Deployment/frontend: spec.replicas: expected integer, got string',
      'error kube-schema Deployment/frontend: spec.template.spec.containers[0].imagePullPolicyy: unknown field',
      'error kube-schema Deployment/frontend: spec.template.spec.containers[1].name: required field is missing',
    ]);
    expect(findings[1]).toEqual({
      ruleId: 'kube-schema',
      layer: 'schema',
      severity: 'error',
      release: RELEASE,
      object: 'Deployment/frontend',
      message: 'spec.template.spec.containers[0].imagePullPolicyy: unknown field',
      fix: 'Did you mean "imagePullPolicy"?',
    });
  });

  it('validates custom resources against CRDs in the rendered set and skips the rest with a notice', () => {
    const findings = validateSchemas(loadObjects('custom-resources.yaml'), kubeTarget(DEFAULT_KUBE_VERSION), RELEASE);
    expect(describeFindings(findings)).toEqual([
      'error kube-schema Widget/bad: spec.colour: unknown field',
      'error kube-schema Widget/bad: spec.size: expected integer, got string',
      'info kube-schema-missing ServiceMonitor/frontend: no schema for monitoring.coreos.com/v1 ServiceMonitor in Kubernetes 1.35 or in the rendered CRDs; not validated',
    ]);
  });

  it('validates custom resources against the CRDs of the releases it needs, which it does not validate again', () => {
    const objects = loadObjects('custom-resources.yaml');
    const crds = objects.filter((object) => object.kind === 'CustomResourceDefinition');
    const resources = objects.filter((object) => object.kind !== 'CustomResourceDefinition');
    const alone = describeFindings(validateSchemas(resources, kubeTarget(DEFAULT_KUBE_VERSION), RELEASE)).filter(
      (line) => line.includes('Widget/'),
    );
    expect(alone.length).toBeGreaterThan(0);
    expect(alone.every((line) => line.startsWith('info kube-schema-missing Widget/'))).toBe(true);
    expect(
      describeFindings(validateSchemas(resources, kubeTarget(DEFAULT_KUBE_VERSION), RELEASE, crds)).filter((line) =>
        line.includes('Widget/'),
      ),
    ).toEqual([
      'error kube-schema Widget/bad: spec.colour: unknown field',
      'error kube-schema Widget/bad: spec.size: expected integer, got string',
    ]);
  });

  it('accepts v-prefixed patch versions and knows which APIs each version serves', () => {
    const autoscaler = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend' },
      spec: {
        maxReplicas: 3,
        scaleTargetRef: { kind: 'Deployment', name: 'frontend' },
        targetCPUUtilizationPercentage: 80,
      },
    };
    expect(validateSchemas([autoscaler], kubeTarget('v1.35.2'), RELEASE)).toEqual([]);
    expect(
      describeFindings(
        validateSchemas([{ ...autoscaler, apiVersion: 'autoscaling/v2beta2' }], kubeTarget('1.34'), RELEASE),
      ),
    ).toEqual([
      expect.stringContaining(
        'info kube-schema-missing HorizontalPodAutoscaler/frontend: no schema for autoscaling/v2beta2',
      ),
    ]);
  });

  it('rejects a Kubernetes version it ships no schemas for, listing the available ones', () => {
    expect(() => kubeTarget('1.29')).toThrow(UnknownKubeVersionError);
    expect(() => kubeTarget('1.29')).toThrow('No schemas for Kubernetes 1.29; available versions: 1.34, 1.35, 1.36');
  });
});

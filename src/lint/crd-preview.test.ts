import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { previewCustomResources, previewedKeys } from './crd-preview.js';

const crd = (kind: string, schema: unknown, served = true): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.metrics.example.dev` },
  spec: {
    group: 'metrics.example.dev',
    scope: 'Namespaced',
    names: { kind, plural: `${kind.toLowerCase()}s` },
    versions: [{ name: 'v1', served, storage: true, schema: { openAPIV3Schema: schema } }],
  },
});

const gaugeSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        replicas: { type: 'integer', minimum: 1 },
        retention: { type: 'string', pattern: '^[0-9]+(s|m|h|d)$' },
        logLevel: { type: 'string', enum: ['debug', 'info'] },
        image: { type: 'string' },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

const gauge = (spec: Record<string, unknown>, name = 'main'): KubeObject => ({
  apiVersion: 'metrics.example.dev/v1',
  kind: 'Gauge',
  metadata: { name },
  spec,
});
const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: {} };

describe('previewCustomResources', () => {
  it('previews the custom resources of CRDs not installed yet, each with the release whose CRD checked it', () => {
    const good = gauge({
      image: 'gauge:1',
      replicas: 2,
      retention: '10d',
      logLevel: 'info',
      extra: { anything: { goes: true } },
    });
    const preview = previewCustomResources(
      [service, good],
      [{ release: 'monitoring/stack', crds: [crd('Gauge', gaugeSchema)] }],
    );
    expect(preview).toEqual({ previewed: [{ object: good, crdRelease: 'monitoring/stack' }], violations: [] });
    expect([...previewedKeys(preview, 'monitoring')]).toEqual([
      ['metrics.example.dev/Gauge/monitoring/main', 'checked against the CRD from monitoring/stack, not yet installed'],
    ]);
  });

  it('refuses what the API server would: types, required fields, enums, patterns, bounds and unknown fields', () => {
    const bad = gauge({ replicas: '2', retention: 'ten days', logLevel: 'loud', colour: 'red' });
    const { violations } = previewCustomResources(
      [bad, gauge({ image: 'g', replicas: 0 }, 'zero')],
      [{ release: 'ops/gauge', crds: [crd('Gauge', gaugeSchema)] }],
    );
    const mark = '(checked against the CRD from ops/gauge, not yet installed)';
    expect(violations).toEqual([
      `Gauge/main: spec.colour: unknown field ${mark}`,
      `Gauge/main: spec.image: required field is missing ${mark}`,
      `Gauge/main: spec.logLevel: must be one of "debug", "info" ${mark}`,
      `Gauge/main: spec.replicas: expected integer, got string ${mark}`,
      `Gauge/main: spec.retention: must match pattern "^[0-9]+(s|m|h|d)$" ${mark}`,
      `Gauge/zero: spec.replicas: must be >= 1 ${mark}`,
    ]);
  });

  it("prefers the release's own CRD to a needed release's, and leaves installed CRDs and unserved versions to the server", () => {
    const loose = crd('Gauge', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    const object = gauge({ anything: 1 });
    expect(
      previewCustomResources(
        [object],
        [
          { release: 'apps/own', crds: [loose] },
          { release: 'ops/operator', crds: [crd('Gauge', gaugeSchema)] },
        ],
      ),
    ).toEqual({ previewed: [{ object, crdRelease: 'apps/own' }], violations: [] });
    expect(
      previewCustomResources([object], [{ release: 'ops/operator', crds: [crd('Gauge', gaugeSchema)] }]).violations,
    ).toHaveLength(2);
    expect(
      previewCustomResources(
        [object],
        [{ release: 'ops/operator', crds: [crd('Gauge', gaugeSchema)] }],
        new Set(['gauges.metrics.example.dev']),
      ).previewed,
    ).toEqual([]);
    expect(
      previewCustomResources([object], [{ release: 'ops/operator', crds: [crd('Gauge', gaugeSchema, false)] }])
        .previewed,
    ).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import type { KubeObject } from '../kube/objects.js';
import { CustomResourceRefusedError } from '../lint/crd-preview.js';
import type { Plan } from '../plan/plan.js';
import type { PlannedChange } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';
import { previewWithCrds } from './preview-crds.js';
import type { ValuesFiles } from './values-files.js';

// As helm template --include-crds prints a chart whose subchart has a crds/ folder.
const rendered = (replicas: string) => `---
# Source: stack/charts/gauge-operator/crds/gauges.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gauges.metrics.example.dev
spec:
  group: metrics.example.dev
  scope: Namespaced
  names: { plural: gauges, kind: Gauge }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { replicas: { type: integer } } }
---
# Source: stack/templates/gauge.yaml
apiVersion: metrics.example.dev/v1
kind: Gauge
metadata:
  name: main
spec:
  replicas: ${replicas}
---
# Source: stack/templates/hook.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: { helm.sh/hook: pre-install }
spec: { template: { spec: { containers: [{ name: m, image: m:1 }], restartPolicy: Never } } }
`;

const release = { id: 'monitoring/stack', name: 'stack', namespace: 'monitoring' } as Release;
const own = (obj: KubeObject): KubeObject => ({ ...obj, metadata: { ...obj.metadata, labels: { owner: 'stack' } } });

function preview(action: PlannedChange['action'], replicas = '2') {
  const deps = {
    helm: { templateWithCrds: async () => rendered(replicas) },
    kubectl: { listKinds: async () => [], dryRunApply: async () => undefined },
  } as unknown as ClusterDeps;
  const change = { release, action, changingNeeds: [] } as unknown as PlannedChange;
  const cause = new Error('no matches for kind "Gauge" in version "metrics.example.dev/v1"');
  return previewWithCrds(
    change,
    { releases: [release] } as Plan,
    deps,
    { argsFor: () => [] } as unknown as ValuesFiles,
    { cause, own },
  );
}

describe('previewWithCrds', () => {
  it('on install: the crds/ CRD as helm installs it, the custom resource marked, the hook apart', async () => {
    const result = await preview('install');
    expect(
      result.desired.map((obj) => `${obj.kind}/${obj.metadata.name} ${JSON.stringify(obj.metadata.labels ?? {})}`),
    ).toEqual(['CustomResourceDefinition/gauges.metrics.example.dev {}', 'Gauge/main {"owner":"stack"}']);
    expect([...result.previewed]).toEqual([
      ['metrics.example.dev/Gauge/monitoring/main', 'checked against the CRD from monitoring/stack, not yet installed'],
    ]);
    expect(result.hooks.map((hook) => hook.events)).toEqual([['pre-install']]);
  });

  it("refuses a custom resource the CRD's schema refuses", async () => {
    await expect(preview('install', '"two"')).rejects.toThrow(CustomResourceRefusedError);
    await expect(preview('install', '"two"')).rejects.toThrow(
      'Gauge/main: spec.replicas: expected integer, got string',
    );
  });

  it("keeps helm's error on upgrade: helm installs crds/ on install only", async () => {
    await expect(preview('upgrade')).rejects.toThrow('no matches for kind "Gauge"');
  });
});

import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { KubeObject } from '../kube/objects.js';
import { applyOnceCrdsEstablished, servingCrds, unmappedKinds } from './crds-established.js';

// As helm 4 fails an install whose crds/ CRDs are not Established yet (two objects of one kind, one of another).
const helmError =
  new Error(`Error: unable to build kubernetes objects from release manifest: [resource mapping not found for name: "a" namespace: "" from "": no matches for kind "Widget" in version "example.com/v1"
ensure CRDs are installed first, resource mapping not found for name: "b" namespace: "" from "": no matches for kind "Widget" in version "example.com/v1"
ensure CRDs are installed first, resource mapping not found for name: "c" namespace: "" from "": no matches for kind "Gauge" in version "metrics.example.dev/v1beta1"
ensure CRDs are installed first]`);

const crd = (name: string, group: string, kind: string, versions: { name: string; served: boolean }[]): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name },
  spec: { group, names: { kind }, versions },
});
const widgets = crd('widgets.example.com', 'example.com', 'Widget', [{ name: 'v1', served: true }]);
const gauges = crd('gauges.metrics.example.dev', 'metrics.example.dev', 'Gauge', [{ name: 'v1beta1', served: true }]);

describe('waiting for the CRDs helm could not map yet', () => {
  it('reads each kind helm names once', () => {
    expect(unmappedKinds(helmError.message)).toEqual([
      { kind: 'Widget', apiVersion: 'example.com/v1' },
      { kind: 'Gauge', apiVersion: 'metrics.example.dev/v1beta1' },
    ]);
  });

  it('finds the CRD that serves each kind at its version, and none when one kind has no CRD or not that version', () => {
    const kinds = unmappedKinds(helmError.message);
    expect(servingCrds(kinds, [widgets, gauges])).toEqual(['widgets.example.com', 'gauges.metrics.example.dev']);
    expect(servingCrds(kinds, [widgets])).toBeUndefined();
    expect(
      servingCrds(kinds, [
        widgets,
        crd('gauges.metrics.example.dev', 'metrics.example.dev', 'Gauge', [{ name: 'v1beta1', served: false }]),
      ]),
    ).toBeUndefined();
  });

  it('waits for them Established and applies once more', async () => {
    const { deps, calls } = createFakeCluster({ live: [widgets, gauges] });
    let tries = 0;
    await applyOnceCrdsEstablished(async () => {
      calls.push(`apply ${++tries}`);
      if (tries === 1) throw helmError;
    }, deps);
    expect(calls).toEqual(['apply 1', 'wait established widgets.example.com,gauges.metrics.example.dev', 'apply 2']);
  });

  it("keeps helm's error when a kind has no CRD in the cluster, or the second try fails too", async () => {
    const missing = createFakeCluster({ live: [widgets] });
    await expect(applyOnceCrdsEstablished(() => Promise.reject(helmError), missing.deps)).rejects.toBe(helmError);
    expect(missing.calls).toEqual([]);
    const { deps, calls } = createFakeCluster({ live: [widgets, gauges] });
    await expect(applyOnceCrdsEstablished(() => Promise.reject(helmError), deps)).rejects.toBe(helmError);
    expect(calls).toEqual(['wait established widgets.example.com,gauges.metrics.example.dev']);
  });

  it('leaves any other failure alone', async () => {
    const { deps, calls } = createFakeCluster({ live: [widgets] });
    const other = new Error('Error: UPGRADE FAILED: context deadline exceeded');
    await expect(applyOnceCrdsEstablished(() => Promise.reject(other), deps)).rejects.toBe(other);
    expect(calls).toEqual([]);
  });
});

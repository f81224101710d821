import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import type { ObjectRef } from '../helm/kubectl.js';
import type { KubeObject } from '../kube/objects.js';
import { waitForHealth } from './health-wait.js';

const release = (health: Release['health'] = []) =>
  ({ id: 'shop/web', name: 'web', namespace: 'shop', timeout: '60s', health }) as Release;
const certificate = (name: string, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name, generation: 1 },
  ...(status && { status }),
});
const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };
const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
const issuing = {
  conditions: [
    { type: 'Ready', status: 'False', reason: 'DoesNotExist' },
    { type: 'Issuing', status: 'True', reason: 'DoesNotExist' },
  ],
};
const issued = { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 }] };
const failedIssuance = {
  conditions: [{ type: 'Issuing', status: 'False', reason: 'Failed', message: 'the CA refused the request' }],
};

/** A cluster whose objects change as the test's script says, one step per read round; a clock that each sleep moves. */
function scripted(steps: Record<string, KubeObject | undefined>[]) {
  let clock = 0;
  let round = 0;
  const reads: string[] = [];
  const kubectl = {
    getObject: async (ref: ObjectRef) => {
      reads.push(`${ref.kind}/${ref.namespace}/${ref.name}`);
      return steps[Math.min(round, steps.length - 1)]![ref.name];
    },
  };
  const waiting: string[] = [];
  const options = {
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
      round += 1;
    },
    onWaiting: (detail: string) => waiting.push(detail),
    pollMs: 1_000,
    statusGraceMs: 5_000,
  };
  return { kubectl, options, reads, waiting, elapsed: () => clock };
}

describe('waitForHealth', () => {
  it('reads nothing for a release of built-in kinds only', async () => {
    const cluster = scripted([{}]);
    await waitForHealth(release(), [configMap], cluster.kubectl, cluster.options);
    expect(cluster.reads).toEqual([]);
  });

  it('takes a custom resource no rule names by the conventions: without a status it is current at once', async () => {
    const cluster = scripted([{ w: widget }]);
    await waitForHealth(release(), [configMap, widget], cluster.kubectl, cluster.options);
    expect(cluster.reads).toEqual(['Widget/shop/w']);
    expect(cluster.elapsed()).toBe(0);
  });

  it('waits until every object with a rule is current, saying what it waits on', async () => {
    const cluster = scripted([
      { tls: certificate('tls', issuing) },
      { tls: certificate('tls', issuing) },
      { tls: certificate('tls', issued) },
    ]);
    await waitForHealth(release(), [configMap, certificate('tls')], cluster.kubectl, cluster.options);
    expect(cluster.waiting).toEqual(['waiting for Certificate/tls: Ready=False (DoesNotExist)']);
    expect(cluster.reads).toEqual(['Certificate/shop/tls', 'Certificate/shop/tls', 'Certificate/shop/tls']);
  });

  it('fails at once when a rule says failed, naming the rule and the condition', async () => {
    const cluster = scripted([
      { tls: certificate('tls', issuing) },
      { tls: certificate('tls', failedIssuance) },
      { tls: certificate('tls', issued) },
    ]);
    await expect(waitForHealth(release(), [certificate('tls')], cluster.kubectl, cluster.options)).rejects.toThrow(
      'Certificate/tls failed: its health rule cert-manager.io/v1 Certificate (built-in, cert-manager) says failed: Issuing=False (Failed): the CA refused the request',
    );
    expect(cluster.elapsed()).toBe(1_000);
  });

  it('does not judge a just-created object before its controller wrote a status, until the grace period is over', async () => {
    const always = [
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        current: 'true',
        source: { kind: 'user' as const, where: 'releases.yaml defaults.health[0]' },
      },
    ];
    const cluster = scripted([{ w: widget }]);
    await waitForHealth(release(always), [widget], cluster.kubectl, cluster.options);
    expect(cluster.elapsed()).toBe(5_000);
    expect(cluster.waiting).toEqual(['waiting for Widget/w: no status yet']);
  });

  it('a release rule replaces the built-in one for its kind', async () => {
    const own = [
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        current: "status.conditions.exists(c, c.type == 'Issuing')",
        source: { kind: 'user' as const, where: 'releases.yaml releases[0].health[0]' },
      },
    ];
    const cluster = scripted([{ tls: certificate('tls', failedIssuance) }]);
    await waitForHealth(release(own), [certificate('tls')], cluster.kubectl, cluster.options);
    expect(cluster.reads).toHaveLength(1);
  });

  it('fails after the release timeout with what each object says, and why an expression gave no answer', async () => {
    const own = [
      {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        current: 'status.ready',
        source: { kind: 'user' as const, where: 'releases.yaml defaults.health[0]' },
      },
    ];
    const cluster = scripted([
      { tls: certificate('tls', { phase: 'Pending' }), w: { ...widget, status: { phase: 'Pending' } } },
    ]);
    const error = await waitForHealth(
      release(own),
      [certificate('tls'), widget],
      cluster.kubectl,
      cluster.options,
    ).catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(
      /^not ready after 60s: Certificate\/tls: phase Pending, Widget\/w: phase Pending \(current: .+\)$/,
    );
    expect(cluster.elapsed()).toBe(60_000);
  });
});

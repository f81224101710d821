import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import type { KubeObject } from '../kube/objects.js';
import { gateRefusals, type DeployedRelease } from './gate.js';
import { releaseHealthRules } from '../app/health-wait.js';
import { notReadyObjects } from './readiness.js';

const release = (name: string) => ({ id: `boutique/${name}`, name }) as Release;
const healthy = (version: string): DeployedRelease => ({ status: 'deployed', version, notReady: [] });

describe('the promotion gate', () => {
  it('lets through exactly the versions that are deployed and ready in the source', () => {
    expect(
      gateRefusals([{ release: release('frontend'), wanted: '3f2a1c9', source: healthy('3f2a1c9') }], 'staging'),
    ).toEqual([]);
    expect(
      gateRefusals(
        [{ release: release('redis-cart'), wanted: undefined, source: healthy(undefined as never) }],
        'staging',
      ),
    ).toEqual([]);
  });

  it('refuses, naming each release, a version that never ran, a failed or missing release, and one that is not ready', () => {
    const refusals = gateRefusals(
      [
        { release: release('frontend'), wanted: '9d8c7b6', source: healthy('3f2a1c9') },
        { release: release('cartservice'), wanted: '3f2a1c9', source: { status: 'failed', notReady: [] } },
        { release: release('adservice'), wanted: '3f2a1c9', source: { notReady: [] } },
        {
          release: release('emailservice'),
          wanted: '3f2a1c9',
          source: { status: 'deployed', version: '3f2a1c9', notReady: ['Deployment/emailservice'] },
        },
        { release: release('shippingservice'), wanted: '3f2a1c9', source: { status: 'pending-upgrade', notReady: [] } },
      ],
      'staging',
    );
    expect(refusals.map(({ release, reason }) => `${release.id}: ${reason}`)).toEqual([
      'boutique/frontend: 9d8c7b6 has not run in staging (it runs 3f2a1c9)',
      'boutique/cartservice: is failed in staging',
      'boutique/adservice: is not installed in staging',
      'boutique/emailservice: is not ready in staging: Deployment/emailservice',
      'boutique/shippingservice: is pending-upgrade in staging',
    ]);
  });
});

const deployment = (name: string, status: Record<string, number>, generation = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, generation },
  spec: { replicas: 2 },
  status: { observedGeneration: 1, ...status },
});

describe('workload readiness', () => {
  it('is ready when the controller caught up and every replica is ready, updated and available', () => {
    const ready = deployment('web', { readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } };
    expect(notReadyObjects([ready, config], [ready], () => undefined)).toEqual([]);
  });

  it('names workloads short of replicas, behind their generation, or gone from the cluster', () => {
    const declared = [deployment('short', {}), deployment('behind', {}), deployment('gone', {})];
    const live = [
      deployment('short', { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 }),
      deployment('behind', { readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }, 2),
    ];
    expect(notReadyObjects(declared, live, () => undefined)).toEqual([
      'Deployment/short',
      'Deployment/behind',
      'Deployment/gone',
    ]);
  });

  it('names custom resources that their health rule does not call current, with what their status says', () => {
    const rules = releaseHealthRules({ health: [] });
    const certificate = (name: string, status: string, reason: string) => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name, generation: 1 },
      status: { conditions: [{ type: 'Ready', status, reason }] },
    });
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'no-rule' } };
    const declared = [
      certificate('issued', 'True', 'Ready'),
      certificate('issuing', 'False', 'Issuing'),
      certificate('gone', 'True', 'Ready'),
      widget,
    ];
    const live = [certificate('issued', 'True', 'Ready'), certificate('issuing', 'False', 'Issuing'), widget];
    expect(notReadyObjects(declared, live, (object) => rules.ruleFor(object))).toEqual([
      'Certificate/issuing: Ready=False (Issuing)',
      'Certificate/gone: not found',
    ]);
  });
});

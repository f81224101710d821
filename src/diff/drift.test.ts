import { describe, expect, it } from 'vitest';
import { find, frontendRelease, serverContainer } from '../../test/fixtures/diff/scenario.js';
import { driftedObjects, findDrift, parseQuantity } from './drift.js';
import { normalizeObject } from './normalize.js';
import type { KubeObject } from '../kube/objects.js';

const { rendered, live } = frontendRelease();
const applied = normalizeObject(find(rendered, 'Deployment', 'frontend'));
const liveDeployment = (): KubeObject => structuredClone(find(live, 'Deployment', 'frontend'));

describe('findDrift', () => {
  it('finds none between what helm applied and the object with server defaults', () => {
    // rendered says `cpu: 0.1`, the server holds `100m`; ports and probes gained defaults.
    for (const obj of rendered) {
      const counterpart = find(live, obj.kind, obj.metadata.name);
      expect(findDrift(normalizeObject(obj), normalizeObject(counterpart))).toEqual([]);
    }
  });

  it('reports a kubectl scale', () => {
    const scaled = liveDeployment();
    (scaled.spec as { replicas: number }).replicas = 5;
    expect(findDrift(applied, normalizeObject(scaled))).toEqual([{ path: 'spec.replicas', applied: 3, live: 5 }]);
  });

  it('reports an edited env value by container and variable name, whatever the list order', () => {
    const edited = liveDeployment();
    const env = serverContainer(edited).env;
    env.reverse();
    const port = env.find((variable) => variable.name === 'PORT');
    if (port) port.value = '9090';
    expect(findDrift(applied, normalizeObject(edited))).toEqual([
      { path: 'spec.template.spec.containers[name=server].env[name=PORT].value', applied: '8080', live: '9090' },
    ]);
  });

  it('reports a removed list element once, as a whole', () => {
    const edited = liveDeployment();
    const container = serverContainer(edited);
    container.env = container.env.filter((variable) => variable.name !== 'PORT');
    expect(findDrift(applied, normalizeObject(edited))).toEqual([
      {
        path: 'spec.template.spec.containers[name=server].env[name=PORT]',
        applied: { name: 'PORT', value: '8080' },
        live: null,
      },
    ]);
  });

  it('ignores zero values the API server omits from what it returns', () => {
    const withEmpties = structuredClone(applied);
    const podSpec = (withEmpties.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    Object.assign(podSpec, { nodeSelector: {}, tolerations: [], hostNetwork: false });
    serverContainer(withEmpties).env.push({ name: 'EMPTY', value: '' });
    const liveCopy = liveDeployment();
    serverContainer(liveCopy).env.push({ name: 'EMPTY' });
    expect(findDrift(withEmpties, normalizeObject(liveCopy))).toEqual([]);
  });

  it('compares lists of scalars as a whole and brackets keys with dots', () => {
    const capabilities = (drop: string[]): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { 'app.kubernetes.io/name': drop.join('') } },
      spec: { drop },
    });
    expect(findDrift(capabilities(['ALL']), capabilities(['NET_RAW', 'ALL']))).toEqual([
      { path: 'metadata.labels["app.kubernetes.io/name"]', applied: 'ALL', live: 'NET_RAWALL' },
      { path: 'spec.drop', applied: ['ALL'], live: ['NET_RAW', 'ALL'] },
    ]);
  });

  it('treats quantities as numbers only inside resource maps', () => {
    const pod = (requests: unknown, env: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { resources: { requests }, env: { LIMIT: env } },
    });
    expect(findDrift(pod({ cpu: '0.5', memory: '1Gi' }, '1'), pod({ cpu: '500m', memory: '1024Mi' }, '1.0'))).toEqual([
      { path: 'spec.env.LIMIT', applied: '1', live: '1.0' },
    ]);
  });
});

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent suffixes', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('2Xi')).toBeUndefined();
    expect(parseQuantity('lots')).toBeUndefined();
  });
});

describe('drift ignore rules', () => {
  const deployment = (replicas: number, image: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas, template: { spec: { containers: [{ name: 'server', image }] } } },
  });
  const hpa: KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
  };

  it('leaves spec.replicas of an autoscaled workload to its HorizontalPodAutoscaler', () => {
    const live = new Map([
      ['apps/Deployment/shop/web', deployment(4, 'web:1')],
      ['autoscaling/HorizontalPodAutoscaler/shop/web', hpa],
    ]);
    expect(driftedObjects([deployment(1, 'web:1'), hpa], live, 'shop')).toEqual([]);
    expect(driftedObjects([deployment(1, 'web:1')], live, 'shop')).toEqual(['Deployment/web']);
  });

  it('skips the fields a rule names, by kind and name, list elements by name or *', () => {
    const live = new Map([['apps/Deployment/shop/web', deployment(1, 'web:2')]]);
    const applied = [deployment(1, 'web:1')];
    expect(
      driftedObjects(applied, live, 'shop', [
        { kind: 'Deployment', jsonPointers: ['/spec/template/spec/containers/server/image'] },
      ]),
    ).toEqual([]);
    expect(
      driftedObjects(applied, live, 'shop', [
        { kind: 'Deployment', name: 'web', jsonPointers: ['/spec/template/spec/containers/*'] },
      ]),
    ).toEqual([]);
    expect(
      driftedObjects(applied, live, 'shop', [{ kind: 'Deployment', name: 'other', jsonPointers: ['/spec'] }]),
    ).toEqual(['Deployment/web']);
    expect(driftedObjects(applied, live, 'shop', [{ kind: 'StatefulSet', jsonPointers: ['/spec'] }])).toEqual([
      'Deployment/web',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { asDryRun, find, frontendRelease, serverContainer } from '../../test/fixtures/diff/scenario.js';
import type { KubeObject } from '../kube/objects.js';
import { diffRelease } from './release-diff.js';

const { live } = frontendRelease();

/** Impact messages by object ref, for objects that have any, when `edit` is applied to a dry run of the live release. */
function impactsAfter(
  edit: (desired: KubeObject[]) => void,
  liveObjects: KubeObject[] = live,
): Record<string, string[]> {
  const desired = liveObjects.map(asDryRun);
  edit(desired);
  const diff = diffRelease({ release: 'frontend', namespace: 'shop', desired, live: liveObjects, deployed: [] });
  return Object.fromEntries(
    diff.changes
      .filter((change) => change.impacts.length > 0)
      .map((change) => [change.ref, change.impacts.map((impact) => impact.message)]),
  );
}

const spec = (obj: KubeObject): Record<string, unknown> => obj.spec as Record<string, unknown>;
const podTemplateAnnotations = (deployment: KubeObject): void => {
  (spec(deployment).template as { metadata: Record<string, unknown> }).metadata.annotations = {
    'checksum/config': 'e3b0c442',
  };
};
const changeConfig = (desired: KubeObject[]): void => {
  find(desired, 'ConfigMap', 'frontend-config').data = { CART_SERVICE_ADDR: 'cartservice:7070', ENV_PLATFORM: 'gcp' };
};

const workload = (kind: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name: 'redis-cart', namespace: 'shop' },
  spec: {
    selector: { matchLabels: { app: 'redis-cart' } },
    template: {
      metadata: { labels: { app: 'redis-cart' } },
      spec: { containers: [{ name: 'redis', image: 'redis:alpine' }] },
    },
    ...extra,
  },
});
const setImage = (obj: KubeObject, image: string): void => {
  serverContainer(obj).image = image;
};

describe('rollout impacts', () => {
  it('rolls the desired number of pods when the pod template changes', () => {
    expect(impactsAfter((desired) => setImage(find(desired, 'Deployment', 'frontend'), 'frontend:v2'))).toEqual({
      'Deployment/frontend': ['rolls 3 pods of Deployment/frontend'],
    });
  });

  it('rolls nothing on a scale, and words single pods, DaemonSets and OnDelete StatefulSets', () => {
    expect(impactsAfter((desired) => (spec(find(desired, 'Deployment', 'frontend')).replicas = 6))).toEqual({});
    const workloads = [
      workload('Deployment'),
      workload('DaemonSet'),
      workload('StatefulSet', { replicas: 2, serviceName: 'redis-cart', updateStrategy: { type: 'OnDelete' } }),
    ];
    expect(impactsAfter((desired) => desired.forEach((obj) => setImage(obj, 'redis:7')), workloads)).toEqual({
      'Deployment/redis-cart': ['rolls 1 pod of Deployment/redis-cart'],
      'DaemonSet/redis-cart': ['rolls the pods of DaemonSet/redis-cart'],
      'StatefulSet/redis-cart': [
        'pods of StatefulSet/redis-cart keep the old template until deleted (updateStrategy OnDelete)',
      ],
    });
  });
});

describe('stale config impacts', () => {
  it('warns when a consumed ConfigMap changes and its consumers do not restart', () => {
    expect(impactsAfter(changeConfig)).toEqual({
      'ConfigMap/frontend-config': ['pods of Deployment/frontend keep the old config until restarted'],
    });
  });

  it('warns for a Secret consumed through env valueFrom', () => {
    const rotate = (desired: KubeObject[]): void => {
      find(desired, 'Secret', 'frontend-session').data = { COOKIE_DOMAIN: 'c2hvcA==', SESSION_KEY: 'bmV3' };
    };
    expect(impactsAfter(rotate)).toEqual({
      'Secret/frontend-session': ['pods of Deployment/frontend keep the old config until restarted'],
    });
  });

  it('stays quiet when a checksum annotation rolls the consumer instead', () => {
    const withChecksum = (desired: KubeObject[]): void => {
      changeConfig(desired);
      podTemplateAnnotations(find(desired, 'Deployment', 'frontend'));
    };
    expect(impactsAfter(withChecksum)).toEqual({ 'Deployment/frontend': ['rolls 3 pods of Deployment/frontend'] });
  });

  it('follows projected volume sources, and ignores label-only changes', () => {
    const projected = workload('Deployment');
    const podSpec = (spec(projected).template as { spec: Record<string, unknown> }).spec;
    podSpec.volumes = [{ name: 'config', projected: { sources: [{ configMap: { name: 'frontend-config' } }] } }];
    const configMap = find(live, 'ConfigMap', 'frontend-config');
    expect(impactsAfter(changeConfig, [projected, configMap])).toEqual({
      'ConfigMap/frontend-config': ['pods of Deployment/redis-cart keep the old config until restarted'],
    });
    const relabel = (desired: KubeObject[]): void => {
      find(desired, 'ConfigMap', 'frontend-config').metadata.labels = { app: 'other' };
    };
    expect(impactsAfter(relabel, [projected, configMap])).toEqual({});
  });
});

describe('replace impacts', () => {
  it('flags immutable workload fields', () => {
    const statefulSet = workload('StatefulSet', { serviceName: 'redis-cart', volumeClaimTemplates: [] });
    const edit = (desired: KubeObject[]): void => {
      spec(find(desired, 'Deployment', 'frontend')).selector = { matchLabels: { app: 'frontend', tier: 'web' } };
      Object.assign(spec(find(desired, 'StatefulSet', 'redis-cart')), {
        serviceName: 'redis',
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }],
      });
    };
    expect(impactsAfter(edit, [find(live, 'Deployment', 'frontend'), statefulSet])).toEqual({
      'Deployment/frontend': ['requires replace: spec.selector is immutable'],
      'StatefulSet/redis-cart': [
        'requires replace: spec.volumeClaimTemplates is immutable',
        'requires replace: spec.serviceName is immutable',
      ],
    });
  });

  it('flags a changed clusterIP only once the server has set one', () => {
    const service = find(live, 'Service', 'frontend');
    expect(
      impactsAfter((desired) => (spec(find(desired, 'Service', 'frontend')).clusterIP = 'None'), [service]),
    ).toEqual({
      'Service/frontend': ['requires replace: spec.clusterIP is immutable'],
    });
    const headlessToBe = structuredClone(service);
    delete spec(headlessToBe).clusterIP;
    expect(
      impactsAfter((desired) => (spec(find(desired, 'Service', 'frontend')).clusterIP = 'None'), [headlessToBe]),
    ).toEqual({});
  });

  it('flags a Job template change', () => {
    const job: KubeObject = {
      ...workload('Job'),
      apiVersion: 'batch/v1',
      metadata: { name: 'migrate', namespace: 'shop' },
    };
    expect(impactsAfter((desired) => desired.forEach((obj) => setImage(obj, 'migrate:v2')), [job])).toEqual({
      'Job/migrate': ['requires replace: spec.template is immutable'],
    });
  });

  it('lets a PVC grow but not change class', () => {
    const pvc: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'redis-data', namespace: 'shop' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'standard',
        resources: { requests: { storage: '1Gi' } },
      },
    };
    const grow = (desired: KubeObject[]): void => {
      spec(find(desired, 'PersistentVolumeClaim', 'redis-data')).resources = { requests: { storage: '5Gi' } };
    };
    expect(impactsAfter(grow, [pvc])).toEqual({});
    const reclass = (desired: KubeObject[]): void => {
      spec(find(desired, 'PersistentVolumeClaim', 'redis-data')).storageClassName = 'premium-rwo';
    };
    expect(impactsAfter(reclass, [pvc])).toEqual({
      'PersistentVolumeClaim/redis-data': ['requires replace: spec is immutable except resources.requests'],
    });
  });

  it('flags new data in an immutable ConfigMap', () => {
    const frozen = { ...find(live, 'ConfigMap', 'frontend-config'), immutable: true };
    expect(impactsAfter(changeConfig, [frozen])).toEqual({
      'ConfigMap/frontend-config': ['requires replace: data of an immutable ConfigMap cannot change'],
    });
  });
});

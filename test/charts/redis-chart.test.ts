import { beforeAll, describe, expect, it } from 'vitest';
import { helmTemplate, helmTemplateFailure, inBatches, type Manifests, redisChart } from './helm.js';

const digest = `sha256:${'cd'.repeat(32)}`;
const persistent = {
  persistence: { enabled: true, size: '5Gi', storageClass: 'fast' },
  auth: { existingSecret: 'redis-auth' },
  networkPolicy: { enabled: true, allowFrom: ['cartservice'] },
};
const pinnedAndClosed = { image: { digest }, networkPolicy: { enabled: true } };

let defaults: Manifests;
let persistentRender: Manifests;
let pinnedRender: Manifests;

beforeAll(async () => {
  const renders = await inBatches([{}, persistent, pinnedAndClosed].map((values) => () => helmTemplate({ release: 'redis-cart', chart: redisChart, values: [values] })));
  [defaults, persistentRender, pinnedRender] = renders as [Manifests, Manifests, Manifests];
});

describe('redis chart', () => {
  it('defaults to upstream redis-cart: a Deployment with an emptyDir at /data', () => {
    expect(defaults.kindsAndNames()).toEqual(['Deployment/redis-cart', 'Service/redis-cart', 'ServiceAccount/redis-cart']);
    const pod = defaults.get('Deployment', 'redis-cart').spec.template.spec;
    expect(pod.serviceAccountName).toBe('redis-cart');
    expect(pod.volumes).toEqual([{ name: 'redis-data', emptyDir: {} }]);
    expect(pod.containers).toEqual([{
      name: 'redis',
      image: 'redis:alpine',
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
      readinessProbe: { periodSeconds: 5, tcpSocket: { port: 6379 } },
      livenessProbe: { periodSeconds: 5, tcpSocket: { port: 6379 } },
      resources: { requests: { cpu: '70m', memory: '200Mi' }, limits: { cpu: '125m', memory: '256Mi' } },
      securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'redis-data', mountPath: '/data' }],
    }]);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('serves tcp-redis 6379 -> 6379 to pods labelled app: redis-cart', () => {
    expect(defaults.get('Service', 'redis-cart').spec).toEqual({
      type: 'ClusterIP', selector: { app: 'redis-cart' }, ports: [{ name: 'tcp-redis', port: 6379, targetPort: 6379, protocol: 'TCP' }],
    });
    expect(defaults.get('Deployment', 'redis-cart').spec.selector).toEqual({ matchLabels: { app: 'redis-cart' } });
  });

  it('switches to a StatefulSet with a PVC when persistence is on', () => {
    expect(persistentRender.find('Deployment', 'redis-cart')).toBeUndefined();
    const statefulSet = persistentRender.get('StatefulSet', 'redis-cart');
    expect(statefulSet.spec.serviceName).toBe('redis-cart');
    expect(statefulSet.spec.template.spec.volumes).toBeUndefined();
    expect(statefulSet.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'redis-data', mountPath: '/data' }]);
    expect(statefulSet.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'redis-data', labels: { app: 'redis-cart' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } },
    }]);
  });

  it('requires the password from an existing Secret without putting it in the spec', () => {
    const container = persistentRender.get('StatefulSet', 'redis-cart').spec.template.spec.containers[0];
    expect(container.args).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
    expect(container.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'redis-password' } } }]);
    expect(defaults.get('Deployment', 'redis-cart').spec.template.spec.containers[0].args).toBeUndefined();
  });

  it('admits only the named client apps, and nobody when none is named', () => {
    expect(persistentRender.get('NetworkPolicy', 'redis-cart').spec).toEqual({
      podSelector: { matchLabels: { app: 'redis-cart' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'cartservice' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }],
    });
    expect(pinnedRender.get('NetworkPolicy', 'redis-cart').spec.ingress).toEqual([]);
  });

  it('pins the image by digest, keeping the tag as its name (repo:tag@digest)', () => {
    expect(pinnedRender.get('Deployment', 'redis-cart').spec.template.spec.containers[0].image).toBe(`redis:alpine@${digest}`);
  });

  it('rejects a typo in a top-level key and a value of the wrong type', async () => {
    const [typo, wrongType] = await inBatches([{ persistance: { enabled: true } }, { persistence: { enabled: 'yes' } }]
      .map((values) => () => helmTemplateFailure({ release: 'redis-cart', chart: redisChart, values: [values] })));
    expect(typo).toMatch(/additional properties 'persistance' not allowed/);
    expect(wrongType).toMatch(/at '\/persistence\/enabled': got string, want boolean/);
  });
});

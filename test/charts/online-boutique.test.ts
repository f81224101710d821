import { beforeAll, describe, expect, it } from 'vitest';
import { environments, renderEnvironments, systemReleases } from './boutique-system.js';
import type { KubeObject, Manifests } from './helm.js';

// The facts table of /work/shared/online-boutique.md (upstream v0.10.6), row by row.
const registry = 'us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo';
// Upstream's chart pins both public images by digest.
const redisImage = 'redis:alpine@sha256:9d317178eceac8454a2284a9e6df2466b93c745529947f0cd42a0fa9609d7005';
const busyboxImage = 'busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d';
const containerNames: Record<string, string> = { 'redis-cart': 'redis', loadgenerator: 'main' };
const grpcProbe = (port: number, timing: { initialDelaySeconds?: number; periodSeconds?: number } = {}) => ({ ...timing, grpc: { port } });
const frontendProbe = (cookie: string) => ({
  initialDelaySeconds: 10,
  httpGet: { path: '/_healthz', port: 8080, httpHeaders: [{ name: 'Cookie', value: `shop_session-id=${cookie}` }] },
});
const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string) => ({
  requests: { cpu, memory }, limits: { cpu: cpuLimit, memory: memoryLimit },
});

interface Row {
  release: string;
  containerPort?: number;
  /** Service port name, port and target; absent when the workload has no Service. */
  service?: { name: string; port: number; targetPort: number };
  env: Record<string, string>;
  readinessProbe?: object;
  livenessProbe?: object;
  resources: object;
}

const rows: Row[] = [
  { release: 'adservice', containerPort: 9555, service: { name: 'grpc', port: 9555, targetPort: 9555 }, env: { PORT: '9555' },
    readinessProbe: grpcProbe(9555, { initialDelaySeconds: 20, periodSeconds: 15 }), livenessProbe: grpcProbe(9555, { initialDelaySeconds: 20, periodSeconds: 15 }),
    resources: resources('200m', '180Mi', '300m', '300Mi') },
  { release: 'cartservice', containerPort: 7070, service: { name: 'grpc', port: 7070, targetPort: 7070 }, env: { REDIS_ADDR: 'redis-cart:6379' },
    readinessProbe: grpcProbe(7070, { initialDelaySeconds: 15 }), livenessProbe: grpcProbe(7070, { initialDelaySeconds: 15, periodSeconds: 10 }),
    resources: resources('200m', '128Mi', '300m', '256Mi') },
  { release: 'checkoutservice', containerPort: 5050, service: { name: 'grpc', port: 5050, targetPort: 5050 },
    env: {
      PORT: '5050', PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550', SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
      PAYMENT_SERVICE_ADDR: 'paymentservice:50051', EMAIL_SERVICE_ADDR: 'emailservice:5000', CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
      CART_SERVICE_ADDR: 'cartservice:7070',
    },
    readinessProbe: grpcProbe(5050), livenessProbe: grpcProbe(5050), resources: resources('100m', '64Mi', '200m', '128Mi') },
  { release: 'currencyservice', containerPort: 7000, service: { name: 'grpc', port: 7000, targetPort: 7000 }, env: { PORT: '7000', DISABLE_PROFILER: '1' },
    readinessProbe: grpcProbe(7000), livenessProbe: grpcProbe(7000), resources: resources('100m', '128Mi', '200m', '256Mi') },
  { release: 'emailservice', containerPort: 8080, service: { name: 'grpc', port: 5000, targetPort: 8080 }, env: { PORT: '8080', DISABLE_PROFILER: '1' },
    readinessProbe: grpcProbe(8080, { periodSeconds: 5 }), livenessProbe: grpcProbe(8080, { periodSeconds: 5 }),
    resources: resources('100m', '64Mi', '200m', '128Mi') },
  { release: 'frontend', containerPort: 8080, service: { name: 'http', port: 80, targetPort: 8080 },
    env: {
      PORT: '8080', PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550', CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
      CART_SERVICE_ADDR: 'cartservice:7070', RECOMMENDATION_SERVICE_ADDR: 'recommendationservice:8080',
      SHIPPING_SERVICE_ADDR: 'shippingservice:50051', CHECKOUT_SERVICE_ADDR: 'checkoutservice:5050', AD_SERVICE_ADDR: 'adservice:9555',
      SHOPPING_ASSISTANT_SERVICE_ADDR: 'shoppingassistantservice:80', ENV_PLATFORM: 'local',
      CYMBAL_BRANDING: 'false', ENABLE_ASSISTANT: 'false', ENABLE_SINGLE_SHARED_SESSION: 'false',
    },
    readinessProbe: frontendProbe('x-readiness-probe'), livenessProbe: frontendProbe('x-liveness-probe'),
    resources: resources('100m', '64Mi', '200m', '128Mi') },
  { release: 'paymentservice', containerPort: 50051, service: { name: 'grpc', port: 50051, targetPort: 50051 }, env: { PORT: '50051', DISABLE_PROFILER: '1' },
    readinessProbe: grpcProbe(50051), livenessProbe: grpcProbe(50051), resources: resources('100m', '128Mi', '200m', '256Mi') },
  { release: 'productcatalogservice', containerPort: 3550, service: { name: 'grpc', port: 3550, targetPort: 3550 }, env: { PORT: '3550', DISABLE_PROFILER: '1', EXTRA_LATENCY: '' },
    readinessProbe: grpcProbe(3550), livenessProbe: grpcProbe(3550), resources: resources('100m', '64Mi', '200m', '128Mi') },
  { release: 'recommendationservice', containerPort: 8080, service: { name: 'grpc', port: 8080, targetPort: 8080 },
    env: { PORT: '8080', PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550', DISABLE_PROFILER: '1' },
    readinessProbe: grpcProbe(8080, { periodSeconds: 5 }), livenessProbe: grpcProbe(8080, { periodSeconds: 5 }),
    resources: resources('100m', '220Mi', '200m', '450Mi') },
  { release: 'shippingservice', containerPort: 50051, service: { name: 'grpc', port: 50051, targetPort: 50051 }, env: { PORT: '50051', DISABLE_PROFILER: '1' },
    readinessProbe: grpcProbe(50051, { periodSeconds: 5 }), livenessProbe: grpcProbe(50051), resources: resources('100m', '64Mi', '200m', '128Mi') },
  { release: 'loadgenerator', env: { FRONTEND_ADDR: 'frontend:80', USERS: '10', RATE: '1' }, resources: resources('300m', '256Mi', '500m', '512Mi') },
  { release: 'redis-cart', containerPort: 6379, service: { name: 'tcp-redis', port: 6379, targetPort: 6379 }, env: {},
    readinessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 5 }, livenessProbe: { tcpSocket: { port: 6379 }, periodSeconds: 5 },
    resources: resources('70m', '200Mi', '125m', '256Mi') },
];

const upstreamPodSecurity = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 };
const upstreamContainerSecurity = { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

// Who calls whom, from the facts file; NetworkPolicies in prod must admit exactly these callers.
const callers: Record<string, string[]> = {
  productcatalogservice: ['frontend', 'checkoutservice', 'recommendationservice'],
  currencyservice: ['frontend', 'checkoutservice'],
  cartservice: ['frontend', 'checkoutservice'],
  recommendationservice: ['frontend'],
  shippingservice: ['frontend', 'checkoutservice'],
  checkoutservice: ['frontend'],
  adservice: ['frontend'],
  paymentservice: ['checkoutservice'],
  emailservice: ['checkoutservice'],
  'redis-cart': ['cartservice'],
};

let rendered: Map<string, Map<string, Manifests>>;
const manifests = (environment: string, release: string): Manifests => rendered.get(environment)!.get(release)!;
const workload = (m: Manifests, release: string): KubeObject => m.find('Deployment', release) ?? m.get('StatefulSet', release);

beforeAll(async () => {
  rendered = await renderEnvironments(environments);
});

describe('releases.yaml', () => {
  it('wires the 12 releases with the needs graph of the facts file, callers after what they dial', () => {
    const releases = systemReleases('default');
    const needs = Object.fromEntries(releases.map((release) => [release.name, [...release.needs].sort()]));
    expect(needs).toEqual({
      'redis-cart': [], adservice: [], currencyservice: [], emailservice: [], paymentservice: [], productcatalogservice: [], shippingservice: [],
      cartservice: ['redis-cart'],
      recommendationservice: ['productcatalogservice'],
      checkoutservice: ['cartservice', 'currencyservice', 'emailservice', 'paymentservice', 'productcatalogservice', 'shippingservice'],
      frontend: ['adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'productcatalogservice', 'recommendationservice', 'shippingservice'],
      loadgenerator: ['frontend'],
    });
    const order = releases.map((release) => release.name);
    for (const release of releases) {
      for (const need of release.needs) expect(order.indexOf(need), `${need} before ${release.name}`).toBeLessThan(order.indexOf(release.name));
    }
  });

  it('installs the load generator everywhere but prod', () => {
    expect(environments).toEqual(['default', 'dev', 'staging', 'prod']);
    expect(systemReleases('prod').map((r) => r.name)).not.toContain('loadgenerator');
    for (const environment of ['default', 'dev', 'staging']) expect(systemReleases(environment)).toHaveLength(12);
  });
});

describe('default environment reproduces upstream Online Boutique v0.10.6', () => {
  it.each(rows)('$release', (row) => {
    const m = manifests('default', row.release);
    const deployment = m.get('Deployment', row.release);
    const pod = deployment.spec.template;
    const isRedis = row.release === 'redis-cart';
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.selector.matchLabels).toEqual({ app: row.release });
    expect(pod.metadata.labels).toMatchObject({ app: row.release, 'app.kubernetes.io/part-of': 'online-boutique' });

    expect(pod.spec.containers).toHaveLength(1);
    const container = pod.spec.containers[0];
    expect(container.name).toBe(containerNames[row.release] ?? 'server');
    expect(container.image).toBe(isRedis ? redisImage : `${registry}/${row.release}:v0.10.6`);
    expect((container.ports ?? []).map((p: { containerPort: number }) => p.containerPort)).toEqual(row.containerPort ? [row.containerPort] : []);
    const env = (container.env ?? []) as Array<{ name: string; value: string }>;
    expect(env.map((e) => e.name)).toEqual(Object.keys(row.env));
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual(row.env);
    expect(container.envFrom).toBeUndefined();
    expect(container.readinessProbe).toEqual(row.readinessProbe);
    expect(container.livenessProbe).toEqual(row.livenessProbe);
    expect(container.resources).toEqual(row.resources);
    expect(container.securityContext).toEqual(upstreamContainerSecurity);
    expect(pod.spec.securityContext).toMatchObject(upstreamPodSecurity);
    expect(pod.spec.terminationGracePeriodSeconds).toBe(isRedis ? undefined : 5);

    expect(pod.spec.serviceAccountName).toBe(row.release);
    expect(m.get('ServiceAccount', row.release)).toBeDefined();

    const services = m.ofKind('Service');
    if (!row.service) {
      expect(services).toEqual([]);
      return;
    }
    const service = m.get('Service', row.release);
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.selector).toEqual({ app: row.release });
    expect(service.spec.ports).toEqual([expect.objectContaining(row.service)]);
    expect(services.map((s) => s.metadata.name).sort()).toEqual(row.release === 'frontend' ? ['frontend', 'frontend-external'] : [row.release]);
  });

  it('exposes frontend-external as a LoadBalancer on 80 -> 8080', () => {
    const external = manifests('default', 'frontend').get('Service', 'frontend-external');
    expect(external.spec).toMatchObject({ type: 'LoadBalancer', selector: { app: 'frontend' } });
    expect(external.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
  });

  it('holds the load generator back until the frontend answers, with the frontend-check init container', () => {
    const pod = manifests('default', 'loadgenerator').get('Deployment', 'loadgenerator').spec.template.spec;
    expect(pod.initContainers).toHaveLength(1);
    const check = pod.initContainers[0];
    expect(check).toMatchObject({ name: 'frontend-check', image: busyboxImage, env: [{ name: 'FRONTEND_ADDR', value: 'frontend:80' }] });
    expect(check.securityContext).toEqual(upstreamContainerSecurity);
    expect(check.command.slice(0, 2)).toEqual(['/bin/sh', '-ec']);
    expect(check.command[2]).toContain('wget -q -O /dev/null "http://${FRONTEND_ADDR}"');
    for (const row of rows.filter((r) => r.release !== 'loadgenerator')) {
      expect(workload(manifests('default', row.release), row.release).spec.template.spec.initContainers, row.release).toBeUndefined();
    }
  });

  it('keeps redis data in an emptyDir at /data', () => {
    const pod = manifests('default', 'redis-cart').get('Deployment', 'redis-cart').spec.template.spec;
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'redis-data', mountPath: '/data' }]);
    expect(pod.volumes).toEqual([{ name: 'redis-data', emptyDir: {} }]);
  });

  it('renders no HPA, PDB, NetworkPolicy or Ingress', () => {
    for (const row of rows) {
      const kinds = manifests('default', row.release).objects.map((o) => o.kind);
      expect(kinds.filter((kind) => !['Deployment', 'Service', 'ServiceAccount'].includes(kind)), row.release).toEqual([]);
    }
  });
});

describe('dev and staging overlays', () => {
  it('dev runs one replica of everything, the load generator included, and keeps frontend-external in-cluster', () => {
    const releases = systemReleases('dev').map((r) => r.name);
    expect(releases).toContain('loadgenerator');
    for (const release of releases) expect(workload(manifests('dev', release), release).spec.replicas, release).toBe(1);
    expect(manifests('dev', 'frontend').get('Service', 'frontend-external').spec.type).toBe('ClusterIP');
    expect(manifests('dev', 'frontend').get('Service', 'frontend').spec.type).toBe('ClusterIP');
  });

  it('staging runs two spread replicas of frontend and checkoutservice behind PDBs', () => {
    for (const release of ['frontend', 'checkoutservice']) {
      const m = manifests('staging', release);
      expect(m.get('Deployment', release).spec.replicas).toBe(2);
      expect(m.get('Deployment', release).spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
      expect(m.get('PodDisruptionBudget', release).spec).toEqual({ minAvailable: 1, selector: { matchLabels: { app: release } } });
    }
    expect(manifests('staging', 'frontend').get('Service', 'frontend-external').spec.type).toBe('LoadBalancer');
  });
});

describe('prod overlay', () => {
  it('keeps frontend and checkoutservice at two or more replicas, spread, behind PDBs', () => {
    const frontend = manifests('prod', 'frontend');
    const hpa = frontend.get('HorizontalPodAutoscaler', 'frontend');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // The HPA owns the replica count; helm must not reset it on every upgrade.
    expect(frontend.get('Deployment', 'frontend').spec.replicas).toBeUndefined();
    expect(manifests('prod', 'checkoutservice').get('Deployment', 'checkoutservice').spec.replicas).toBeGreaterThanOrEqual(2);

    for (const release of ['frontend', 'checkoutservice']) {
      const m = manifests('prod', release);
      const deployment = m.get('Deployment', release);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      const antiAffinity = deployment.spec.template.spec.affinity.podAntiAffinity;
      expect(antiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
        topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: release } },
      });
      expect(m.get('PodDisruptionBudget', release).spec.minAvailable).toBe(1);
    }
  });

  it('puts a NetworkPolicy on every workload admitting exactly its callers from the needs graph', () => {
    for (const release of systemReleases('prod').map((r) => r.name)) {
      const policy = manifests('prod', release).get('NetworkPolicy', release);
      expect(policy.spec.podSelector).toEqual({ matchLabels: { app: release } });
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec.ingress).toHaveLength(1);
      const rule = policy.spec.ingress[0];
      if (release === 'frontend') {
        expect(rule.from).toBeUndefined();
        expect(rule.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
        continue;
      }
      const admitted = rule.from.map((peer: { podSelector: { matchLabels: { app: string } } }) => peer.podSelector.matchLabels.app);
      expect(admitted.sort(), release).toEqual([...callers[release]!].sort());
      const row = rows.find((r) => r.release === release)!;
      expect(rule.ports).toEqual([{ port: row.containerPort, protocol: 'TCP' }]);
    }
  });

  it('every caller in the needs graph is admitted by what it needs', () => {
    for (const release of systemReleases('prod')) {
      for (const need of release.needs) expect(callers[need], `${need} admits ${release.name}`).toContain(release.name);
    }
  });

  it('persists redis carts in a StatefulSet with a PVC', () => {
    const m = manifests('prod', 'redis-cart');
    expect(m.find('Deployment', 'redis-cart')).toBeUndefined();
    const statefulSet = m.get('StatefulSet', 'redis-cart');
    expect(statefulSet.spec.volumeClaimTemplates[0].metadata.name).toBe('redis-data');
    expect(statefulSet.spec.template.spec.volumes).toBeUndefined();
  });

  it('passes the best-practice checks on every workload', () => {
    for (const release of systemReleases('prod').map((r) => r.name)) {
      const pod = workload(manifests('prod', release), release).spec.template.spec;
      for (const container of pod.containers) {
        expect(container.image, release).not.toMatch(/:latest$/);
        expect(container.readinessProbe, release).toBeDefined();
        expect(container.livenessProbe, release).toBeDefined();
        expect(Object.keys(container.resources.requests).sort(), release).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources.limits).sort(), release).toEqual(['cpu', 'memory']);
        expect(container.securityContext, release).toEqual(upstreamContainerSecurity);
      }
      expect(pod.securityContext, release).toMatchObject({ ...upstreamPodSecurity, seccompProfile: { type: 'RuntimeDefault' } });
    }
  });
});

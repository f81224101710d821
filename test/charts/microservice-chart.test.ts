import { beforeAll, describe, expect, it } from 'vitest';
import { helmTemplate, helmTemplateFailure, inBatches, type KubeObject, type Manifests, microserviceChart } from './helm.js';

const digest = `sha256:${'ab'.repeat(32)}`;
const minimal = {
  image: { repository: 'example.com/shop/cart', tag: 'v1.2.3' },
  containerPorts: [{ name: 'grpc', containerPort: 7070 }],
  service: { ports: [{ name: 'grpc', port: 7070, targetPort: 7070 }] },
};
const restrictedContainer = { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

// Every toggle on at once, so that one render covers them all.
const everything = {
  ...minimal,
  image: { repository: 'example.com/shop/cart', tag: 'v1.2.3', digest },
  partOf: 'online-boutique',
  labels: { team: 'checkout' },
  podLabels: { sidecar: 'none' },
  podAnnotations: { 'prometheus.io/scrape': 'true' },
  replicaCount: 3,
  strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
  command: ['/app/server'],
  args: ['--verbose'],
  extraServices: { external: { type: 'LoadBalancer' }, admin: { ports: [{ name: 'http-admin', port: 9000, targetPort: 9000 }] } },
  env: [
    { name: 'PORT', value: '7070' },
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    { name: 'FEATURE', valueFrom: { configMapKeyRef: { name: 'features', key: 'flag' } } },
  ],
  envFrom: [{ secretRef: { name: 'api-keys' } }],
  config: { LOG_LEVEL: 'debug', RETRIES: 3, MAX_BYTES: 1000000, RATIO: 0.5 },
  readinessProbe: { httpGet: { path: '/ready', port: 7070, httpHeaders: [{ name: 'Cookie', value: 'x=y' }] } },
  livenessProbe: { exec: { command: ['/bin/health'] }, periodSeconds: 7 },
  startupProbe: { tcpSocket: { port: 7070 }, failureThreshold: 30 },
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
  serviceAccount: { create: false, name: 'shared-identity' },
  terminationGracePeriodSeconds: 0,
  autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 7, targetCPUUtilizationPercentage: 70, targetMemoryUtilizationPercentage: 85 },
  podDisruptionBudget: { enabled: true, minAvailable: null, maxUnavailable: '50%' },
  ingress: {
    enabled: true, className: 'nginx', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
    hosts: [{ host: 'shop.example.com', paths: [{ path: '/' }] }], tls: [{ secretName: 'shop-tls', hosts: ['shop.example.com'] }],
  },
  networkPolicy: { enabled: true, allowFrom: ['frontend', 'checkoutservice'] },
  podAntiAffinity: 'hard',
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['apps'] }] }] } } },
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
    { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { tier: 'web' } } },
  ],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'apps', effect: 'NoSchedule' }],
  volumes: [{ name: 'tmp', emptyDir: {} }],
  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  initContainers: [
    { name: 'wait-for-db', image: 'busybox:1.36', command: ['sh', '-c', 'true'] },
    { name: 'migrate', image: 'example.com/shop/migrate:v1', securityContext: { runAsUser: 2000 } },
  ],
};

// The opposite switches: soft anti-affinity, an edge policy, no Service, another config.
const edge = {
  image: { repository: 'example.com/shop/web', tag: 'v2' },
  nameOverride: 'web',
  containerPorts: [{ name: 'http', containerPort: 8080 }],
  service: { enabled: false },
  config: { LOG_LEVEL: 'info' },
  networkPolicy: { enabled: true, allowFromAnywhere: true, allowFrom: ['ignored'] },
  podAntiAffinity: 'soft',
};

const denyAll = { ...minimal, fullnameOverride: 'cart-canary', networkPolicy: { enabled: true } };

let minimalRender: Manifests;
let full: Manifests;
let edgeRender: Manifests;
let denyAllRender: Manifests;

beforeAll(async () => {
  const renders = await inBatches(
    [minimal, everything, edge, denyAll].map((values) => () => helmTemplate({ release: 'cartservice', chart: microserviceChart, values: [values] })),
  );
  [minimalRender, full, edgeRender, denyAllRender] = renders as [Manifests, Manifests, Manifests, Manifests];
});

const podSpec = (m: Manifests, name = 'cartservice'): KubeObject => m.get('Deployment', name).spec.template.spec;

describe('microservice chart defaults', () => {
  it('renders a ServiceAccount, Service and Deployment named after the release and nothing else', () => {
    expect(minimalRender.kindsAndNames()).toEqual(['Deployment/cartservice', 'Service/cartservice', 'ServiceAccount/cartservice']);
  });

  it('labels every object with app and app.kubernetes.io/*, and selects on app alone', () => {
    for (const object of minimalRender.objects) {
      expect(object.metadata.labels).toEqual({
        app: 'cartservice',
        'app.kubernetes.io/name': 'cartservice',
        'app.kubernetes.io/instance': 'cartservice',
        'app.kubernetes.io/version': 'v1.2.3',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': 'microservice-0.1.0',
      });
    }
    const deployment = minimalRender.get('Deployment', 'cartservice');
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'cartservice' } });
    expect(minimalRender.get('Service', 'cartservice').spec.selector).toEqual({ app: 'cartservice' });
    expect(deployment.spec.template.metadata.labels.app).toBe('cartservice');
    expect(deployment.spec.template.metadata.annotations).toBeUndefined();
  });

  it('runs one restricted `server` container from repository:tag under its own ServiceAccount', () => {
    const deployment = minimalRender.get('Deployment', 'cartservice');
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toBeUndefined();
    const pod = podSpec(minimalRender);
    expect(pod.serviceAccountName).toBe('cartservice');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.terminationGracePeriodSeconds).toBeUndefined();
    expect(pod.affinity).toBeUndefined();
    expect(pod.containers).toEqual([{
      name: 'server',
      image: 'example.com/shop/cart:v1.2.3',
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'grpc', containerPort: 7070 }],
      securityContext: restrictedContainer,
    }]);
  });

  it('names the Service ports', () => {
    expect(minimalRender.get('Service', 'cartservice').spec).toEqual({
      type: 'ClusterIP', selector: { app: 'cartservice' }, ports: [{ name: 'grpc', port: 7070, targetPort: 7070 }],
    });
  });
});

describe('microservice chart toggles', () => {
  it('pins the image by digest over the tag', () => {
    expect(podSpec(full).containers[0].image).toBe(`example.com/shop/cart@${digest}`);
  });

  it('renders the ConfigMap, loads it with envFrom and rolls pods when it changes', () => {
    expect(full.get('ConfigMap', 'cartservice').data).toEqual({ LOG_LEVEL: 'debug', RETRIES: '3', MAX_BYTES: '1000000', RATIO: '0.5' });
    const checksum = full.get('Deployment', 'cartservice').spec.template.metadata.annotations['checksum/config'];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(edgeRender.get('Deployment', 'web').spec.template.metadata.annotations['checksum/config']).not.toBe(checksum);
    expect(podSpec(full).containers[0].envFrom).toEqual([{ secretRef: { name: 'api-keys' } }, { configMapRef: { name: 'cartservice' } }]);
  });

  it('passes env, probes of every kind, resources, command and mounts through to the container', () => {
    const container = podSpec(full).containers[0];
    expect(container.env).toEqual(everything.env);
    expect(container.readinessProbe).toEqual(everything.readinessProbe);
    expect(container.livenessProbe).toEqual(everything.livenessProbe);
    expect(container.startupProbe).toEqual(everything.startupProbe);
    expect(container.resources).toEqual(everything.resources);
    expect(container.command).toEqual(['/app/server']);
    expect(container.args).toEqual(['--verbose']);
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(container.securityContext).toEqual(restrictedContainer);
  });

  it('sets pod-level scheduling, identity, volumes and metadata', () => {
    const deployment = full.get('Deployment', 'cartservice');
    const pod = podSpec(full);
    expect(deployment.spec.strategy).toEqual(everything.strategy);
    expect(pod.serviceAccountName).toBe('shared-identity');
    expect(full.find('ServiceAccount', 'cartservice')).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(0);
    expect(pod.nodeSelector).toEqual(everything.nodeSelector);
    expect(pod.tolerations).toEqual(everything.tolerations);
    expect(pod.volumes).toEqual(everything.volumes);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
    expect(deployment.spec.template.metadata.labels).toMatchObject({ sidecar: 'none', team: 'checkout', 'app.kubernetes.io/part-of': 'online-boutique' });
    expect(deployment.metadata.labels).not.toHaveProperty('sidecar');
    expect(deployment.metadata.labels).toHaveProperty('team', 'checkout');
  });

  it('gives init containers the restricted securityContext unless they bring one', () => {
    const [waitForDb, migrate] = podSpec(full).initContainers;
    expect(waitForDb).toEqual({ ...everything.initContainers[0], securityContext: restrictedContainer });
    expect(migrate.securityContext).toEqual({ runAsUser: 2000 });
  });

  it('merges the hard anti-affinity preset into the given affinity', () => {
    const affinity = podSpec(full).affinity;
    expect(affinity.nodeAffinity).toEqual(everything.affinity.nodeAffinity);
    expect(affinity.podAntiAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'cartservice' } } }],
    });
    expect(podSpec(edgeRender, 'web').affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } },
        }],
      },
    });
  });

  it('selects the pods in topology spread constraints that do not say otherwise', () => {
    expect(podSpec(full).topologySpreadConstraints).toEqual([
      { ...everything.topologySpreadConstraints[0], labelSelector: { matchLabels: { app: 'cartservice' } } },
      everything.topologySpreadConstraints[1],
    ]);
  });

  it('hands replicas to an autoscaling/v2 HPA on CPU and memory', () => {
    expect(full.get('Deployment', 'cartservice').spec.replicas).toBeUndefined();
    const hpa = full.get('HorizontalPodAutoscaler', 'cartservice');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cartservice' },
      minReplicas: 2,
      maxReplicas: 7,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 85 } } },
      ],
    });
  });

  it('renders a PodDisruptionBudget with maxUnavailable', () => {
    expect(full.get('PodDisruptionBudget', 'cartservice').spec).toEqual({ maxUnavailable: '50%', selector: { matchLabels: { app: 'cartservice' } } });
  });

  it('renders extra Services with inherited or own ports', () => {
    expect(full.get('Service', 'cartservice-external').spec).toEqual({
      type: 'LoadBalancer', selector: { app: 'cartservice' }, ports: minimal.service.ports,
    });
    expect(full.get('Service', 'cartservice-admin').spec).toEqual({
      type: 'ClusterIP', selector: { app: 'cartservice' }, ports: [{ name: 'http-admin', port: 9000, targetPort: 9000 }],
    });
  });

  it('routes the Ingress to the first named Service port', () => {
    const ingress = full.get('Ingress', 'cartservice');
    expect(ingress.metadata.annotations).toEqual(everything.ingress.annotations);
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      tls: everything.ingress.tls,
      rules: [{
        host: 'shop.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'cartservice', port: { name: 'grpc' } } } }] },
      }],
    });
  });

  it('admits only the named apps to the container ports', () => {
    expect(full.get('NetworkPolicy', 'cartservice').spec).toEqual({
      podSelector: { matchLabels: { app: 'cartservice' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: { app: 'frontend' } } }, { podSelector: { matchLabels: { app: 'checkoutservice' } } }],
        ports: [{ port: 7070, protocol: 'TCP' }],
      }],
    });
  });

  it('admits every source to an edge service, and none when no caller is named', () => {
    expect(edgeRender.get('NetworkPolicy', 'web').spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(denyAllRender.get('NetworkPolicy', 'cart-canary').spec.ingress).toEqual([]);
  });

  it('honours nameOverride and fullnameOverride, and renders no Service when disabled', () => {
    expect(edgeRender.kindsAndNames()).toEqual(['ConfigMap/web', 'Deployment/web', 'NetworkPolicy/web', 'ServiceAccount/web']);
    expect(edgeRender.get('Deployment', 'web').metadata.labels).toMatchObject({ app: 'web', 'app.kubernetes.io/instance': 'cartservice' });
    expect(denyAllRender.get('Deployment', 'cart-canary').spec.selector.matchLabels).toEqual({ app: 'cart-canary' });
  });
});

describe('microservice chart refuses bad values', () => {
  const refusals: Array<{ values: object; message: RegExp }> = [
    { values: { ...minimal, image: { repository: 'example.com/shop/cart' } }, message: /image\.tag or image\.digest is required/ },
    { values: { ...minimal, replicaCont: 2 }, message: /additional properties 'replicaCont' not allowed/ },
    { values: { ...minimal, replicaCount: 'three' }, message: /at '\/replicaCount': got string, want integer/ },
    { values: { ...minimal, podAntiAffinity: 'sometimes' }, message: /at '\/podAntiAffinity': value must be one of/ },
    { values: { ...minimal, podDisruptionBudget: { enabled: true, minAvailable: 1, maxUnavailable: 1 } }, message: /set exactly one of minAvailable and maxUnavailable/ },
    { values: { ...minimal, service: { ports: [] } }, message: /service\.ports must list at least one port/ },
  ];
  let errors: string[];
  beforeAll(async () => {
    errors = await inBatches(refusals.map(({ values }) => () => helmTemplateFailure({ release: 'cartservice', chart: microserviceChart, values: [values] })));
  });

  it.each(refusals.map((refusal, index) => ({ ...refusal, index })))('fails with $message', ({ index, message }) => {
    expect(errors[index]).toMatch(message);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadObjects, loadValuesFile, valuesFileOf } from '../../test/fixtures/lint/fixtures.js';
import { OBJECT_RULE_IDS, unknownRuleIds } from '../registry/lint-rules.js';
import { DISABLE_ANNOTATION, lintObjects } from './lint-objects.js';
import { rules } from './rules/index.js';
import type { KubeObject, LintTarget } from './types.js';

// frontend.yaml passes every rule; each case below breaks one thing in a copy of it.
const baseline = loadObjects('frontend.yaml');

function target(overrides: Partial<LintTarget> = {}): LintTarget {
  return {
    release: 'boutique/frontend',
    namespace: 'boutique',
    production: true,
    objects: structuredClone(baseline),
    valuesFiles: [],
    rules: {},
    ...overrides,
  };
}

// Fixture surgery on parsed YAML: `any` keeps the mutations short and readable.
const find = (objects: KubeObject[], kind: string, name: string): any =>
  objects.find((object) => object.kind === kind && object.metadata.name === name);
const deployment = (objects: KubeObject[]): any => find(objects, 'Deployment', 'frontend');
const podSpec = (objects: KubeObject[]): any => deployment(objects).spec.template.spec;
const server = (objects: KubeObject[]): any => podSpec(objects).containers[0];
const service = (objects: KubeObject[]): any => find(objects, 'Service', 'frontend');

function describeFindings(lintTarget: LintTarget): string[] {
  return lintObjects(lintTarget).map(
    (finding) => `${finding.severity} ${finding.ruleId} ${finding.object}: ${finding.message}`,
  );
}

const triggers: { rule: string; breakFixture: (objects: KubeObject[]) => void; expected: string }[] = [
  {
    rule: 'image-tag',
    breakFixture: (o) => {
      server(o).image = 'redis';
    },
    expected:
      'error image-tag Deployment/frontend: container "server" image "redis" has no tag, so it runs whatever `latest` is',
  },
  {
    rule: 'image-tag',
    breakFixture: (o) => {
      server(o).image = 'localhost:5000/frontend:latest';
    },
    expected:
      'error image-tag Deployment/frontend: container "server" image "localhost:5000/frontend:latest" uses the mutable tag `latest`',
  },
  {
    rule: 'readiness-probe',
    breakFixture: (o) => {
      delete server(o).readinessProbe;
    },
    expected: 'warning readiness-probe Deployment/frontend: container "server" has no readinessProbe',
  },
  {
    rule: 'liveness-probe',
    breakFixture: (o) => {
      delete server(o).livenessProbe;
    },
    expected: 'warning liveness-probe Deployment/frontend: container "server" has no livenessProbe',
  },
  {
    rule: 'probe-port',
    breakFixture: (o) => {
      server(o).readinessProbe.httpGet.port = 9090;
      server(o).livenessProbe.httpGet.port = 'healthz';
    },
    expected:
      'error probe-port Deployment/frontend: container "server" livenessProbe port "healthz" not among its ports (http=8080)',
  },
  {
    rule: 'resource-requests',
    breakFixture: (o) => {
      delete server(o).resources.requests.cpu;
    },
    expected: 'warning resource-requests Deployment/frontend: container "server" has no cpu request',
  },
  {
    rule: 'memory-limit',
    breakFixture: (o) => {
      delete server(o).resources.limits.memory;
    },
    expected: 'warning memory-limit Deployment/frontend: container "server" has no memory limit',
  },
  {
    rule: 'run-as-non-root',
    breakFixture: (o) => {
      delete podSpec(o).securityContext.runAsNonRoot;
    },
    expected:
      'warning run-as-non-root Deployment/frontend: container "server" may run as root: runAsNonRoot is not true',
  },
  {
    rule: 'privileged',
    breakFixture: (o) => {
      server(o).securityContext.privileged = true;
    },
    expected: 'warning privileged Deployment/frontend: container "server" runs privileged',
  },
  {
    rule: 'privilege-escalation',
    breakFixture: (o) => {
      delete server(o).securityContext.allowPrivilegeEscalation;
    },
    expected:
      'warning privilege-escalation Deployment/frontend: container "server" allows privilege escalation: allowPrivilegeEscalation is not false',
  },
  {
    rule: 'writable-root-fs',
    breakFixture: (o) => {
      server(o).securityContext.readOnlyRootFilesystem = false;
    },
    expected: 'warning writable-root-fs Deployment/frontend: container "server" has a writable root filesystem',
  },
  {
    rule: 'replicas-production',
    breakFixture: (o) => {
      deployment(o).spec.replicas = 1;
    },
    expected: 'warning replicas-production Deployment/frontend: runs 1 replica in production',
  },
  {
    rule: 'pdb-production',
    breakFixture: (o) => {
      find(o, 'PodDisruptionBudget', 'frontend').spec.selector.matchLabels.app = 'cart';
    },
    expected:
      'warning pdb-production Deployment/frontend: has several replicas but no PodDisruptionBudget selects its pods',
  },
  {
    rule: 'spread-production',
    breakFixture: (o) => {
      delete podSpec(o).topologySpreadConstraints;
    },
    expected:
      'warning spread-production Deployment/frontend: has several replicas but nothing spreads them across nodes',
  },
  {
    rule: 'plaintext-secret',
    breakFixture: (o) => {
      server(o).env.push({ name: 'DB_PASSWORD', value: 'hunter2' });
    },
    expected: 'error plaintext-secret Deployment/frontend: container "server" sets env DB_PASSWORD to a literal value',
  },
  {
    rule: 'config-checksum',
    breakFixture: (o) => {
      delete deployment(o).spec.template.metadata.annotations;
    },
    expected:
      'warning config-checksum Deployment/frontend: consumes ConfigMap "frontend-config" but its pod template has no checksum/* annotation',
  },
  {
    rule: 'service-selector',
    breakFixture: (o) => {
      service(o).spec.selector = { app: 'frontnd' };
    },
    expected: 'error service-selector Service/frontend: selector app=frontnd matches no pod in the release',
  },
  {
    rule: 'nodeport-service',
    breakFixture: (o) => {
      service(o).spec.type = 'NodePort';
    },
    expected: 'warning nodeport-service Service/frontend: is a NodePort service',
  },
];

// Near misses: each looks like a trigger above but is fine.
const passes: { name: string; production?: boolean; adjustFixture: (objects: KubeObject[]) => void }[] = [
  {
    name: 'a probe of an undeclared port number (the kubelet probes any number)',
    adjustFixture: (o) => {
      server(o).readinessProbe.httpGet.port = 9090;
    },
  },
  {
    name: 'a switch named after a secret (ALLOW_EMPTY_PASSWORD: "no")',
    adjustFixture: (o) => {
      server(o).env.push({ name: 'ALLOW_EMPTY_PASSWORD', value: 'no' });
    },
  },
  {
    name: 'an image pinned by digest',
    adjustFixture: (o) => {
      server(o).image = 'redis@sha256:0123456789abcdef';
    },
  },
  {
    name: 'a registry port without a tag is not mistaken for one',
    adjustFixture: (o) => {
      server(o).image = 'localhost:5000/frontend:v1';
    },
  },
  {
    name: 'a Job without probes',
    adjustFixture: (o) => {
      const template = deployment(o).spec.template;
      delete template.spec.containers[0].readinessProbe;
      delete template.spec.containers[0].livenessProbe;
      o.splice(0, o.length, { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { template } });
    },
  },
  {
    name: 'a grpc probe on a declared port',
    adjustFixture: (o) => {
      server(o).readinessProbe = { grpc: { port: 8080 } };
    },
  },
  {
    name: 'a single replica outside production',
    production: false,
    adjustFixture: (o) => {
      deployment(o).spec.replicas = 1;
      o.splice(
        o.findIndex((object) => object.kind === 'PodDisruptionBudget'),
        1,
      );
      delete podSpec(o).topologySpreadConstraints;
    },
  },
  {
    name: 'one replica scaled by an HPA with minReplicas 3',
    adjustFixture: (o) => {
      deployment(o).spec.replicas = 1;
      o.push({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'frontend' },
        spec: {
          minReplicas: 3,
          maxReplicas: 6,
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'frontend' },
        },
      });
    },
  },
  {
    name: 'pod anti-affinity instead of topology spread',
    adjustFixture: (o) => {
      delete podSpec(o).topologySpreadConstraints;
      podSpec(o).affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
    },
  },
  {
    name: 'a ConfigMap from outside the release',
    adjustFixture: (o) => {
      delete deployment(o).spec.template.metadata.annotations;
      o.splice(
        o.findIndex((object) => object.kind === 'ConfigMap'),
        1,
      );
    },
  },
  {
    name: 'env naming a secret without holding it',
    adjustFixture: (o) => {
      server(o).env.push(
        { name: 'TOKEN_FILE', value: '/var/run/token' },
        { name: 'OAUTH_TOKEN_URL', value: 'https://id.example.com/token' },
        { name: 'API_TOKEN', value: '' },
      );
    },
  },
  {
    name: 'a Service without selector (manual Endpoints)',
    adjustFixture: (o) => {
      delete service(o).spec.selector;
    },
  },
  {
    name: 'a Service of the pods an operator makes from a custom resource whose spec shapes pods',
    adjustFixture: (o) => {
      o.push({
        apiVersion: 'metrics.example.dev/v1',
        kind: 'Gauge',
        metadata: { name: 'main' },
        spec: { replicas: 2, image: 'gauge:1.0' },
      });
      o.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'gauge' },
        spec: { selector: { 'app.kubernetes.io/name': 'gauge', gauge: 'main' } },
      });
    },
  },
  {
    name: 'a Service of the pods an operator of the release makes from a bare custom resource, by the labels it asks for',
    adjustFixture: (o) => {
      o.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'op' },
        rules: [
          { apiGroups: ['queue.example.dev'], resources: ['brokers'], verbs: ['*'] },
          { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['create', 'patch'] },
        ],
      });
      o.push({
        apiVersion: 'queue.example.dev/v1',
        kind: 'Broker',
        metadata: { name: 'events', labels: { tier: 'queue' } },
        spec: {},
      });
      o.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'broker' },
        spec: { selector: { tier: 'queue' } },
      });
    },
  },
  {
    name: 'Services of cluster components (kube-dns, etcd, kube-scheduler, kube-proxy)',
    adjustFixture: (o) => {
      const selectors = [
        { 'k8s-app': 'kube-dns' },
        { component: 'etcd' },
        { component: 'kube-scheduler', tier: 'control-plane' },
        { 'k8s-app': 'kube-proxy' },
        { component: 'kube-controller-manager' },
      ];
      o.push(
        ...selectors.map((selector, index) => ({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `component-${index}`, namespace: 'kube-system' },
          spec: { clusterIP: 'None', selector },
        })),
      );
    },
  },
];

// What the service-selector rule still reports where an operator could be at work: a selector nothing can match.
const stillUnmatched: { name: string; adjustFixture: (objects: KubeObject[]) => void }[] = [
  {
    name: 'a custom resource whose spec does not shape pods, and no operator role',
    adjustFixture: (o) => {
      o.push({
        apiVersion: 'cert.example.dev/v1',
        kind: 'Certificate',
        metadata: { name: 'frontnd' },
        spec: { dnsNames: ['shop.example.com'] },
      });
    },
  },
  {
    name: "an operator's custom resource of another name and other labels",
    adjustFixture: (o) => {
      o.push({
        apiVersion: 'metrics.example.dev/v1',
        kind: 'Gauge',
        metadata: { name: 'main' },
        spec: { replicas: 2 },
      });
    },
  },
  {
    name: "an operator's custom resource in another namespace",
    adjustFixture: (o) => {
      o.push({
        apiVersion: 'metrics.example.dev/v1',
        kind: 'Gauge',
        metadata: { name: 'frontnd', namespace: 'other' },
        spec: { replicas: 2 },
      });
    },
  },
  {
    name: 'a lookalike of a cluster component',
    adjustFixture: (o) => {
      service(o).spec.selector = { app: 'frontnd', component: 'kube-dns-cache' };
    },
  },
];

describe('rules', () => {
  it('has a unique kebab-case id, a severity and a one-line fix for every rule', () => {
    expect(new Set(rules.map((rule) => rule.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(rule.fix).not.toContain('\n');
    }
  });

  it('is documented in docs/lint-rules.md with its default severity', () => {
    const docs = readFileSync(new URL('../../docs/lint-rules.md', import.meta.url), 'utf8');
    const documented = [...docs.matchAll(/^\| `([a-z-]+)` \| (error|warning|info) \|/gm)].map(
      (row) => `${row[1]} ${row[2]}`,
    );
    expect(documented).toEqual(rules.map((rule) => `${rule.id} ${rule.severity}`));
  });

  it('finds nothing in the compliant fixture, in production or not', () => {
    expect(describeFindings(target())).toEqual([]);
    expect(describeFindings(target({ production: false }))).toEqual([]);
  });

  it('covers every rule with a triggering fixture', () => {
    expect(new Set(triggers.map((trigger) => trigger.rule))).toEqual(new Set(rules.map((rule) => rule.id)));
  });

  it.each(triggers)('$rule fires on its broken fixture', ({ breakFixture, expected }) => {
    const lintTarget = target();
    breakFixture(lintTarget.objects);
    expect(describeFindings(lintTarget)).toEqual([expected]);
  });

  it.each(passes)('stays quiet on $name', ({ production = true, adjustFixture }) => {
    const lintTarget = target({ production });
    adjustFixture(lintTarget.objects);
    expect(describeFindings(lintTarget)).toEqual([]);
  });

  it.each(stillUnmatched)('service-selector still fires with $name', ({ adjustFixture }) => {
    const lintTarget = target();
    service(lintTarget.objects).spec.selector = { app: 'frontnd' };
    adjustFixture(lintTarget.objects);
    expect(describeFindings(lintTarget)).toEqual([
      `error service-selector Service/frontend: selector ${Object.entries(service(lintTarget.objects).spec.selector)
        .map(([key, value]) => `${key}=${value}`)
        .join(',')} matches no pod in the release`,
    ]);
  });

  it('reports literal secrets in values files at their line and column', () => {
    const findings = lintObjects(target({ valuesFiles: [loadValuesFile('values-secrets.yaml')] }));
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'plaintext-secret',
        file: 'values/values-secrets.yaml',
        line: 7,
        column: 18,
        message: 'auth.adminPassword holds a literal secret',
      }),
      expect.objectContaining({
        ruleId: 'plaintext-secret',
        file: 'values/values-secrets.yaml',
        line: 15,
        column: 19,
        message: 'extraEnv[1].clientSecret holds a literal secret',
      }),
    ]);
    expect(findings[0]).not.toHaveProperty('object');
  });

  it('reads a values file of 100,000 keys in one map in time linear in its size (issue 28: it was quadratic)', () => {
    const keys = Array.from({ length: 100_000 }, (_, index) => `  note-${index}: "value ${index}"`);
    const text = `podAnnotations:\n${keys.join('\n')}\nauth:\n  adminPassword: hunter2\n`;
    const findings = lintObjects(target({ valuesFiles: [valuesFileOf('values/large.yaml', text)] }));
    expect(findings).toEqual([
      expect.objectContaining({ ruleId: 'plaintext-secret', file: 'values/large.yaml', line: 100_003, column: 18 }),
    ]);
  });
});

describe('settings and annotations', () => {
  const brokenImage = (): LintTarget => {
    const lintTarget = target();
    server(lintTarget.objects).image = 'frontend:latest';
    service(lintTarget.objects).spec.type = 'NodePort';
    return lintTarget;
  };

  it('turns a rule off or changes its severity from releases.yaml settings', () => {
    expect(describeFindings({ ...brokenImage(), rules: { 'image-tag': 'off' } })).toEqual([
      'warning nodeport-service Service/frontend: is a NodePort service',
    ]);
    expect(
      lintObjects({ ...brokenImage(), rules: { 'image-tag': 'info', 'nodeport-service': 'error' } }).map((f) => [
        f.ruleId,
        f.severity,
      ]),
    ).toEqual([
      ['image-tag', 'info'],
      ['nodeport-service', 'error'],
    ]);
  });

  it('skips the rules an object or its pod template disables by annotation', () => {
    const onObject = brokenImage();
    deployment(onObject.objects).metadata.annotations = { [DISABLE_ANNOTATION]: 'probe-port, image-tag' };
    expect(lintObjects(onObject).map((f) => f.ruleId)).toEqual(['nodeport-service']);

    const onTemplate = brokenImage();
    deployment(onTemplate.objects).spec.template.metadata.annotations[DISABLE_ANNOTATION] = 'image-tag';
    service(onTemplate.objects).metadata.annotations = { [DISABLE_ANNOTATION]: 'all' };
    expect(lintObjects(onTemplate)).toEqual([]);
  });

  it('orders findings by object, then by rule, and fills in the finding fields', () => {
    const lintTarget = brokenImage();
    delete server(lintTarget.objects).livenessProbe;
    const findings = lintObjects(lintTarget);
    expect(findings.map((f) => `${f.object} ${f.ruleId}`)).toEqual([
      'Deployment/frontend image-tag',
      'Deployment/frontend liveness-probe',
      'Service/frontend nodeport-service',
    ]);
    expect(findings[0]).toEqual({
      ruleId: 'image-tag',
      layer: 'rules',
      severity: 'error',
      release: 'boutique/frontend',
      object: 'Deployment/frontend',
      message: 'container "server" image "frontend:latest" uses the mutable tag `latest`',
      fix: 'Pin the image to a released tag or digest, e.g. `repo/app:v1.2.3`.',
    });
  });

  it('names the rule ids in settings that no rule has', () => {
    expect(unknownRuleIds({ 'image-tag': 'off', 'image-tags': 'warning', 'helm-lint': 'off' })).toEqual(['image-tags']);
  });

  it('has one rule for every id of the registry that releases.yaml checks settings against, in its order', () => {
    expect(rules.map((rule) => rule.id)).toEqual([...OBJECT_RULE_IDS]);
  });
});

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { contextName, readyDelayAnnotation, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { kubectlBinary } from '../support/tools.js';

const workloads = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'example.test/web:1', readinessProbe: { httpGet: { path: '/', port: 80 } } },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'edge', namespace: 'default' },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80 }] },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'default' },
    spec: {
      template: {
        metadata: { annotations: { [readyDelayAnnotation]: '50' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'example.test/migrate:1' }] },
      },
    },
  },
];

describe('the test control plane', () => {
  let cluster: ControlPlane;
  const kubectl = (args: string[], input?: string) =>
    execa(kubectlBinary(), args, { env: cluster.env, input, reject: false });

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
  }, 180_000);
  afterAll(() => cluster?.stop());

  it('is a kube-apiserver built from k8s.io/kubernetes 1.35, reached through the kubeconfig it wrote', async () => {
    const version = await kubectl(['version', '-o', 'json']);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(JSON.parse(version.stdout).serverVersion).toMatchObject({ gitVersion: 'v1.35.4', major: '1', minor: '35' });
    const context = await kubectl(['config', 'current-context']);
    expect(context.stdout.trim()).toBe(contextName);
  });

  it('runs workloads through the real controllers and the node agent: a Deployment Available, a Job complete, a PVC bound, a load balancer address', async () => {
    const applied = await kubectl(['apply', '-f', '-'], workloads.map((object) => stringify(object)).join('---\n'));
    expect(applied.exitCode, applied.stderr).toBe(0);
    const waits = [
      ['deployment/web', '--for=condition=Available'],
      ['job/migrate', '--for=condition=Complete'],
      ['pvc/data', '--for=jsonpath={.status.phase}=Bound'],
      ['service/edge', '--for=jsonpath={.status.loadBalancer.ingress[0].ip}'],
    ];
    for (const [object, condition] of waits) {
      const waited = await kubectl(['wait', object!, condition!, '--timeout=90s']);
      expect(waited.exitCode, `${object}: ${waited.stderr}`).toBe(0);
    }
    const pods = cluster.store.list('v1', 'Pod', 'default').filter((pod) => pod.metadata.labels?.app === 'web');
    expect(pods).toHaveLength(2);
    for (const pod of pods) expect(pod.spec).toMatchObject({ nodeName: expect.stringMatching(/^node-\d$/) });
    expect(cluster.store.get('apps/v1', 'ReplicaSet', 'default', 'missing')).toBeUndefined();
  });

  it("logs the clients' requests in order and the API server's audit log records them, the controllers' too", async () => {
    const creates = cluster.requests.filter((entry) => entry.verb === 'create' || entry.verb === 'patch');
    expect(creates.map((entry) => entry.resource)).toContain('deployments');
    const audit = cluster.audit();
    const deployment = audit.find(
      (event) =>
        event.stage === 'ResponseComplete' &&
        event.objectRef?.resource === 'deployments' &&
        event.objectRef.name === 'web' &&
        ['create', 'patch'].includes(event.verb),
    );
    expect(deployment?.user.username).toBe('boutique-test');
    // The proxy names each forwarded request's audit ID after its place in the request log.
    const logged = cluster.requests.find((entry) => `boutique-test-${entry.seq}` === deployment?.auditID);
    expect(logged).toMatchObject({ resource: 'deployments', verb: deployment?.verb });
    // The proxy's log agrees with the API server's own reading of each forwarded request: verb, resource, namespace, status.
    const bySeq = new Map(cluster.requests.map((entry) => [`boutique-test-${entry.seq}`, entry]));
    const answered = audit.filter((event) => event.stage === 'ResponseComplete' && bySeq.has(event.auditID));
    expect(answered.length).toBeGreaterThan(5);
    for (const event of answered) {
      const entry = bySeq.get(event.auditID)!;
      expect([entry.verb, entry.resource, entry.namespace, entry.status], event.requestURI).toEqual([
        event.verb,
        event.objectRef?.resource ?? '',
        event.objectRef?.namespace,
        event.responseStatus?.code,
      ]);
    }
    const replicaSetCreators = audit
      .filter((event) => event.objectRef?.resource === 'replicasets' && event.verb === 'create')
      .map((event) => event.user.username);
    expect(replicaSetCreators).toContain('system:controller-manager');
  });

  it('holds a workload back while a neverReady fault matches it, and injects request failures', async () => {
    const removeHold = cluster.faults.neverReady({ kind: 'Deployment', name: 'held' });
    const created = await kubectl(['create', 'deployment', 'held', '--image=example.test/held:1']);
    expect(created.exitCode, created.stderr).toBe(0);
    const notYet = await kubectl(['wait', 'deployment/held', '--for=condition=Available', '--timeout=3s']);
    expect(notYet.exitCode).not.toBe(0);
    removeHold();
    const available = await kubectl(['wait', 'deployment/held', '--for=condition=Available', '--timeout=60s']);
    expect(available.exitCode, available.stderr).toBe(0);

    const removeFailure = cluster.faults.failRequests({
      status: 503,
      matcher: { resource: 'configmaps', verb: 'list' },
    });
    const failed = await kubectl(['get', 'configmaps', '--request-timeout=5s']);
    removeFailure();
    expect(failed.exitCode).not.toBe(0);
    expect(
      cluster.requests.filter((entry) => entry.resource === 'configmaps' && entry.status === 503).length,
    ).toBeGreaterThan(0);
    expect((await kubectl(['get', 'configmaps'])).exitCode).toBe(0);
  });
});

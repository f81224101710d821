import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { evaluateHealth, type HealthState } from './evaluate.js';
import { healthLibrary } from './library.js';
import { compileRule, HealthRules } from './rules.js';

/*
 * Status samples written from each project's documentation of its conditions and phases (not copied from any
 * cluster): for every built-in rule, at least one object that is current, one in progress and one failed.
 */
interface Sample {
  name: string;
  state: HealthState;
  object: KubeObject;
}

const ready = (status: 'True' | 'False' | 'Unknown', reason?: string, extra: Record<string, unknown> = {}) => ({ type: 'Ready', status, ...(reason && { reason }), ...extra });
const obj = (apiVersion: string, kind: string, status: Record<string, unknown> | undefined, spec: Record<string, unknown> = {}, generation = 1): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'sample', namespace: 'demo', generation },
  spec,
  ...(status && { status }),
});

const certificate = (conditions: object[]) => obj('cert-manager.io/v1', 'Certificate', { conditions }, { secretName: 'demo-tls' }, 2);
const issuer = (kind: string, conditions: object[]) => obj('cert-manager.io/v1', kind, { conditions }, { acme: {} });
const rollout = (status: Record<string, unknown>) => obj('argoproj.io/v1alpha1', 'Rollout', status, { replicas: 3 }, 4);
const monitoring = (kind: string, conditions: object[]) => obj('monitoring.coreos.com/v1', kind, { conditions }, { replicas: 2 }, 3);
const fluxObject = (apiVersion: string, kind: string, conditions: object[]) => obj(apiVersion, kind, { observedGeneration: 1, conditions });
const cnpg = (phase: string, conditions: object[]) => obj('postgresql.cnpg.io/v1', 'Cluster', { phase, conditions, instances: 3 }, { instances: 3 });
const kafka = (conditions: object[]) => obj('kafka.strimzi.io/v1beta2', 'Kafka', { observedGeneration: 1, conditions }, { kafka: { replicas: 3 } });
const scaledObject = (conditions: object[]) => obj('keda.sh/v1alpha1', 'ScaledObject', { conditions }, { scaleTargetRef: { name: 'web' } });
const bucket = (conditions: object[]) => obj('s3.aws.upbound.io/v1beta1', 'Bucket', { conditions }, { forProvider: { region: 'eu-west-1' } });
const claim = (conditions: object[]) => obj('platform.example.org/v1alpha1', 'PostgreSQLInstance', { conditions }, { compositionSelector: { matchLabels: { provider: 'aws' } } });

const samples: Sample[] = [
  // cert-manager: Issuing=True while a certificate is issued, Issuing=False/Failed after a failed attempt, Ready=True once the Secret holds it.
  { name: 'Certificate being issued', state: 'inProgress', object: certificate([ready('False', 'DoesNotExist'), { type: 'Issuing', status: 'True', reason: 'DoesNotExist' }]) },
  { name: 'Certificate whose issuance failed', state: 'failed', object: certificate([ready('False', 'DoesNotExist'), { type: 'Issuing', status: 'False', reason: 'Failed', message: 'The certificate request has failed to complete and will be retried' }]) },
  { name: 'Certificate issued', state: 'current', object: certificate([ready('True', 'Ready', { observedGeneration: 2 })]) },
  { name: 'Certificate ready for an older spec', state: 'inProgress', object: certificate([ready('True', 'Ready', { observedGeneration: 1 })]) },
  { name: 'Issuer registered with ACME', state: 'current', object: issuer('Issuer', [ready('True', 'ACMEAccountRegistered')]) },
  { name: 'Issuer that could not register', state: 'failed', object: issuer('Issuer', [ready('False', 'ErrRegisterACMEAccount')]) },
  { name: 'Issuer not checked yet', state: 'inProgress', object: issuer('Issuer', []) },
  { name: 'ClusterIssuer with its key pair', state: 'current', object: issuer('ClusterIssuer', [ready('True', 'KeyPairVerified')]) },
  { name: 'ClusterIssuer whose key pair is not verified yet', state: 'inProgress', object: issuer('ClusterIssuer', [ready('Unknown')]) },
  { name: 'ClusterIssuer without its CA secret', state: 'failed', object: issuer('ClusterIssuer', [ready('False', 'ErrGetKeyPair')]) },
  // Argo Rollouts: status.phase Healthy, Progressing, Paused or Degraded; observedGeneration is a string.
  { name: 'Rollout healthy', state: 'current', object: rollout({ observedGeneration: '4', phase: 'Healthy' }) },
  { name: 'Rollout progressing', state: 'inProgress', object: rollout({ observedGeneration: '4', phase: 'Progressing' }) },
  { name: 'Rollout paused at a canary step', state: 'inProgress', object: rollout({ observedGeneration: '4', phase: 'Paused' }) },
  { name: 'Rollout past its progress deadline', state: 'failed', object: rollout({ observedGeneration: '4', phase: 'Degraded', conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] }) },
  { name: 'Rollout healthy for an older spec', state: 'inProgress', object: rollout({ observedGeneration: '3', phase: 'Healthy' }) },
  // prometheus-operator: Available and Reconciled conditions, each with its observedGeneration.
  ...['Prometheus', 'Alertmanager'].flatMap((kind): Sample[] => [
    { name: `${kind} available`, state: 'current', object: monitoring(kind, [{ type: 'Available', status: 'True', observedGeneration: 3 }, { type: 'Reconciled', status: 'True', observedGeneration: 3 }]) },
    { name: `${kind} degraded`, state: 'inProgress', object: monitoring(kind, [{ type: 'Available', status: 'Degraded', observedGeneration: 3 }, { type: 'Reconciled', status: 'True', observedGeneration: 3 }]) },
    { name: `${kind} with an invalid configuration`, state: 'failed', object: monitoring(kind, [{ type: 'Available', status: 'False', observedGeneration: 3 }, { type: 'Reconciled', status: 'False', reason: 'ReconciliationFailed', observedGeneration: 3 }]) },
  ]),
  // Flux: Reconciling while it works, Stalled or Ready=False after a failed attempt, Ready=True when done.
  ...([['helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'UpgradeFailed'], ['kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'HealthCheckFailed']] as const).flatMap(([apiVersion, kind, failure]): Sample[] => [
    { name: `${kind} reconciled`, state: 'current', object: fluxObject(apiVersion, kind, [ready('True', 'ReconciliationSucceeded', { observedGeneration: 1 })]) },
    { name: `${kind} reconciling`, state: 'inProgress', object: fluxObject(apiVersion, kind, [{ type: 'Reconciling', status: 'True', reason: 'Progressing' }, ready('Unknown', 'Progressing')]) },
    { name: `${kind} waiting on a dependency`, state: 'inProgress', object: fluxObject(apiVersion, kind, [ready('False', 'DependencyNotReady', { observedGeneration: 1 })]) },
    { name: `${kind} failed (${failure})`, state: 'failed', object: fluxObject(apiVersion, kind, [ready('False', failure, { observedGeneration: 1 })]) },
    { name: `${kind} stalled`, state: 'failed', object: fluxObject(apiVersion, kind, [{ type: 'Stalled', status: 'True', reason: 'InvalidChartReference' }, ready('False', 'InvalidChartReference')]) },
  ]),
  // CloudNativePG: status.phase and a Ready condition.
  { name: 'CloudNativePG cluster healthy', state: 'current', object: cnpg('Cluster in healthy state', [ready('True', 'ClusterIsReady')]) },
  { name: 'CloudNativePG cluster setting up its primary', state: 'inProgress', object: cnpg('Setting up primary', [ready('False', 'ClusterIsNotReady')]) },
  { name: 'CloudNativePG cluster unrecoverable', state: 'failed', object: cnpg('Cluster is in an unrecoverable state, needs manual intervention', [ready('False', 'ClusterIsNotReady')]) },
  // Strimzi: NotReady=True (Creating, or the exception that stopped it), Ready=True.
  { name: 'Kafka ready', state: 'current', object: kafka([ready('True')]) },
  { name: 'Kafka being created', state: 'inProgress', object: kafka([{ type: 'NotReady', status: 'True', reason: 'Creating', message: 'Kafka cluster is being deployed' }]) },
  { name: 'Kafka with an invalid configuration', state: 'failed', object: kafka([{ type: 'NotReady', status: 'True', reason: 'InvalidResourceException', message: 'Kafka configuration is invalid' }]) },
  // KEDA: Ready Unknown until checked, then True or False; Active says whether it scales now.
  { name: 'ScaledObject ready', state: 'current', object: scaledObject([ready('True', 'ScaledObjectReady'), { type: 'Active', status: 'False' }]) },
  { name: 'ScaledObject not checked yet', state: 'inProgress', object: scaledObject([ready('Unknown'), { type: 'Active', status: 'Unknown' }]) },
  { name: 'ScaledObject whose check failed', state: 'failed', object: scaledObject([ready('False', 'ScaledObjectCheckFailed'), { type: 'Active', status: 'False' }]) },
  // Crossplane: Synced and Ready on managed resources and claims alike.
  { name: 'managed resource available', state: 'current', object: bucket([{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess' }, ready('True', 'Available')]) },
  { name: 'managed resource being created', state: 'inProgress', object: bucket([{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess' }, ready('False', 'Creating')]) },
  { name: 'managed resource the provider refused', state: 'failed', object: bucket([{ type: 'Synced', status: 'False', reason: 'ReconcileError', message: 'cannot create Bucket: AccessDenied' }, ready('False', 'Creating')]) },
  { name: 'claim bound and ready', state: 'current', object: claim([{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess' }, ready('True', 'Available')]) },
  { name: 'claim waiting for its composite', state: 'inProgress', object: claim([{ type: 'Synced', status: 'True', reason: 'ReconcileSuccess' }, ready('False', 'Waiting')]) },
  { name: 'claim that cannot be composed', state: 'failed', object: claim([{ type: 'Synced', status: 'False', reason: 'ReconcileError', message: 'cannot compose resources' }]) },
  // Any other custom resource: the conventions helm 4's watcher (kstatus) reads.
  { name: 'custom resource without a status (no controller writes one)', state: 'current', object: obj('example.com/v1', 'Widget', undefined, { size: 1 }) },
  { name: 'custom resource Ready', state: 'current', object: obj('example.com/v1', 'Widget', { conditions: [ready('True')] }) },
  { name: 'custom resource not Ready yet', state: 'inProgress', object: obj('example.com/v1', 'Widget', { conditions: [ready('False', 'Provisioning')] }) },
  { name: 'custom resource reconciling', state: 'inProgress', object: obj('example.com/v1', 'Widget', { conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing' }] }) },
  { name: 'custom resource stalled', state: 'failed', object: obj('example.com/v1', 'Widget', { conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidSpec' }] }) },
];

const rules = new HealthRules(healthLibrary);

describe('the built-in health library', () => {
  it('compiles every rule', () => {
    expect(healthLibrary.flatMap((rule) => compileRule(rule).errors)).toEqual([]);
  });

  it.each(samples)('$name: $state', ({ object, state }) => {
    const rule = rules.ruleFor(object);
    expect(rule, `no rule for ${object.apiVersion} ${object.kind}`).toBeDefined();
    // Within the grace period too: only an object without any status waits for one (and not by the conventions).
    expect(evaluateHealth(object, rule!, { statusGraceOver: false }).state).toBe(state);
  });

  it('has a sample of every state for every rule', () => {
    const statesByRule = new Map<unknown, Set<HealthState>>();
    for (const { object, state } of samples) {
      const rule = rules.ruleFor(object)!.rule;
      statesByRule.set(rule, (statesByRule.get(rule) ?? new Set()).add(state));
    }
    const missing = healthLibrary.filter((rule) => statesByRule.get(rule)?.size !== 3).map((rule) => `${rule.kind} (${rule.source.kind === 'built-in' ? rule.source.project : ''})`);
    expect(missing).toEqual([]);
  });

  it('matches no built-in kind; a custom resource no rule names falls to the conventions, unless Crossplane\'s shape is its own', () => {
    expect(rules.ruleFor(obj('apps/v1', 'Deployment', {}, { forProvider: {} }))).toBeUndefined();
    expect(rules.ruleFor(obj('monitoring.coreos.com/v1', 'ServiceMonitor', undefined))?.rule.source).toEqual({ kind: 'built-in', project: 'Kubernetes conventions' });
    expect(rules.ruleFor(bucket([]))?.rule.source).toEqual({ kind: 'built-in', project: 'Crossplane' });
  });
});

import type { HealthRule } from './rules.js';

/*
 * The built-in health rules: the custom resources people run most, written as Flux's healthCheckExprs are (a user
 * can copy one into releases.yaml and change it there; a rule in releases.yaml for the same kind wins). Each is
 * tested against status samples written from its project's documentation (library.test.ts).
 *
 * `condition('Ready', "c.status == 'True'")` reads: the object has a condition of type Ready whose status is True.
 */
const condition = (type: string, test: string) =>
  `has(status.conditions) && status.conditions.exists(c, c.type == '${type}' && ${test})`;

/** A condition of `type` that the controller wrote for the object's current generation (when it says which). */
const caughtUp = '(!has(c.observedGeneration) || c.observedGeneration == metadata.generation)';

const builtIn = (project: string, rules: Omit<HealthRule, 'source'>[]): HealthRule[] =>
  rules.map((rule) => ({ ...rule, source: { kind: 'built-in', project } }));

const flux = (kind: string, apiVersion: string) => ({
  apiVersion,
  kind,
  inProgress: condition('Reconciling', "c.status == 'True'"),
  // Stalled is Flux's word for giving up until something changes; a Ready=False without a reconcile under way is
  // a failed attempt (InstallFailed, UpgradeFailed, BuildFailed, HealthCheckFailed…), except waiting on a dependency.
  failed: `(${condition('Stalled', "c.status == 'True'")}) || (${condition('Ready', `c.status == 'False' && ${caughtUp} && !(c.reason in ['DependencyNotReady', 'Progressing', 'ProgressingWithRetry'])`)})`,
  current: condition('Ready', `c.status == 'True' && ${caughtUp}`),
});

export const healthLibrary: readonly HealthRule[] = [
  ...builtIn('cert-manager', [
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      // Issuing=True while a certificate is being (re)issued; cert-manager sets Issuing=False with reason Failed when
      // an issuance failed (and retries later, with backoff).
      inProgress: condition('Issuing', "c.status == 'True'"),
      failed: condition('Issuing', "c.status == 'False' && c.reason == 'Failed'"),
      current: condition('Ready', `c.status == 'True' && ${caughtUp}`),
    },
    ...['Issuer', 'ClusterIssuer'].map((kind) => ({
      apiVersion: 'cert-manager.io/v1',
      kind,
      // Ready=False with an Err… reason: the ACME account could not be registered, the CA key pair is missing…
      failed: condition('Ready', "c.status == 'False' && has(c.reason) && c.reason.startsWith('Err')"),
      current: condition('Ready', `c.status == 'True' && ${caughtUp}`),
    })),
  ]),
  ...builtIn('Argo Rollouts', [
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      // Argo Rollouts writes observedGeneration as a string, so the generation is compared here, not by boutique.
      inProgress: 'has(status.observedGeneration) && string(status.observedGeneration) != string(metadata.generation)',
      failed: "has(status.phase) && status.phase == 'Degraded'",
      current: "has(status.phase) && status.phase == 'Healthy'",
    },
  ]),
  ...builtIn(
    'prometheus-operator',
    ['Prometheus', 'Alertmanager'].map((kind) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind,
      // Reconciled=False: the operator could not turn the object into its StatefulSet (an invalid configuration).
      failed: condition('Reconciled', `c.status == 'False' && ${caughtUp}`),
      current: `${condition('Available', `c.status == 'True' && ${caughtUp}`)} && ${condition('Reconciled', `c.status == 'True' && ${caughtUp}`)}`,
    })),
  ),
  ...builtIn('Flux', [
    flux('HelmRelease', 'helm.toolkit.fluxcd.io/v2'),
    flux('Kustomization', 'kustomize.toolkit.fluxcd.io/v1'),
  ]),
  ...builtIn('CloudNativePG', [
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      failed:
        "has(status.phase) && status.phase in ['Cluster is in an unrecoverable state, needs manual intervention', 'Unable to create required cluster objects']",
      current: `${condition('Ready', "c.status == 'True'")} && status.phase == 'Cluster in healthy state'`,
    },
  ]),
  ...builtIn('Strimzi', [
    {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'Kafka',
      // NotReady=True with reason Creating while the cluster comes up; any other reason is the exception that
      // stopped the reconciliation (an invalid configuration, say).
      inProgress: condition('NotReady', "c.status == 'True' && c.reason == 'Creating'"),
      failed: condition('NotReady', "c.status == 'True'"),
      current: condition('Ready', "c.status == 'True'"),
    },
  ]),
  ...builtIn('KEDA', [
    {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      // KEDA writes Ready=Unknown until it has checked the ScaledObject, then False when its check failed.
      failed: condition('Ready', "c.status == 'False'"),
      current: condition('Ready', "c.status == 'True'"),
    },
  ]),
  ...builtIn('Crossplane', [
    {
      // Every managed resource has spec.forProvider; a claim or composite resource names its composition.
      apiVersion: '*',
      kind: '*',
      matches:
        'has(spec.forProvider) || has(spec.compositionRef) || has(spec.compositionSelector) || has(spec.compositionRevisionRef)',
      // Synced=False (ReconcileError): the provider's API refused the resource or it cannot be composed.
      failed: condition('Synced', "c.status == 'False' && c.reason == 'ReconcileError'"),
      current: `${condition('Ready', "c.status == 'True'")} && ${condition('Synced', "c.status == 'True'")}`,
    },
  ]),
  // Last: every other custom resource, read as helm 4's watcher (kstatus) reads one, so that a release whose
  // custom resources boutique waits for (helm then waits for the built-in kinds only) loses no check helm made.
  ...builtIn('Kubernetes conventions', [
    {
      apiVersion: '*',
      kind: '*',
      matches: 'true',
      statusGrace: false,
      inProgress: condition('Reconciling', "c.status == 'True'"),
      failed: condition('Stalled', "c.status == 'True'"),
      current: "!has(status.conditions) || !status.conditions.exists(c, c.type == 'Ready' && c.status != 'True')",
    },
  ]),
];

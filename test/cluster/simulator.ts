/**
 * A status simulator in the manner of kwok: controllers are replaced by rules that write the status each kind
 * needs for helm's watcher (kstatus) and legacy waits to see it ready, after a per-object delay. Deployments get
 * a ReplicaSet; StatefulSets get PVCs for their claim templates; Jobs complete; PVCs bind; LoadBalancer Services
 * get an ingress IP; CRDs become Established and their kinds start being served.
 */
import { createHash } from 'node:crypto';
import type { Faults } from './faults.js';
import { canonicalJson, clone, isObject, timestamp } from './json.js';
import type { JsonObject, KubeObject, ResourceType } from './kinds.js';
import type { ResourceService } from './resources.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** Per-object override of the ready delay, in milliseconds. */
export const readyDelayAnnotation = 'emulator.boutique.dev/ready-delay-ms';

const controllerManager = 'kube-controller-manager';

type Condition = { type: string; status: 'True' | 'False'; reason: string; message: string; lastTransitionTime: string; lastUpdateTime?: string };

function condition(type: string, status: boolean, reason: string, message: string): Condition {
  const now = timestamp();
  return { type, status: status ? 'True' : 'False', reason, message, lastTransitionTime: now, lastUpdateTime: now };
}

/** A stable pod-template-hash for a template, in the "safe" alphabet Kubernetes renders hashes with. */
export function templateHash(template: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(template ?? {})).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(digest.subarray(0, 10), (byte) => alphabet[byte % alphabet.length]).join('');
}

function specOf(object: KubeObject): JsonObject {
  return isObject(object.spec) ? object.spec : {};
}

function replicasOf(object: KubeObject): number {
  const replicas = specOf(object).replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

function controllerReference(owner: KubeObject): JsonObject {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

export class StatusSimulator {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** What was last reconciled per uid (generation, or spec for kinds without one), so status writes do not loop. */
  private readonly handled = new Map<string, string>();
  /** Objects held back by a neverReady fault: re-settled when faults change. */
  private readonly held = new Map<string, () => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly resources: ResourceService,
    private readonly store: ObjectStore,
    private readonly faults: Faults,
    private readonly readyDelayMs: number,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((event) => this.observe(event));
    this.faults.onChange(() => {
      const waiting = [...this.held.values()];
      this.held.clear();
      for (const settle of waiting) settle();
    });
  }

  stop(): void {
    this.unsubscribe?.();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.held.clear();
  }

  private observe(event: StoreEvent): void {
    const uid = event.object.metadata.uid ?? '';
    if (event.type === 'DELETED') {
      clearTimeout(this.timers.get(uid));
      this.timers.delete(uid);
      this.handled.delete(uid);
      this.held.delete(uid);
      return;
    }
    const reconcile = this.reconcilerFor(event.object);
    if (!reconcile) return;
    const signature = event.object.metadata.generation !== undefined ? String(event.object.metadata.generation) : JSON.stringify(event.object.spec ?? null);
    if (this.handled.get(uid) === signature) return;
    this.handled.set(uid, signature);
    // Controllers react after the write that triggered them has been answered and watched.
    setImmediate(() => reconcile(event.resourceType, event.object));
  }

  private reconcilerFor(object: KubeObject): ((type: ResourceType, object: KubeObject) => void) | undefined {
    switch (object.kind) {
      case 'Deployment':
        return (type, current) => this.reconcileDeployment(type, current);
      case 'ReplicaSet':
        return object.metadata.ownerReferences?.some((reference) => reference.controller) ? undefined : (type, current) => this.reconcileReplicaSet(type, current);
      case 'StatefulSet':
        return (type, current) => this.reconcileStatefulSet(type, current);
      case 'DaemonSet':
        return (type, current) => this.reconcileDaemonSet(type, current);
      case 'Job':
        return (type, current) => this.reconcileJob(type, current);
      case 'PersistentVolumeClaim':
        return (type, current) => this.later(type, current, () => ({ ...(current.status as JsonObject), phase: 'Bound', ...this.claimCapacity(current) }));
      case 'Service':
        return specOf(object).type === 'LoadBalancer' ? (type, current) => this.reconcileLoadBalancer(type, current) : undefined;
      case 'Pod':
        return (type, current) => this.reconcilePod(type, current);
      case 'CustomResourceDefinition':
        return object.apiVersion === 'apiextensions.k8s.io/v1' ? (type, current) => this.establishCrd(type, current) : undefined;
      default:
        return undefined;
    }
  }

  private delayOf(object: KubeObject): number {
    const override = Number(object.metadata.annotations?.[readyDelayAnnotation]);
    return Number.isFinite(override) && override >= 0 ? override : this.readyDelayMs;
  }

  /**
   * After the object's delay, write the status `ready()` returns, unless a neverReady fault matches it, in which
   * case `notReady()` (if given) is written and the object waits for the fault to go away.
   */
  private later(type: ResourceType, object: KubeObject, ready: () => JsonObject, notReady?: () => JsonObject): void {
    const uid = object.metadata.uid ?? '';
    const generation = object.metadata.generation;
    const settle = (): void => {
      this.timers.delete(uid);
      const current = this.store.get(type, object.metadata.namespace, object.metadata.name ?? '');
      if (!current || current.metadata.uid !== uid || current.metadata.generation !== generation) return;
      if (this.faults.isNeverReady(current)) {
        if (notReady) this.resources.writeStatus(type, current, notReady());
        this.held.set(uid, settle);
        return;
      }
      this.resources.writeStatus(type, current, ready());
    };
    clearTimeout(this.timers.get(uid));
    this.held.delete(uid);
    this.timers.set(uid, setTimeout(settle, this.delayOf(object)));
  }

  private reconcileDeployment(type: ResourceType, deployment: KubeObject): void {
    const replicas = replicasOf(deployment);
    const generation = deployment.metadata.generation;
    const replicaSet = this.ensureReplicaSet(deployment, replicas);
    const name = replicaSet.metadata.name ?? '';
    const status = (deployment.status ?? {}) as JsonObject;
    const unavailable = (): JsonObject => ({
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      unavailableReplicas: replicas,
      conditions: [
        condition('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        condition('Progressing', true, 'ReplicaSetUpdated', `ReplicaSet "${name}" is progressing.`),
      ],
    });
    // A brand-new Deployment is observed at once, as progressing; later generations are observed when they settle.
    if (status.observedGeneration === undefined) this.resources.writeStatus(type, deployment, unavailable());
    this.later(
      type,
      deployment,
      () => {
        this.writeReplicaSetStatus(replicaSet, replicas, true);
        return {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
          conditions: [
            condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
            condition('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${name}" has successfully progressed.`),
          ],
        };
      },
      () => {
        this.writeReplicaSetStatus(replicaSet, replicas, false);
        return unavailable();
      },
    );
  }

  /** The ReplicaSet of the current template (created or scaled), with older ones scaled to zero. */
  private ensureReplicaSet(deployment: KubeObject, replicas: number): KubeObject {
    const replicaSets = this.resources.registry.byKind('apps/v1', 'ReplicaSet')!;
    const spec = specOf(deployment);
    const template = clone((spec.template ?? {}) as JsonObject);
    const hash = templateHash(template);
    const templateMetadata = (template.metadata ?? {}) as JsonObject;
    const labels = { ...((templateMetadata.labels ?? {}) as Record<string, string>), 'pod-template-hash': hash };
    template.metadata = { ...templateMetadata, labels };
    const selector = (spec.selector ?? {}) as JsonObject;
    const namespace = deployment.metadata.namespace;
    const owned = this.store
      .list(replicaSets, namespace)
      .filter((candidate) => candidate.metadata.ownerReferences?.some((reference) => reference.uid === deployment.metadata.uid));
    const name = `${deployment.metadata.name}-${hash}`;
    // Like the deployment controller: the ReplicaSet of the current template carries the highest revision.
    const revisionOf = (replicaSet: KubeObject): number => Number(replicaSet.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const newest = owned.reduce<KubeObject | undefined>((best, candidate) => (best && revisionOf(best) >= revisionOf(candidate) ? best : candidate), undefined);
    const revision = newest?.metadata.name === name ? revisionOf(newest) : (newest ? revisionOf(newest) : 0) + 1;
    for (const old of owned.filter((candidate) => candidate.metadata.name !== name && replicasOf(candidate) !== 0)) {
      this.resources.controllerWrite(replicaSets, { ...old, spec: { ...specOf(old), replicas: 0 } }, controllerManager);
      this.writeReplicaSetStatus(old, 0, true);
    }
    const desired: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + 1),
          'deployment.kubernetes.io/revision': String(revision),
        },
        ownerReferences: [controllerReference(deployment) as never],
      },
      spec: {
        replicas,
        selector: { ...selector, matchLabels: { ...((selector.matchLabels ?? {}) as Record<string, string>), 'pod-template-hash': hash } },
        template,
      },
    };
    return this.resources.controllerWrite(replicaSets, desired, controllerManager);
  }

  private writeReplicaSetStatus(replicaSet: KubeObject, replicas: number, ready: boolean): void {
    const type = this.resources.registry.byKind('apps/v1', 'ReplicaSet')!;
    const current = this.store.get(type, replicaSet.metadata.namespace, replicaSet.metadata.name ?? '');
    if (!current) return;
    const readyCount = ready ? replicas : 0;
    this.resources.writeStatus(type, current, {
      replicas,
      fullyLabeledReplicas: replicas,
      ...(readyCount > 0 ? { readyReplicas: readyCount, availableReplicas: readyCount } : {}),
      observedGeneration: current.metadata.generation,
    });
  }

  private reconcileReplicaSet(type: ResourceType, replicaSet: KubeObject): void {
    const replicas = replicasOf(replicaSet);
    this.later(type, replicaSet, () => ({
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      observedGeneration: replicaSet.metadata.generation,
    }));
  }

  private reconcileStatefulSet(type: ResourceType, statefulSet: KubeObject): void {
    const replicas = replicasOf(statefulSet);
    const generation = statefulSet.metadata.generation;
    const revision = `${statefulSet.metadata.name}-${templateHash(specOf(statefulSet).template)}`;
    this.ensureClaims(statefulSet, replicas);
    const status = (statefulSet.status ?? {}) as JsonObject;
    const progressing = (): JsonObject => ({
      observedGeneration: generation,
      replicas,
      availableReplicas: 0,
      currentReplicas: 0,
      updatedReplicas: 0,
      currentRevision: status.currentRevision ?? revision,
      updateRevision: revision,
      collisionCount: 0,
    });
    if (status.observedGeneration === undefined) this.resources.writeStatus(type, statefulSet, progressing());
    this.later(
      type,
      statefulSet,
      () => ({
        observedGeneration: generation,
        replicas,
        readyReplicas: replicas,
        currentReplicas: replicas,
        updatedReplicas: replicas,
        availableReplicas: replicas,
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      }),
      progressing,
    );
  }

  /** PVCs `<template>-<statefulset>-<ordinal>` for each claim template, as the StatefulSet controller creates them. */
  private ensureClaims(statefulSet: KubeObject, replicas: number): void {
    const claims = this.resources.registry.byKind('v1', 'PersistentVolumeClaim')!;
    const spec = specOf(statefulSet);
    const selectorLabels = ((spec.selector as JsonObject | undefined)?.matchLabels ?? {}) as Record<string, string>;
    for (const template of (spec.volumeClaimTemplates ?? []) as KubeObject[]) {
      for (let ordinal = 0; ordinal < replicas; ordinal++) {
        const name = `${template.metadata?.name}-${statefulSet.metadata.name}-${ordinal}`;
        if (this.store.get(claims, statefulSet.metadata.namespace, name)) continue;
        this.resources.controllerWrite(
          claims,
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name, namespace: statefulSet.metadata.namespace, labels: { ...template.metadata?.labels, ...selectorLabels } },
            spec: clone(template.spec ?? {}),
          },
          controllerManager,
        );
      }
    }
  }

  private claimCapacity(claim: KubeObject): JsonObject {
    const spec = specOf(claim);
    const requests = ((spec.resources as JsonObject | undefined)?.requests ?? {}) as JsonObject;
    return {
      ...(spec.accessModes ? { accessModes: spec.accessModes } : {}),
      ...(requests.storage ? { capacity: { storage: requests.storage } } : {}),
    };
  }

  private reconcileDaemonSet(type: ResourceType, daemonSet: KubeObject): void {
    const counts = (ready: boolean): JsonObject => ({
      observedGeneration: daemonSet.metadata.generation,
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      updatedNumberScheduled: ready ? 1 : 0,
      numberMisscheduled: 0,
      numberReady: ready ? 1 : 0,
      ...(ready ? { numberAvailable: 1 } : { numberUnavailable: 1 }),
    });
    this.later(type, daemonSet, () => counts(true), () => counts(false));
  }

  private reconcileJob(type: ResourceType, job: KubeObject): void {
    const status = (job.status ?? {}) as JsonObject;
    const startTime = (status.startTime as string | undefined) ?? timestamp();
    if (status.startTime === undefined) this.resources.writeStatus(type, job, { startTime, active: 1, ready: 0, terminating: 0 });
    const completions = typeof specOf(job).completions === 'number' ? (specOf(job).completions as number) : 1;
    this.later(type, job, () => ({
      startTime,
      completionTime: timestamp(),
      succeeded: completions,
      ready: 0,
      terminating: 0,
      conditions: [
        condition('SuccessCriteriaMet', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
        condition('Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ],
    }));
  }

  private reconcileLoadBalancer(type: ResourceType, service: KubeObject): void {
    const clusterIP = String(specOf(service).clusterIP ?? '10.96.0.1');
    const ip = `172.18.255.${clusterIP.split('.').pop()}`;
    this.later(type, service, () => ({ loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } }));
  }

  private reconcilePod(type: ResourceType, pod: KubeObject): void {
    this.later(type, pod, () => ({
      phase: 'Running',
      conditions: [condition('Initialized', true, '', ''), condition('Ready', true, '', ''), condition('ContainersReady', true, '', ''), condition('PodScheduled', true, '', '')].map(
        ({ lastUpdateTime: _lastUpdateTime, reason: _reason, message: _message, ...rest }) => rest,
      ),
      podIP: '10.244.0.10',
      startTime: timestamp(),
    }));
  }

  /** CRDs are accepted and Established at once; their kinds are served from then on. */
  private establishCrd(type: ResourceType, crd: KubeObject): void {
    const spec = specOf(crd);
    this.resources.registry.registerCrd(crd);
    this.resources.writeStatus(type, crd, {
      acceptedNames: spec.names,
      storedVersions: ((spec.versions ?? []) as JsonObject[]).filter((version) => version.storage).map((version) => version.name),
      conditions: [
        condition('NamesAccepted', true, 'NoConflicts', 'no conflicts found'),
        condition('Established', true, 'InitialNamesAccepted', 'the initial names have been accepted'),
      ].map(({ lastUpdateTime: _lastUpdateTime, ...rest }) => rest),
    });
  }
}

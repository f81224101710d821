import type { KubeObject } from '../kube/objects.js';

export type ChangeAction = 'add' | 'change' | 'remove' | 'unchanged';

/**
 * What applying a change does beyond the object itself:
 * `rollout` restarts pods, `stale-config` leaves running pods on the old config, `replace` cannot be applied in place,
 * `crd-preview` was checked client-side against a CRD the cluster does not serve yet (lint/crd-preview.ts).
 */
export interface Impact {
  kind: 'rollout' | 'stale-config' | 'replace' | 'crd-preview' | 'crd-schema' | 'crd-unsafe';
  message: string;
}

/** One object of a release, compared before masking; both sides are normalized. */
export interface ComparedObject {
  key: string;
  ref: string;
  /** Namespace the object lives in (the release namespace when the manifest does not say). */
  namespace: string;
  action: ChangeAction;
  live?: KubeObject;
  desired?: KubeObject;
}

export interface ResourceChange {
  key: string;
  ref: string;
  action: ChangeAction;
  /** Normalized, masked YAML of the live object; absent for `add` and `unchanged`. */
  before?: string;
  /** Normalized, masked YAML of the object after sync; absent for `remove` and `unchanged`. */
  after?: string;
  impacts: Impact[];
}

/** A field the last sync applied whose live value differs: `live` is null when the field is gone. */
export interface DriftedField {
  path: string;
  applied: unknown;
  live: unknown;
}

export interface ResourceDrift {
  key: string;
  ref: string;
  fields: DriftedField[];
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  unchanged: number;
}

/** A helm hook a sync would run (or no longer run), compared with the one the deployed revision holds. */
export interface HookChange extends Omit<ResourceChange, 'impacts'> {
  /** When helm runs it: pre-install, post-upgrade… */
  events: string[];
}

export interface ReleaseDiff {
  release: string;
  namespace: string;
  changes: ResourceChange[];
  /** Hooks apart: helm runs them around the upgrade and does not keep them as release objects. */
  hooks: HookChange[];
  drift: ResourceDrift[];
  /** Objects and hooks together. */
  summary: PlanCounts;
}

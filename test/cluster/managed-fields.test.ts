import { describe, expect, it } from 'vitest';
import { fieldSet, fromFieldsV1, toFieldsV1 } from './field-paths.js';
import type { KubeObject } from './kinds.js';
import { recordUpdate, serverSideApply } from './managed-fields.js';
import { StatusError } from './status-error.js';

const now = new Date('2026-01-01T00:00:00Z');

function configMap(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ns', ...(labels ? { labels } : {}) }, data };
}

function deployment(containers: unknown[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns' },
    spec: { template: { spec: { containers } } },
  };
}

const apply = (live: KubeObject | undefined, applied: KubeObject, manager = 'helm', force = false): KubeObject =>
  serverSideApply(live, applied, { manager, force, now });

function conflictOf(action: () => unknown): StatusError {
  try {
    action();
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error('expected a conflict');
}

describe('field sets', () => {
  it('keys container ports by containerPort and protocol, defaulting the protocol', () => {
    const paths = fieldSet(deployment([{ name: 'web', ports: [{ containerPort: 8080 }] }]));
    expect(toFieldsV1(paths)).toEqual({
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                '.': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    });
  });

  it('round-trips through fieldsV1', () => {
    const paths = fieldSet({ ...configMap({ a: '1' }, { app: 'x' }), metadata: { name: 'cfg', finalizers: ['f'] } });
    expect(fromFieldsV1(toFieldsV1(paths))).toEqual(paths);
  });
});

describe('server-side apply', () => {
  it('creates the object and records the manager as Apply', () => {
    const created = apply(undefined, configMap({ a: '1' }));
    expect(created.data).toEqual({ a: '1' });
    expect(created.metadata.managedFields).toEqual([
      { manager: 'helm', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ]);
  });

  it('removes fields the same manager no longer applies', () => {
    const first = apply(undefined, configMap({ a: '1', b: '2' }, { keep: 'x', drop: 'y' }));
    const second = apply(first, configMap({ a: '1' }, { keep: 'x' }));
    expect(second.data).toEqual({ a: '1' });
    expect(second.metadata.labels).toEqual({ keep: 'x' });
  });

  it('keeps fields another manager also owns when the first stops applying them', () => {
    const first = apply(undefined, configMap({ a: '1', b: '2' }));
    const shared = apply(first, configMap({ b: '2' }), 'other');
    expect(apply(shared, configMap({ a: '1' })).data).toEqual({ a: '1', b: '2' });
  });

  it('conflicts with another manager owning a different value, with the Status shape clients expect', () => {
    const live = apply(undefined, configMap({ message: 'hi' }));
    const error = conflictOf(() => apply(live, configMap({ message: 'edited' }), 'kubectl-edit'));
    expect(error.code).toBe(409);
    expect(error.toStatus()).toMatchObject({
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "helm" using v1: .data.message',
      details: { causes: [{ reason: 'FieldManagerConflict', field: '.data.message', message: 'conflict with "helm" using v1' }] },
    });
  });

  it('shares fields applied with the same value without a conflict', () => {
    const live = apply(undefined, configMap({ message: 'hi' }));
    const shared = apply(live, configMap({ message: 'hi' }), 'other');
    expect(shared.metadata.managedFields?.map((entry) => entry.manager)).toEqual(['helm', 'other']);
  });

  it('takes ownership with force, so the previous owner no longer owns the field', () => {
    const live = apply(undefined, configMap({ message: 'hi', other: 'x' }));
    const forced = apply(live, configMap({ message: 'edited' }), 'kubectl-edit', true);
    expect(forced.data).toEqual({ message: 'edited', other: 'x' });
    const helm = forced.metadata.managedFields?.find((entry) => entry.manager === 'helm');
    expect(helm?.fieldsV1).toEqual({ 'f:data': { 'f:other': {} } });
  });

  it('merges containers by name and drops a container its manager stopped applying', () => {
    const live = apply(undefined, deployment([{ name: 'web', image: 'a' }, { name: 'old', image: 'b' }]));
    const withSidecar = apply(live, deployment([{ name: 'sidecar', image: 'c' }]), 'injector');
    const next = apply(withSidecar, deployment([{ name: 'web', image: 'a2' }]));
    const containers = (next.spec as { template: { spec: { containers: { name: string; image: string }[] } } }).template.spec.containers;
    expect(containers).toEqual([
      { name: 'web', image: 'a2' },
      { name: 'sidecar', image: 'c' },
    ]);
  });

  it('keeps unowned members of a map that used to be applied empty and now has members', () => {
    const empty = apply(undefined, deployment([{ name: 'web', resources: {} }]));
    // A member nobody applied, as defaulting would add it.
    const live = { ...empty, spec: { template: { spec: { containers: [{ name: 'web', resources: { requests: { cpu: '1' } } }] } } } };
    const filled = apply(live, deployment([{ name: 'web', resources: { limits: { cpu: '2' } } }]));
    const container = (filled.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
    expect(container).toEqual({ name: 'web', resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } });
  });

  it('lists several conflicts per manager', () => {
    const live = apply(undefined, configMap({ a: '1', b: '2' }));
    const error = conflictOf(() => apply(live, configMap({ a: 'x', b: 'y' }), 'other'));
    expect(error.message).toBe('Apply failed with 2 conflicts: conflicts with "helm" using v1:\n- .data.a\n- .data.b');
  });
});

describe('update operations', () => {
  it('gives changed fields to the updater and takes them from the applier, which then conflicts', () => {
    const live = apply(undefined, configMap({ a: '1', b: '2' }));
    const patched = structuredClone(live);
    patched.data = { a: '1', b: 'patched' };
    recordUpdate(live, patched, 'kubectl-patch', { now });
    expect(patched.metadata.managedFields?.map((entry) => [entry.manager, entry.operation, entry.fieldsV1])).toEqual([
      ['helm', 'Apply', { 'f:data': { 'f:a': {} } }],
      ['kubectl-patch', 'Update', { 'f:data': { 'f:b': {} } }],
    ]);
    expect(conflictOf(() => apply(patched, configMap({ a: '1', b: '2' }))).message).toContain('conflict with "kubectl-patch" using v1: .data.b');
  });

  it('keeps managedFields a client wrote itself', () => {
    const live = apply(undefined, configMap({ a: '1' }));
    const rewritten = structuredClone(live);
    rewritten.metadata.managedFields = [{ ...live.metadata.managedFields![0]!, manager: 'renamed' }];
    recordUpdate(live, rewritten, 'helm', { now });
    expect(rewritten.metadata.managedFields?.map((entry) => entry.manager)).toEqual(['renamed']);
  });
});

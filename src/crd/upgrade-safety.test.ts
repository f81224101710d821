import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/objects.js';
import { crdSchemaChanges, unsafeCrdChanges } from './upgrade-safety.js';

interface Version {
  name: string;
  served?: boolean;
  storage?: boolean;
  spec: Record<string, unknown>;
  required?: string[];
}

function crd(versions: Version[], options: { storedVersions?: string[]; strategy?: string } = {}): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'backups.example.dev' },
    spec: {
      group: 'example.dev',
      names: { kind: 'Backup', plural: 'backups' },
      scope: 'Namespaced',
      ...(options.strategy && { conversion: { strategy: options.strategy } }),
      versions: versions.map((version) => ({
        name: version.name,
        served: version.served ?? true,
        storage: version.storage ?? false,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: version.spec,
                ...(version.required && { required: version.required }),
              },
            },
          },
        },
      })),
    },
    ...(options.storedVersions && { status: { storedVersions: options.storedVersions } }),
  };
}

const backup = (name: string, spec: Record<string, unknown>, version = 'v1'): KubeObject => ({
  apiVersion: `example.dev/${version}`,
  kind: 'Backup',
  metadata: { name, namespace: 'data', resourceVersion: '12', uid: 'u' },
  spec,
  status: { phase: 'Done' },
});

const v1Spec = { schedule: { type: 'string' }, retention: { type: 'integer' }, target: { type: 'string' } };

describe('unsafeCrdChanges', () => {
  it('passes an additive change: a new optional field and a new version', () => {
    const current = crd([{ name: 'v1', storage: true, spec: v1Spec }], { storedVersions: ['v1'] });
    const proposed = crd([
      { name: 'v1', storage: true, spec: { ...v1Spec, paused: { type: 'boolean' } } },
      { name: 'v2', spec: v1Spec },
    ]);
    expect(unsafeCrdChanges(current, proposed, [backup('nightly', { schedule: '0 1 * * *', retention: 7 })])).toEqual(
      [],
    );
  });

  it('refuses removing a version still in storedVersions, and one still served', () => {
    const current = crd(
      [
        { name: 'v1alpha1', spec: v1Spec },
        { name: 'v1', storage: true, spec: v1Spec },
      ],
      { storedVersions: ['v1alpha1', 'v1'] },
    );
    const proposed = crd([{ name: 'v1', storage: true, spec: v1Spec }]);
    const findings = unsafeCrdChanges(current, proposed, [backup('old', { schedule: 'x' }, 'v1alpha1')]);
    expect(findings.map((finding) => finding.rule)).toEqual(['served-version-removed', 'stored-version-removed']);
    expect(findings[0]).toMatchObject({ crd: 'backups.example.dev', objects: ['data/old'] });
    expect(findings[1]!.message).toContain('v1alpha1 is in status.storedVersions');
  });

  it('names each live object a new required field, a narrowed type or a dropped field breaks', () => {
    const current = crd([{ name: 'v1', storage: true, spec: v1Spec }], { storedVersions: ['v1'] });
    const proposed = crd([
      {
        name: 'v1',
        storage: true,
        spec: { schedule: { type: 'string' }, retention: { type: 'integer', maximum: 30 }, owner: { type: 'string' } },
        required: ['owner'],
      },
    ]);
    const live = [
      backup('fine', { schedule: 'a', retention: 7, owner: 'ops' }),
      backup('no-owner', { schedule: 'a', owner: undefined }),
      backup('long', { schedule: 'a', retention: 90, owner: 'ops' }),
      backup('targeted', { schedule: 'a', target: 's3://b', owner: 'ops' }),
    ];
    const [finding, ...rest] = unsafeCrdChanges(current, proposed, JSON.parse(JSON.stringify(live)) as KubeObject[]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: 'object-rejected', message: '3 live Backup objects fail the new schema' });
    expect(finding!.objects).toEqual([
      "data/no-owner: .spec must have required property 'owner'",
      'data/long: .spec.retention must be <= 30',
      'data/targeted: .spec.target is set and no longer in the schema (the API server would prune it)',
    ]);
  });

  it('refuses a narrowed type that live objects set', () => {
    const current = crd([{ name: 'v1', storage: true, spec: { size: { 'x-kubernetes-int-or-string': true } } }]);
    const proposed = crd([{ name: 'v1', storage: true, spec: { size: { type: 'integer' } } }]);
    const findings = unsafeCrdChanges(current, proposed, [
      backup('big', { size: '10Gi' }),
      backup('small', { size: 3 }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.objects).toEqual(['data/big: .spec.size must be integer']);
  });

  it('refuses moving storage to a version with another schema without conversion, not with a webhook', () => {
    const versions = (storage: string): Version[] => [
      { name: 'v1', storage: storage === 'v1', spec: v1Spec },
      { name: 'v2', storage: storage === 'v2', spec: { schedule: { type: 'string' } } },
    ];
    const current = crd(versions('v1'), { storedVersions: ['v1'] });
    expect(unsafeCrdChanges(current, crd(versions('v2')), []).map((finding) => finding.rule)).toEqual([
      'storage-without-conversion',
    ]);
    expect(unsafeCrdChanges(current, crd(versions('v2'), { strategy: 'Webhook' }), [])).toEqual([]);
  });
});

describe('crdSchemaChanges', () => {
  it('lists versions and fields added, removed and changed', () => {
    const current = crd([
      { name: 'v1alpha1', spec: v1Spec },
      { name: 'v1', storage: true, spec: v1Spec },
    ]);
    const proposed = crd([
      {
        name: 'v1',
        storage: true,
        spec: {
          schedule: { type: 'string', pattern: '^\\S+$' },
          retention: { type: 'string' },
          paused: { type: 'boolean' },
        },
        required: ['schedule'],
      },
    ]);
    expect(crdSchemaChanges(current, proposed)).toEqual([
      '~ v1 .spec.schedule: now required',
      '~ v1 .spec.schedule: pattern (none) → "^\\\\S+$"',
      '~ v1 .spec.retention: type "integer" → "string"',
      '+ v1 .spec.paused',
      '- v1 .spec.target',
      '- version v1alpha1',
    ]);
  });

  it('is empty for the same CRD', () => {
    const same = crd([{ name: 'v1', storage: true, spec: v1Spec }]);
    expect(crdSchemaChanges(same, same)).toEqual([]);
  });
});

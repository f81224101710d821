import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGroup } from '../../src/kube/objects.js';
import { samples } from '../fixtures/health/library-samples.js';
import { boutique } from '../support/cli.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { mergePatch } from '../support/merge-patch.js';
import { emulatorEnv } from '../support/tools.js';

/*
 * Every sample of the built-in library (test/fixtures/health/library-samples.ts, written from each project's
 * documentation) through a Kubernetes API: a CRD of each kind, one object per sample installed by boutique, its
 * generation raised as the sample's is, its status written with a PATCH of /status as its controller would, and
 * `boutique status` read for what each object's rule says of it.
 */
const kinds = [
  ...new Map(samples.map(({ object }) => [`${apiGroup(object.apiVersion)}/${object.kind}`, object])).values(),
];
const plural = (kind: string) => `${kind.toLowerCase()}s`;
const sampleName = (index: number) => `sample-${index}`;

function crd(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.split('/') as [string, string];
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural(kind)}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: plural(kind), singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } },
        },
      ],
    },
  };
}

/** A chart of one CRD per kind and one object per sample (spec as the sample's, no status: that is the controller's). */
function writeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-health-library-'));
  mkdirSync(join(dir, 'library/crds'), { recursive: true });
  mkdirSync(join(dir, 'library/templates'));
  writeFileSync(join(dir, 'library/Chart.yaml'), 'apiVersion: v2\nname: library\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'library/crds/crds.yaml'),
    kinds.map(({ apiVersion, kind }) => JSON.stringify(crd(apiVersion, kind))).join('\n---\n'),
  );
  const objects = samples.map(({ object }, index) =>
    JSON.stringify({
      apiVersion: object.apiVersion,
      kind: object.kind,
      metadata: { name: sampleName(index) },
      spec: object.spec ?? {},
    }),
  );
  writeFileSync(join(dir, 'library/templates/objects.yaml'), objects.join('\n---\n'));
  // Not waited for: the objects have no status until the test writes one.
  writeFileSync(
    join(dir, 'releases.yaml'),
    'releases:\n  - { name: library, namespace: lib, chart: ./library, wait: false }\n',
  );
  return dir;
}

describe('the built-in health library through the API', () => {
  let cluster: ControlPlane;
  let dir: string;
  const run = (args: string[]) => boutique(args, { cwd: dir, env: emulatorEnv(cluster) });

  beforeAll(async () => {
    // As an HA control plane does, the API server establishes each new CRD 5 s after it is created: helm 4 without
    // --wait does not wait for the crds/ it installs (helm/helm#32671), boutique does (app/crds-established.ts).
    cluster = await startControlPlane({ apiServerCount: 2 });
    dir = writeProject();
  });
  afterAll(() => cluster.stop());

  it('every sample gets the state its documentation says', async () => {
    const sync = await run(['sync']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    for (const [index, { object }] of samples.entries()) {
      const path = `/apis/${object.apiVersion}/namespaces/lib/${plural(object.kind)}/${sampleName(index)}`;
      // The sample's generation, by as many changes of its spec.
      for (let generation = 1; generation < (object.metadata.generation as number); generation++)
        await mergePatch(cluster, path, { spec: { revision: generation } });
      expect(cluster.store.get(object.apiVersion, object.kind, 'lib', sampleName(index))?.metadata.generation).toBe(
        object.metadata.generation,
      );
      if (object.status) await mergePatch(cluster, `${path}/status`, { status: object.status });
    }
    const status = await run(['status', '-o', 'json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const [library] = JSON.parse(status.stdout).results as {
      status: string;
      notReady?: { object: string; state: string }[];
    }[];
    expect(library!.status).toBe('in sync');
    const stateOf = new Map((library!.notReady ?? []).map(({ object, state }) => [object, state]));
    const got = samples.map(({ name, object }, index) => ({
      name,
      state: stateOf.get(`${object.kind}/${sampleName(index)}`) ?? 'current',
    }));
    expect(got).toEqual(samples.map(({ name, state }) => ({ name, state })));
    // Not a check that cannot fail: the samples hold every state.
    expect(new Set(got.map(({ state }) => state))).toEqual(new Set(['current', 'inProgress', 'failed']));
  });
});

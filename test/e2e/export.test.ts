import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { customResourceDefinitions, schemaErrors } from '../fixtures/gitops/schemas.js';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv, helmBinary, kubectlBinary } from '../support/tools.js';
import { documentToJs, parseGoYamlDocuments } from '../../src/yaml/go-yaml.js';

const repoUrl = 'https://git.example.com/acme/platform.git';

describe('boutique export, applied to a cluster with the Flux and Argo CD CRDs', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;
  const run = (args: string[]) => boutique(args, { cwd: system.dir, env });
  const kubectl = (args: string[]) => execa(kubectlBinary(), args, { env, cwd: system.dir });

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 100 });
    system = copyShippedSystem();
    env = emulatorEnv(cluster);
  });
  afterAll(() => cluster?.stop());

  it("exports values equal to what helm holds for boutique's own sync of the same releases", async () => {
    const sync = await run(['sync', '-e', 'prod', '--yes', '-l', 'name=recommendationservice', '--include-needs']);
    expect(sync.exitCode, sync.stderr).toBe(0);
    const exported = await run([
      'export',
      'flux',
      '-e',
      'prod',
      '--output-dir',
      'clusters/prod/flux',
      '--repo-url',
      repoUrl,
      '-o',
      'json',
    ]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).results).toEqual([
      expect.objectContaining({ engine: 'flux', environment: 'prod', outputDir: 'clusters/prod/flux', notes: [] }),
    ]);
    for (const name of ['productcatalogservice', 'recommendationservice']) {
      const helmValues = JSON.parse(
        (await execa(helmBinary(), ['get', 'values', name, '--namespace', 'boutique', '--output', 'json'], { env }))
          .stdout,
      );
      const [helmRelease] = parseGoYamlDocuments(
        readFileSync(join(system.dir, 'clusters/prod/flux', `${name}.yaml`), 'utf8'),
      ).map((doc) => documentToJs(doc) as { spec: { values: unknown } });
      expect(Object.keys(helmValues).length, name).toBeGreaterThan(3);
      expect(helmRelease?.spec.values, name).toEqual(helmValues);
    }
  });

  it('applies the Flux export (through its kustomization.yaml) and the Argo CD export server-side', async () => {
    const crds = join(system.dir, 'crds.yaml');
    writeFileSync(
      crds,
      customResourceDefinitions()
        .map((crd) => stringify(crd))
        .join('---\n'),
    );
    await kubectl(['apply', '--server-side', '-f', crds]);
    await kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', '-f', crds]);
    await kubectl(['create', 'namespace', 'flux-system']);
    await kubectl(['create', 'namespace', 'argocd']);

    const flux = await kubectl(['apply', '--server-side', '-k', 'clusters/prod/flux']);
    expect(flux.stdout).toContain('helmrelease.helm.toolkit.fluxcd.io/frontend serverside-applied');
    const stored = cluster.store.list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'flux-system');
    expect(stored.map((object) => object.metadata.name).sort()).toEqual([
      'adservice',
      'cartservice',
      'checkoutservice',
      'currencyservice',
      'emailservice',
      'frontend',
      'paymentservice',
      'productcatalogservice',
      'recommendationservice',
      'redis-cart',
      'shippingservice',
    ]);
    expect(
      (stored.find((object) => object.metadata.name === 'cartservice')!.spec as { dependsOn: unknown }).dependsOn,
    ).toEqual([{ name: 'redis-cart', namespace: 'flux-system' }]);
    expect(
      cluster.store
        .list('source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system')
        .map((object) => object.metadata.name),
    ).toEqual(['boutique']);
    for (const object of [
      ...stored,
      ...cluster.store.list('source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system'),
    ]) {
      const { apiVersion, kind, spec } = object;
      expect(
        schemaErrors({
          apiVersion,
          kind,
          metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
          spec,
        }),
        object.metadata.name,
      ).toEqual([]);
    }

    const argo = await run([
      'export',
      'argocd',
      '-e',
      'prod',
      '--output-dir',
      'clusters/prod/argocd',
      '--repo-url',
      repoUrl,
    ]);
    expect(argo.exitCode, argo.stderr).toBe(0);
    expect(argo.stdout).toContain('  boutique/frontend\n    timeout: 300s: an Application has no timeout of its own');
    await kubectl(['apply', '--server-side', '--recursive', '-f', 'clusters/prod/argocd']);
    const apps = cluster.store.list('argoproj.io/v1alpha1', 'Application', 'argocd');
    expect(apps).toHaveLength(12);
    expect(apps.find((app) => app.metadata.name === 'prod-frontend')?.metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '3',
    });
  });

  it("takes the repository from the checkout's git remote, and prefixes Flux names per environment so two exports share a cluster", async () => {
    const outside = await run(['export', 'flux', '-e', 'prod', '--output-dir', 'clusters/shared/prod']);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toMatch(
      /^Error: export needs the git URL the controller reads .*releases\.yaml from, and .* is in no checkout with a remote origin\n  hint: pass --repo-url URL\n/m,
    );
    await execa('git', ['init', '--quiet', system.dir]);
    await execa('git', ['-C', system.dir, 'remote', 'add', 'origin', repoUrl]);
    for (const environment of ['prod', 'staging']) {
      const exported = await run([
        'export',
        'flux',
        '-e',
        environment,
        '--prefix-names',
        '--output-dir',
        `clusters/shared/${environment}`,
      ]);
      expect(exported.exitCode, exported.stderr).toBe(0);
      expect(exported.stderr).toContain(`repository: ${repoUrl} (git remote origin; --repo-url to choose another)\n`);
      await kubectl(['apply', '--server-side', '-k', `clusters/shared/${environment}`]);
    }
    const names = cluster.store
      .list('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'flux-system')
      .map((object) => object.metadata.name ?? '');
    expect(names.filter((name) => name.startsWith('prod-'))).toHaveLength(11);
    expect(names.filter((name) => name.startsWith('staging-'))).toHaveLength(12); // staging runs the load generator
    const staged = cluster.store.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'flux-system', 'staging-cartservice')!
      .spec as { dependsOn: unknown; chart: { spec: { sourceRef: { name: string } } } };
    expect(staged.dependsOn).toEqual([{ name: 'staging-redis-cart', namespace: 'flux-system' }]);
    expect(staged.chart.spec.sourceRef.name).toBe('staging-boutique');
    const sources = cluster.store.list('source.toolkit.fluxcd.io/v1', 'GitRepository', 'flux-system');
    expect(
      sources
        .filter((object) => object.metadata.name !== 'boutique')
        .map((object) => [object.metadata.name, (object.spec as { url: string }).url])
        .sort(),
    ).toEqual([
      ['prod-boutique', repoUrl],
      ['staging-boutique', repoUrl],
    ]);
  });
});

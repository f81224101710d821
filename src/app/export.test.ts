import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customResourceDefinitions, schemaErrors } from '../../test/fixtures/gitops/schemas.js';
import { repoRoot } from '../../test/support/cli.js';
import { copyShippedSystem, shippedNeeds, shippedReleaseNames } from '../../test/support/system.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { KubeObject } from '../kube/objects.js';
import { buildPlan } from '../plan/plan.js';
import { documentToJs, parseGoYamlDocuments } from '../yaml/go-yaml.js';
import { stringify } from 'yaml';
import { engines, type Engine } from '../gitops/convert.js';
import { secretKey, secretKeys } from '../gitops/flux.js';
import { exportReleases } from './export.js';

const needs = shippedNeeds;
const prodReleases = shippedReleaseNames.filter((name) => name !== 'loadgenerator');
const git = { url: 'https://git.example.com/acme/platform.git', revision: 'main', path: 'boutique' };

type Spec = Record<string, any>;

function exported(engine: Engine, environment: string, dir = repoRoot) {
  const config = loadConfig(join(dir, 'releases.yaml'), environment);
  const plan = buildPlan(config, { selectors: [], includeNeeds: false });
  const outputDir = join(dir, 'clusters', environment, engine);
  const summary = exportReleases(config, plan, { engine, outputDir, git, interval: '10m' });
  const files = new Map(summary.files.map((path) => [path, readFileSync(join(outputDir, path), 'utf8')]));
  const objects = [...files.values()].flatMap((text) =>
    parseGoYamlDocuments(text).map((doc) => documentToJs(doc) as KubeObject & { spec: Spec }),
  );
  return {
    summary,
    files,
    objects,
    of: (kind: string, name: string) =>
      objects.find((object) => object.kind === kind && object.metadata?.name === name)!,
  };
}

/** A scratch folder whose releases.yaml holds one release, shop/app of a pinned repository chart, with `lines` below it. */
function appRelease(prefix: string, lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const release = [
    'repositories:',
    '  - { name: bitnami, url: https://charts.bitnami.com/bitnami }',
    'releases:',
    '  - name: app',
    '    namespace: shop',
    '    chart: bitnami/nginx@18.1.0',
  ];
  writeFileSync(join(dir, 'releases.yaml'), [...release, ...lines, ''].join('\n'));
  return dir;
}

// Every export goes to a scratch copy of the shipped system, so nothing is written into the repository.
const scratch = copyShippedSystem;

describe('export flux for the shipped Online Boutique', () => {
  const system = scratch();
  const { summary, objects, of, files } = exported('flux', 'prod', system.dir);
  const helmReleases = objects.filter((object) => object.kind === 'HelmRelease');

  it('writes one HelmRelease per release installed in prod, a GitRepository for the local charts and a kustomization.yaml of them all', () => {
    expect(helmReleases.map((object) => object.metadata.name)).toEqual(prodReleases);
    expect(objects.filter((object) => object.kind === 'GitRepository')).toEqual([
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name: 'boutique', namespace: 'flux-system' },
        spec: { interval: '10m', url: git.url, ref: { branch: 'main' } },
      },
    ]);
    expect(objects.find((object) => object.kind === 'Kustomization')).toMatchObject({
      resources: ['sources.yaml', ...prodReleases.map((name) => `${name}.yaml`)],
    });
    expect([...files.keys()].sort()).toEqual(
      ['kustomization.yaml', 'sources.yaml', ...prodReleases.map((name) => `${name}.yaml`)].sort(),
    );
    expect(summary.notes).toEqual([]);
  });

  it('passes the HelmRelease, GitRepository and Kustomization schemas', () => {
    expect(objects.length).toBe(prodReleases.length + 2);
    for (const object of objects) expect(schemaErrors(object), `${object.kind}/${object.metadata?.name}`).toEqual([]);
    const frontend = of('HelmRelease', 'frontend');
    expect(schemaErrors({ ...frontend, spec: { ...frontend.spec, maxHistroy: 3 } })).toEqual([
      '/spec must NOT have additional properties',
    ]);
  });

  it('mirrors needs in dependsOn, and carries timeout, history, namespace creation and remediation over', () => {
    for (const release of helmReleases) {
      const name = release.metadata.name;
      const dependsOn = (release.spec.dependsOn ?? []) as { name: string; namespace: string }[];
      expect(
        dependsOn.map((ref) => ref.name),
        name,
      ).toEqual(needs[name] ?? []);
      for (const ref of dependsOn) expect(ref.namespace).toBe('flux-system');
      expect(release.spec).toMatchObject({
        interval: '10m',
        releaseName: name,
        targetNamespace: 'boutique',
        storageNamespace: 'boutique',
        timeout: '300s',
        maxHistory: 10,
        chart: {
          spec: {
            chart: './boutique/charts/' + (name === 'redis-cart' ? 'redis' : 'microservice'),
            sourceRef: { kind: 'GitRepository', name: 'boutique', namespace: 'flux-system' },
            reconcileStrategy: 'Revision',
          },
        },
        install: { createNamespace: true, remediation: { retries: 0, remediateLastFailure: false } },
        upgrade: { remediation: { retries: 0, remediateLastFailure: false, strategy: 'rollback' } },
      });
      expect(release.spec.install.disableWait).toBeUndefined();
    }
  });

  it("inlines boutique's merged values: the release's file, then the prod overlay", () => {
    const values = (name: string) => of('HelmRelease', name).spec.values;
    expect(values('frontend').image).toEqual({
      repository: 'us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/frontend',
      tag: 'v0.10.6',
    });
    expect(values('redis-cart')).toMatchObject({
      persistence: { enabled: true, size: '1Gi' },
      networkPolicy: { enabled: true },
    });
    for (const release of helmReleases)
      expect(release.spec.values, release.metadata.name).toMatchObject({ partOf: 'online-boutique' });
  });
});

describe('export argocd for the shipped Online Boutique', () => {
  const system = scratch();
  const { summary, objects, of } = exported('argocd', 'staging', system.dir);
  const apps = objects.filter((object) => object.metadata.name !== 'boutique-staging');

  it('writes an Application per release with sync waves from needs, and an app-of-apps root', () => {
    const waves = Object.fromEntries(
      apps.map((app) => [
        app.metadata.name.replace(/^staging-/, ''),
        Number(app.metadata.annotations!['argocd.argoproj.io/sync-wave']),
      ]),
    );
    expect(waves).toEqual({
      'redis-cart': 0,
      adservice: 0,
      currencyservice: 0,
      emailservice: 0,
      paymentservice: 0,
      productcatalogservice: 0,
      shippingservice: 0,
      cartservice: 1,
      recommendationservice: 1,
      checkoutservice: 2,
      frontend: 3,
      loadgenerator: 4,
    });
    for (const [name, needed] of Object.entries(needs))
      for (const need of needed) expect(waves[name]!, `${name} after ${need}`).toBeGreaterThan(waves[need]!);
    expect(of('Application', 'boutique-staging').spec).toEqual({
      project: 'default',
      source: { repoURL: git.url, targetRevision: 'main', path: 'boutique/clusters/staging/argocd/apps' },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    for (const object of objects) expect(schemaErrors(object), object.metadata.name).toEqual([]);
  });

  it("points each Application at the chart and at boutique's values files in their layer order", () => {
    expect(of('Application', 'staging-frontend').spec).toEqual({
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'boutique-staging' },
      sources: [
        {
          repoURL: git.url,
          path: 'boutique/charts/microservice',
          targetRevision: 'main',
          helm: {
            releaseName: 'frontend',
            valueFiles: ['$values/boutique/values/frontend.yaml', '$values/boutique/values/staging/frontend.yaml'],
          },
        },
        { repoURL: git.url, targetRevision: 'main', ref: 'values' },
      ],
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
      },
      revisionHistoryLimit: 10,
    });
  });

  it('reports per release what Argo CD cannot express', () => {
    expect(
      summary.notes.filter((note) => note.release === 'boutique-staging/frontend').map((note) => note.feature),
    ).toEqual(['timeout', 'historyMax']);
    expect(new Set(summary.notes.map((note) => note.release)).size).toBe(apps.length);
  });
});

describe('export of versions files and secret values', () => {
  it('carries the versions file as values, after the overlay', () => {
    const system = scratch();
    mkdirSync(join(system.dir, 'versions'));
    writeFileSync(
      join(system.dir, 'versions/staging.yaml'),
      'frontend: "3f2a1c9"\nredis-cart: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"\n',
    );
    const flux = exported('flux', 'staging', system.dir);
    expect(flux.of('HelmRelease', 'frontend').spec.values.image.tag).toBe('3f2a1c9');
    expect(flux.of('HelmRelease', 'redis-cart').spec.values.image).toMatchObject({
      tag: 'alpine',
      digest: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    });
    const argo = exported('argocd', 'staging', system.dir);
    expect(argo.of('Application', 'staging-frontend').spec.sources[0].helm.valuesObject).toEqual({
      image: { tag: '3f2a1c9' },
    });
  });

  it('never writes a secret value: Flux reads it from a Secret, Argo CD says it is left out', () => {
    const system = scratch();
    const secret = 'hunter2-Very-Secret';
    system.edit('releases.yaml', (text) =>
      text.replace(
        '    values: [values/frontend.yaml]\n',
        `    values: [values/frontend.yaml]\n    set:\n      - { name: podAnnotations.session-key, value: ${secret}, secret: true }\n      - { name: replicaCount, value: 2 }\n`,
      ),
    );
    for (const engine of ['flux', 'argocd'] as const) {
      const { files, summary } = exported(engine, 'prod', system.dir);
      const all = [...files.values()].join('\n');
      expect(all).not.toContain(secret);
      expect(all).not.toContain(Buffer.from(secret).toString('base64'));
      expect(summary.notes).toContainEqual(
        expect.objectContaining({ release: 'boutique/frontend', feature: 'secret value' }),
      );
    }
    const flux = exported('flux', 'prod', system.dir);
    expect(flux.of('HelmRelease', 'frontend').spec.valuesFrom).toEqual([
      {
        kind: 'Secret',
        name: 'frontend-secret-values',
        valuesKey: 'podAnnotations.session-key',
        targetPath: 'podAnnotations.session-key',
      },
    ]);
    expect(flux.of('HelmRelease', 'frontend').spec.values.replicaCount).toBe(2);
    const argo = exported('argocd', 'prod', system.dir);
    expect(argo.of('Application', 'prod-frontend').spec.sources[0].helm.parameters).toEqual([
      { name: 'replicaCount', value: '2' },
    ]);
  });

  it('maps a value from a cluster Secret to valuesFrom of that Secret and key, and says what it cannot map', () => {
    const system = scratch();
    system.edit('releases.yaml', (text) =>
      text.replace(
        '    values: [values/frontend.yaml]\n',
        '    values: [values/frontend.yaml]\n    set:\n      - { name: podAnnotations.db, valueFrom: { secret: flux-system/db-admin, key: password } }\n      - { name: podAnnotations.cache, valueFrom: { secret: boutique/cache, key: token } }\n      - { name: podAnnotations.api, valueFrom: { env: BOUTIQUE_EXPORT_TEST_KEY } }\n',
      ),
    );
    process.env.BOUTIQUE_EXPORT_TEST_KEY = 'from-the-environment-1234';
    try {
      const { files, summary } = exported('flux', 'prod', system.dir);
      expect([...files.values()].join('\n')).not.toContain('from-the-environment-1234');
      const flux = exported('flux', 'prod', system.dir);
      expect(flux.of('HelmRelease', 'frontend').spec.valuesFrom).toEqual([
        { kind: 'Secret', name: 'db-admin', valuesKey: 'password', targetPath: 'podAnnotations.db' },
        { kind: 'Secret', name: 'cache', valuesKey: 'token', targetPath: 'podAnnotations.cache' },
        {
          kind: 'Secret',
          name: 'frontend-secret-values',
          valuesKey: 'podAnnotations.api',
          targetPath: 'podAnnotations.api',
        },
      ]);
      expect(
        summary.notes
          .filter((note) => note.release === 'boutique/frontend' && /valueFrom|secret/.test(note.feature))
          .map((note) => note.detail),
      ).toEqual([
        "set podAnnotations.cache reads Secret boutique/cache, but Flux reads valuesFrom only from the HelmRelease's namespace flux-system: copy the Secret to flux-system/cache (or reflect it there)",
        'set podAnnotations.api (boutique reads it from the environment variable BOUTIQUE_EXPORT_TEST_KEY) comes from Secret flux-system/frontend-secret-values key podAnnotations.api: create it there (SOPS, Sealed Secrets, External Secrets)',
      ]);
    } finally {
      delete process.env.BOUTIQUE_EXPORT_TEST_KEY;
    }
  });

  it('replaces only the files an earlier export wrote', () => {
    const system = scratch();
    const dir = join(system.dir, 'clusters', 'prod', 'flux');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'kept\n');
    writeFileSync(join(dir, 'extra.yaml'), 'kind: ConfigMap\n');
    exported('flux', 'prod', system.dir);
    system.edit('releases.yaml', (text) =>
      text.replace(
        '  - name: adservice\n    chart: ./charts/microservice\n    values: [values/adservice.yaml]\n',
        '  - name: adservice\n    chart: ./charts/microservice\n    values: [values/adservice.yaml]\n    installed: false\n',
      ),
    );
    exported('flux', 'prod', system.dir);
    expect(readdirSync(dir)).not.toContain('adservice.yaml');
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['README.md', 'extra.yaml', 'frontend.yaml']));
  });

  it('has CRDs for every custom kind it exports', () => {
    expect(customResourceDefinitions().map((crd) => (crd as { metadata: { name: string } }).metadata.name)).toEqual([
      'helmreleases.helm.toolkit.fluxcd.io',
      'gitrepositories.source.toolkit.fluxcd.io',
      'helmrepositories.source.toolkit.fluxcd.io',
      'ocirepositories.source.toolkit.fluxcd.io',
      'applications.argoproj.io',
    ]);
  });
});

describe('export of repository and OCI charts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-export-'));
  writeFileSync(
    join(dir, 'releases.yaml'),
    [
      'repositories:',
      '  - { name: bitnami, url: https://charts.bitnami.com/bitnami }',
      'releases:',
      '  - { name: db, namespace: data, chart: bitnami/postgresql@15.5.0, atomic: true, wait: false, timeout: 5m, historyMax: 3, createNamespace: false }',
      '  - { name: cache, namespace: data, chart: "oci://registry-1.docker.io/bitnamicharts/valkey", version: 2.4.1, needs: [db] }',
      '',
    ].join('\n'),
  );
  const flux = exported('flux', 'default', dir);
  const argo = exported('argocd', 'default', dir);

  it('reads a repository chart from a HelmRepository and an OCI chart from an OCIRepository', () => {
    expect(flux.of('HelmRepository', 'bitnami').spec).toEqual({
      interval: '10m',
      url: 'https://charts.bitnami.com/bitnami',
    });
    expect(flux.of('OCIRepository', 'valkey').spec).toEqual({
      interval: '10m',
      url: 'oci://registry-1.docker.io/bitnamicharts/valkey',
      ref: { tag: '2.4.1' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    expect(flux.of('HelmRelease', 'db').spec.chart).toEqual({
      spec: {
        chart: 'postgresql',
        version: '15.5.0',
        sourceRef: { kind: 'HelmRepository', name: 'bitnami', namespace: 'flux-system' },
      },
    });
    expect(flux.of('HelmRelease', 'cache').spec).toMatchObject({
      chartRef: { kind: 'OCIRepository', name: 'valkey', namespace: 'flux-system' },
      dependsOn: [{ name: 'db', namespace: 'flux-system' }],
    });
    for (const object of [...flux.objects, ...argo.objects])
      expect(schemaErrors(object), `${object.kind}/${object.metadata?.name}`).toEqual([]);
  });

  it('carries atomic, wait: false, timeout, history and createNamespace: false over to Flux', () => {
    expect(flux.of('HelmRelease', 'db').spec).toMatchObject({
      timeout: '5m',
      maxHistory: 3,
      install: { createNamespace: false, disableWait: true, remediation: { retries: 0, remediateLastFailure: true } },
      upgrade: { disableWait: true, remediation: { retries: 0, remediateLastFailure: true, strategy: 'rollback' } },
    });
  });

  it('names the chart repositories in Argo CD, and reports atomic and wait: false as not expressible there', () => {
    expect(argo.of('Application', 'default-db').spec.sources).toEqual([
      {
        repoURL: 'https://charts.bitnami.com/bitnami',
        chart: 'postgresql',
        targetRevision: '15.5.0',
        helm: { releaseName: 'db' },
      },
    ]);
    expect(argo.of('Application', 'default-cache').spec.sources[0]).toMatchObject({
      repoURL: 'registry-1.docker.io/bitnamicharts',
      chart: 'valkey',
      targetRevision: '2.4.1',
    });
    expect(argo.of('Application', 'default-db').spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
    expect(argo.summary.notes.filter((note) => note.release === 'data/db').map((note) => note.feature)).toEqual([
      'atomic',
      'timeout',
      'wait',
      'historyMax',
    ]);
  });
});

describe('export of secret values at list-indexed and escaped-dot --set paths', () => {
  // The same paths also held by inline values: the secret set wins over them in boutique, so the export must drop
  // them there too, following helm's --set path syntax (list indexes, escaped dots) as boutique's own --set does.
  const secrets = { token: 'tok-Secret-7f3a', annotation: 'ann-Secret-9c2e', password: 'pw-Secret-41bd' };
  const dir = appRelease('boutique-export-secrets-', [
    '    values:',
    '      - auth: { user: admin, password: ' + secrets.password + ' }',
    '        users: [{ name: alice, token: ' + secrets.token + ' }, { name: bob, token: bob-token-kept }]',
    '        annotations: { example.com/key: ' +
      secrets.annotation +
      ', example.com/team: shop, example: { com/key: dotted-kept } }',
    '    set:',
    "      - { name: 'users[0].token', value: " + secrets.token + ', secret: true }',
    "      - { name: 'annotations.example\\.com/key', value: " + secrets.annotation + ', secret: true }',
    '      - { name: auth.password, value: ' + secrets.password + ', secret: true }',
    '      - { name: replicaCount, value: 2 }',
  ]);
  const kept = {
    auth: { user: 'admin' },
    users: [{ name: 'alice' }, { name: 'bob', token: 'bob-token-kept' }],
    annotations: { 'example.com/team': 'shop', example: { 'com/key': 'dotted-kept' } },
  };

  for (const engine of engines) {
    it(`${engine}: no exported document holds a secret value, and the values beside them are kept`, () => {
      const { files, objects, summary } = exported(engine, 'default', dir);
      const texts = [
        ...files.values(),
        ...objects.map((object) => JSON.stringify(object)),
        ...objects.map((object) => stringify(object)),
        JSON.stringify(summary),
      ];
      const leaked = Object.entries(secrets).filter(([, secret]) =>
        texts.some((text) => text.includes(secret) || text.includes(Buffer.from(secret).toString('base64'))),
      );
      expect(
        leaked.map(([name]) => name),
        `${engine}: secret values in the exported documents`,
      ).toEqual([]);
      const values =
        engine === 'flux'
          ? objects.find((object) => object.kind === 'HelmRelease')!.spec.values
          : objects.find((object) => object.metadata.name === 'default-app')!.spec.sources[0].helm.valuesObject;
      expect(values).toEqual(engine === 'flux' ? { ...kept, replicaCount: 2 } : kept);
      expect(summary.notes.filter((note) => note.feature === 'secret value').map((note) => note.detail)).toEqual([
        expect.stringContaining('set users[0].token '),
        expect.stringContaining('set annotations.example\\.com/key '),
        expect.stringContaining('set auth.password '),
      ]);
    });
  }

  it('flux: reads each secret from the Secret at its --set path', () => {
    const { of } = exported('flux', 'default', dir);
    expect(of('HelmRelease', 'app').spec.valuesFrom.map((ref: { targetPath: string }) => ref.targetPath)).toEqual([
      'users[0].token',
      'annotations.example\\.com/key',
      'auth.password',
    ]);
  });

  it('flux: names each secret by a key a Secret can hold, and the note asks for that same key', () => {
    const { of, objects, summary } = exported('flux', 'default', dir);
    for (const object of objects) expect(schemaErrors(object), `${object.kind}/${object.metadata?.name}`).toEqual([]);
    const refs = of('HelmRelease', 'app').spec.valuesFrom as {
      kind: string;
      name: string;
      valuesKey: string;
      targetPath: string;
    }[];
    expect(refs.map((ref) => ref.targetPath)).toEqual([
      'users[0].token',
      'annotations.example\\.com/key',
      'auth.password',
    ]);
    expect(refs.map((ref) => ref.valuesKey)).toEqual([
      'users_0_.token',
      'annotations.example_.com_key',
      'auth.password',
    ]);
    for (const ref of refs) {
      // The HelmRelease CRD's valuesKey and a Secret's data keys (IsConfigMapKey) accept the same keys.
      expect(ref.valuesKey, ref.targetPath).toMatch(/^[-._a-zA-Z0-9]+$/);
      expect(ref.valuesKey.length, ref.targetPath).toBeLessThanOrEqual(253);
      expect(ref.valuesKey.startsWith('..'), ref.targetPath).toBe(false);
      expect(ref).toMatchObject({ kind: 'Secret', name: 'app-secret-values' });
    }
    expect(new Set(refs.map((ref) => ref.valuesKey)).size).toBe(refs.length);
    expect(summary.notes.filter((note) => note.feature === 'secret value').map((note) => note.detail)).toEqual(
      refs.map(
        (ref) =>
          `set ${ref.targetPath} comes from Secret flux-system/app-secret-values key ${ref.valuesKey}: create it there (SOPS, Sealed Secrets, External Secrets)`,
      ),
    );
  });
});

describe('export of a secret set past the end of a list the values hold', () => {
  it('flux: grows the list in spec.values with null, so the targetPath is set inside it and not replaced by it', () => {
    const dir = appRelease('boutique-export-list-', [
      '    values:',
      '      - { users: [{ name: alice }], nested: { hosts: [a] } }',
      '    set:',
      "      - { name: 'users[2].token', value: t0k3n-never-written, secret: true }",
      "      - { name: 'nested.hosts[1]', value: h0st-never-written, secret: true }",
    ]);
    const { of, files } = exported('flux', 'default', dir);
    const spec = of('HelmRelease', 'app').spec;
    // helm-controller sets a targetPath into the values it merged from spec.values, then merges spec.values over the
    // result again: a list the set had to grow would come back at its old length, without the secret.
    expect(spec.values).toEqual({ users: [{ name: 'alice' }, null, null], nested: { hosts: ['a', null] } });
    expect(spec.valuesFrom.map((ref: { targetPath: string }) => ref.targetPath)).toEqual([
      'users[2].token',
      'nested.hosts[1]',
    ]);
    expect([...files.values()].some((text) => text.includes('never-written'))).toBe(false);
  });
});

describe('export of a secret set value no targetPath can name', () => {
  it('flux: refuses it at its line of releases.yaml and writes nothing; argocd, which leaves secrets out, exports', () => {
    const dir = appRelease('boutique-export-targetpath-', [
      '    set:',
      "      - { name: 'users[0].token', value: fine, secret: true }",
      "      - { name: 'config.listen:port', value: '8080', secret: true }",
      "      - { name: 'users[123456].token', value: too-far, secret: true }",
      "      - { name: 'config.listen:host', value: not-secret }",
    ]);
    const config = loadConfig(join(dir, 'releases.yaml'), 'default');
    const plan = buildPlan(config, { selectors: [], includeNeeds: false });
    const outputDir = join(dir, 'clusters', 'flux');
    let error: unknown;
    try {
      exportReleases(config, plan, { engine: 'flux', outputDir, git, interval: '10m' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(({ line, column, path }) => ({ line, column, path }))).toEqual([
      { line: 9, column: 17, path: '/releases/0/set/1/name' },
      { line: 10, column: 17, path: '/releases/0/set/2/name' },
    ]);
    expect((error as ConfigError).issues[0]!.message).toContain(
      'shop/app: the secret set value "config.listen:port" cannot be exported to Flux',
    );
    expect(existsSync(outputDir)).toBe(false);
    expect(
      exportReleases(config, plan, {
        engine: 'argocd',
        outputDir: join(dir, 'clusters', 'argocd'),
        git,
        interval: '10m',
      }).files.length,
    ).toBeGreaterThan(0);
  });
});

describe('Secret keys of secret set values', () => {
  const valid = (key: string) =>
    /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253 && key !== '.' && !key.startsWith('..');

  it('keeps a name that is a key already, and writes _ for each other character', () => {
    expect(['auth.password', 'podAnnotations.session-key', 'a_b-c.D9'].map(secretKey)).toEqual([
      'auth.password',
      'podAnnotations.session-key',
      'a_b-c.D9',
    ]);
    expect(secretKey('users[0].token')).toBe('users_0_.token');
    expect(secretKey('annotations.example\\.com/key')).toBe('annotations.example_.com_key');
    expect(secretKey('labels.app\\.kubernetes\\.io/name')).toBe('labels.app_.kubernetes_.io_name');
    expect(secretKey('a.ünïcode😀')).toBe('a._n_code_');
  });

  it('gives a key Kubernetes accepts for any name: not ".", not starting with "..", at most 253 characters', () => {
    for (const name of ['.', '..', '..x', 'a'.repeat(300), `x[${'9'.repeat(300)}]`, ' '])
      expect(valid(secretKey(name)), name).toBe(true);
    expect(secretKey('..x')).toBe('_.x');
  });

  it('gives distinct names distinct keys in a release, the same way every time, and never changes a name that is a key already', () => {
    expect(secretKeys(['a[0]', 'a(0)', 'a{0}'])).toEqual(
      new Map([
        ['a[0]', 'a_0_'],
        ['a(0)', 'a_0_-2'],
        ['a{0}', 'a_0_-3'],
      ]),
    );
    // A name that is a key already keeps it, even when a name before it comes out the same.
    expect(secretKeys(['users[0].token', 'users_0_.token'])).toEqual(
      new Map([
        ['users[0].token', 'users_0_.token-2'],
        ['users_0_.token', 'users_0_.token'],
      ]),
    );
    expect(secretKeys(['a[0]', 'a_0_-2', 'a(0)'])).toEqual(
      new Map([
        ['a[0]', 'a_0_'],
        ['a_0_-2', 'a_0_-2'],
        ['a(0)', 'a_0_-3'],
      ]),
    );
    expect(secretKeys(['x', 'x'])).toEqual(new Map([['x', 'x']]));
    const long = secretKeys([`${'a'.repeat(260)}[0]`, `${'a'.repeat(260)}[1]`]);
    expect([...long.values()].every(valid)).toBe(true);
    expect(new Set(long.values()).size).toBe(2);
  });
});

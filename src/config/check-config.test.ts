import { describe, expect, it } from 'vitest';
import { formatIssue } from '../errors.js';
import { checkConfig } from './load.js';
import { normalize } from './normalize.js';
import type { FileProbe } from './file-probe.js';

const existing = new Set([
  '/repo/charts/app/Chart.yaml',
  '/repo/values/web.yaml',
  '/repo/values/api.yaml',
  '/repo/values/prod/web.yaml',
  '/repo/values/prod/common.yaml',
]);
const files: FileProbe = {
  isFile: (path) => existing.has(path),
  isDirectory: (path) => [...existing].some((file) => file.startsWith(`${path}/`)),
  readText: () => 'replicas: 1\n',
};

function check(text: string, environment = 'default') {
  return checkConfig(text, { file: 'releases.yaml', baseDir: '/repo', environment, files });
}

function messages(text: string, environment = 'default'): string[] {
  return check(text, environment).issues.map(formatIssue);
}

const valid = `repositories:
  - { name: bitnami, url: https://charts.bitnami.com/bitnami }
environments:
  prod:
    namespace: shop
    production: true
    values: [values/prod/common.yaml]
defaults:
  namespace: apps
  timeout: 5m
releases:
  - name: db
    chart: bitnami/postgresql
    version: 15.5.0
  - name: api
    chart: ./charts/app
    values: [values/api.yaml, {replicas: 2}]
    needs: [db]
    set:
      - { name: image.tag, value: abc123 }
  - name: web
    chart: ./charts/app
    values: [values/web.yaml]
    needs: [api]
    installed: { prod: true, default: false }
`;

describe('checkConfig', () => {
  it('accepts a valid file and normalizes it for an environment', () => {
    const { raw, issues } = check(valid, 'prod');
    expect(issues).toEqual([]);
    const config = normalize(raw!, { file: 'releases.yaml', baseDir: '/repo', environment: 'prod', files });
    expect(config.releases.map((release) => release.id)).toEqual(['shop/db', 'shop/api', 'shop/web']);
    const [db, api, web] = config.releases;
    expect(db!.chart).toEqual({
      kind: 'repository',
      name: 'bitnami/postgresql',
      version: '15.5.0',
      repository: { name: 'bitnami', url: 'https://charts.bitnami.com/bitnami' },
    });
    expect(api!.chart).toEqual({ kind: 'local', path: '/repo/charts/app' });
    expect(api!.needs).toEqual(['shop/db']);
    expect(api!.timeout).toBe('5m');
    expect(api!.values).toEqual([
      { kind: 'file', path: '/repo/values/api.yaml' },
      { kind: 'file', path: '/repo/values/prod/common.yaml' },
      { kind: 'inline', values: { replicas: 2 }, source: '/releases/1/values/1' },
    ]);
    // The overlay values/prod/web.yaml exists, so it layers above the release's and the environment's files.
    expect(web!.values).toEqual([
      { kind: 'file', path: '/repo/values/web.yaml' },
      { kind: 'file', path: '/repo/values/prod/common.yaml' },
      { kind: 'file', path: '/repo/values/prod/web.yaml' },
    ]);
    expect(web!.installed).toBe(true);
    expect(config.environment).toEqual({
      name: 'prod',
      namespace: 'shop',
      kubeContext: undefined,
      production: true,
      lockNamespace: 'default',
      versionsFile: '/repo/versions/prod.yaml',
    });
  });

  it('uses defaults in the default environment', () => {
    const { raw } = check(valid);
    const config = normalize(raw!, { file: 'releases.yaml', baseDir: '/repo', environment: 'default', files });
    expect(config.releases.map((release) => [release.id, release.installed])).toEqual([
      ['apps/db', true],
      ['apps/api', true],
      ['apps/web', false],
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(messages('releases:\n  - name: a\n    chart: [unclosed\n')[0]).toMatch(
      /^releases\.yaml:4:1: invalid YAML: /,
    );
  });

  it('reports duplicate keys as YAML errors', () => {
    expect(messages('releases: []\nreleases: []\n')).toEqual([
      'releases.yaml:2:1: invalid YAML: the key "releases" appears twice in the same map\n  hint: remove one of the two, or merge their contents: the second would silently replace the first',
    ]);
  });

  it('names an unknown key with its position and the closest allowed key', () => {
    const text = 'releases:\n  - name: a\n    chart: ./charts/app\n    neds: [b]\n';
    expect(messages(text)).toEqual([
      'releases.yaml:4:5: unknown key "neds" in releases[0]\n  hint: did you mean "needs"?',
    ]);
  });

  it('reports wrong types at the value', () => {
    const text = 'defaults:\n  wait: "yes"\nreleases:\n  - name: a\n    chart: ./charts/app\n    timeout: soon\n';
    expect(messages(text)).toEqual([
      'releases.yaml:2:9: defaults.wait must be a boolean, not string "yes"\n  hint: write true or false, without quotes',
      'releases.yaml:6:14: releases[0].timeout must be a number of seconds or a duration such as 90s, 5m or 1h30m\n  hint: write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
    ]);
  });

  it('reports a missing required key at the release', () => {
    expect(messages('releases:\n  - name: a\n')).toEqual([
      'releases.yaml:2:5: releases[0] is missing the required key "chart"\n  hint: add chart: with a local path (./charts/web), repo/chart@version or oci://registry/path/chart@version',
    ]);
  });

  it('reports duplicate releases at the second one', () => {
    const text = 'releases:\n  - name: a\n    chart: ./charts/app\n  - name: a\n    chart: ./charts/app\n';
    expect(messages(text)).toEqual([
      'releases.yaml:4:11: duplicate release default/a (first declared on line 2)\n  hint: rename one of them or put them in different namespaces',
    ]);
  });

  it('suggests the closest release for a need that names none', () => {
    const text =
      'releases:\n  - name: redis-cart\n    chart: ./charts/app\n  - name: cart\n    chart: ./charts/app\n    needs: [redis-crat]\n';
    expect(messages(text)).toEqual([
      'releases.yaml:6:13: release default/cart needs "redis-crat", but no release has that name\n  hint: did you mean "redis-cart"? Perhaps you made a typo in needs or forgot to declare the release',
    ]);
  });

  it('prints a cycle as a path', () => {
    const text =
      'releases:\n  - name: a\n    chart: ./charts/app\n    needs: [b]\n  - name: b\n    chart: ./charts/app\n    needs: [c]\n  - name: c\n    chart: ./charts/app\n    needs: [a]\n';
    expect(messages(text)).toEqual([
      'releases.yaml:4:5: needs form a cycle: default/a -> default/b -> default/c -> default/a\n  hint: remove one of these needs: a release cannot wait for itself',
    ]);
  });

  it('reports a missing environment values file', () => {
    const text = 'environments:\n  dev:\n    values: [values/dev/all.yaml]\nreleases: []\n';
    expect(messages(text)).toEqual([
      'releases.yaml:3:14: values file values/dev/all.yaml does not exist\n  hint: paths are relative to /repo',
    ]);
  });

  it('reports a missing chart directory and a missing values file', () => {
    const text = 'releases:\n  - name: a\n    chart: ./charts/nope\n    values: [values/nope.yaml]\n';
    expect(messages(text)).toEqual([
      'releases.yaml:3:12: chart directory ./charts/nope does not exist\n  hint: paths are relative to /repo',
      'releases.yaml:4:14: values file values/nope.yaml does not exist\n  hint: paths are relative to /repo',
    ]);
  });

  it('rejects names that are not DNS-1123', () => {
    const text = 'releases:\n  - name: Web_App\n    namespace: Shop\n    chart: ./charts/app\n';
    expect(messages(text)).toEqual([
      'releases.yaml:2:11: release name "Web_App" is not a valid DNS-1123 name\n  hint: use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 53 characters',
      'releases.yaml:3:16: releases[0].namespace "Shop" is not a valid DNS-1123 label\n  hint: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    ]);
  });

  it('reports an unknown environment with the closest declared one', () => {
    expect(messages(valid, 'prood')).toEqual([
      'releases.yaml:3:1: environment "prood" is not declared\n  hint: did you mean "prod"?',
    ]);
  });

  it('reports an installed map naming an undeclared environment', () => {
    const text =
      'environments:\n  prod: {}\nreleases:\n  - name: a\n    chart: ./charts/app\n    installed: { prd: false }\n';
    expect(messages(text)).toEqual([
      'releases.yaml:6:18: installed names environment "prd", which is not declared\n  hint: did you mean "prod"?',
    ]);
  });

  it('reports an unknown lint rule id with the closest one', () => {
    const text = 'lint:\n  rules:\n    probe-prot: off\nreleases: []\n';
    expect(messages(text)).toEqual([
      'releases.yaml:3:5: unknown lint rule "probe-prot"\n  hint: did you mean "probe-port"?',
    ]);
  });

  it('reads a chart version written as chart@version', () => {
    const { raw, issues } = check(
      'repositories: [{ name: bitnami, url: "https://charts.bitnami.com/bitnami" }]\nreleases:\n  - name: db\n    chart: bitnami/postgresql@15.5.0\n  - name: cache\n    chart: oci://registry.example.com/charts/redis@1.2.3\n',
    );
    expect(issues).toEqual([]);
    const config = normalize(raw!, { file: 'releases.yaml', baseDir: '/repo', environment: 'default', files });
    expect(config.releases.map((release) => release.chart)).toEqual([
      {
        kind: 'repository',
        name: 'bitnami/postgresql',
        version: '15.5.0',
        repository: { name: 'bitnami', url: 'https://charts.bitnami.com/bitnami' },
      },
      { kind: 'oci', url: 'oci://registry.example.com/charts/redis', version: '1.2.3' },
    ]);
  });

  it('rejects a version given twice, a version on a local chart, and a chart of no known form', () => {
    const text =
      'repositories: [{ name: repo, url: "https://charts.example.com" }]\nreleases:\n  - name: a\n    chart: repo/a@1.0.0\n    version: 1.0.1\n  - name: b\n    chart: ./charts/app\n    version: 2.0.0\n  - name: c\n    chart: postgresql\n';
    expect(messages(text)).toEqual([
      'releases.yaml:5:14: the version is given twice: repo/a@1.0.0 and version: 1.0.1\n  hint: keep one of them',
      'releases.yaml:8:14: a local chart has no version to choose\n  hint: remove version:, or point chart: at a repository or OCI chart',
      'releases.yaml:10:12: chart "postgresql" is neither a local path, repo/chart nor oci://\n  hint: write ./path for a chart in this repository, repo/chart for a declared repository, or oci://registry/path/chart',
    ]);
  });

  it('requires the repository of a repo/chart to be declared', () => {
    const text =
      'repositories:\n  - { name: bitnami, url: "https://charts.bitnami.com/bitnami" }\nreleases:\n  - name: db\n    chart: bitnam/postgresql\n';
    expect(messages(text)).toEqual([
      'releases.yaml:5:12: chart bitnam/postgresql names repository "bitnam", which is not declared\n  hint: did you mean "bitnami"?',
    ]);
  });

  it('collects every issue at once, in file order', () => {
    const text =
      'releases:\n  - name: a\n    chart: ./charts/nope\n    wait: 1\n  - name: b\n    chart: ./charts/app\n    needs: [zzz]\n';
    expect(check(text).issues.map((issue) => issue.line)).toEqual([3, 4, 7]);
  });
});

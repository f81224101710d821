import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { convertHelmfile, renderReleasesYaml } from './helmfile.js';

const fixtures = join(import.meta.dirname, '../../test/fixtures/import');
const convert = (name: string, file = 'helmfile.yaml') =>
  convertHelmfile(readFileSync(join(fixtures, name, file), 'utf8'), {
    file,
    isDirectory: (path) => path === 'charts/catalog',
  });
// Every path is a file or folder, every file empty: enough for the checks that do not read values.
const everyFileExists = { isFile: () => true, isDirectory: () => true, readText: () => '' };

describe('convertHelmfile', () => {
  it('converts repositories, helmDefaults, environments, releases, needs, values, set and labels', async () => {
    const result = convert('constructs');
    await expect(renderReleasesYaml(result, 'helmfile.yaml')).toMatchFileSnapshot(
      join(fixtures, 'constructs', 'releases.yaml'),
    );
    const { releasesFile } = result;
    expect(releasesFile.repositories).toEqual([
      { name: 'bitnami', url: 'https://charts.bitnami.com/bitnami' },
      { name: 'private', url: 'https://charts.example.com' },
    ]);
    expect(releasesFile.defaults).toEqual({
      wait: true,
      timeout: 600,
      atomic: true,
      createNamespace: false,
      historyMax: 5,
    });
    // helmDefaults.kubeContext fills every environment that names none.
    expect(releasesFile.environments).toEqual({
      dev: { kubeContext: 'kind-dev' },
      staging: { kubeContext: 'kind-shop' },
      prod: { kubeContext: 'kind-shop' },
    });
    expect(releasesFile.lint).toEqual({ kubeVersion: '1.35' });
    const [redis, cart, frontend, catalog] = releasesFile.releases;
    expect(redis).toEqual({
      name: 'redis',
      chart: 'bitnami/redis',
      namespace: 'data',
      version: '19.6.0',
      labels: { team: 'shop', tier: 'infra' },
      set: [
        { name: 'auth.enabled', value: false },
        { name: 'architecture', value: 'standalone' },
      ],
    });
    // Inline values keep their place among the files; helmfile sets commonLabels over a release's own labels.
    expect(cart).toMatchObject({
      values: ['values/cart.yaml', { replicaCount: 2, image: { tag: '1.10' } }],
      needs: ['data/redis'],
      labels: { team: 'shop', tier: 'app' },
      timeout: 120,
    });
    expect(frontend).toMatchObject({
      chart: 'oci://ghcr.io/example/charts/frontend',
      version: '2.1.0',
      needs: ['cart', 'shop/catalog'],
      installed: false,
    });
    expect(catalog!.chart).toBe('./charts/catalog');
    // What it writes is a releases.yaml boutique accepts as it stands.
    expect(
      checkConfig(renderReleasesYaml(result, 'helmfile.yaml'), {
        file: 'releases.yaml',
        baseDir: '/',
        environment: 'prod',
        files: everyFileExists,
      }).issues,
    ).toEqual([]);
  });

  it('lists exactly what it left out, by line', () => {
    expect(convert('constructs').notes.map(({ line, message }) => `${line}: ${message.split(':')[0]}`)).toEqual([
      '10: repository private',
      '11: repository private',
      '20: helmDefaults.verify is not converted',
      '29: environments.prod.secrets',
      '49: release redis',
      '60: release cart',
      '67: release cart',
      '76: release frontend',
      '78: release frontend',
      '83: release frontend',
      '84: release frontend',
      '92: release catalog',
    ]);
    const messages = convert('constructs').notes.map((note) => note.message);
    expect(messages).toContain(
      'release frontend: hooks (presync, postsync): boutique runs no hooks: use a Job with helm.sh/hook annotations in the chart, or a CI step',
    );
    expect(messages).toContain(
      'release cart: secrets: boutique has no secrets backend (helm-secrets, vals): decrypt in CI into a values file, or use set with secret: true',
    );
    expect(messages).toContain(
      'release cart: values[2]: values file values/cart.yaml.gotmpl is a template: left out; render it once per environment into plain values files',
    );
    expect(messages).toContain(
      'release redis: set master.extraFlags with values: or file: is not converted: put it in a values file',
    );
  });

  it('reads a .gotmpl helmfile as a template: blocks on the environment become installed per environment, the rest is reported', () => {
    const result = convert('templated', 'helmfile.yaml.gotmpl');
    expect(result.notes.map((note) => [note.line, note.message.split(':')[0]])).toEqual([
      [9, 'bases'],
      [12, 'helmfiles'],
      [21, 'release api'],
    ]);
    expect(result.notes[2]!.message).toBe(
      'release api: set image.tag reads an environment variable ({{ requiredEnv "IMAGE_TAG" }}): not converted; pass it in CI with --set image.tag=…',
    );
    expect(result.releasesFile.releases).toEqual([
      // installed: {{ ne .Environment.Name "prod" | toYaml }}
      { name: 'api', chart: './charts/api', set: [{ name: 'replicaCount', value: 1 }], installed: { prod: false } },
      { name: 'api-canary', chart: './charts/api', installed: { default: false } },
      { name: 'worker', chart: './charts/worker', values: ['values/worker.yaml'] },
    ]);
    expect(result.releasesFile.environments).toEqual({ prod: {} });
  });

  it('rebases relative paths onto the folder of releases.yaml', () => {
    const result = convertHelmfile('releases:\n  - name: a\n    chart: ./charts/a\n    values: [values/a.yaml]\n', {
      file: 'deploy/helmfile.yaml',
      rebasePath: (path) => `./deploy/${path.replace(/^\.\//, '')}`,
    });
    expect(result.releasesFile.releases).toEqual([
      { name: 'a', chart: './deploy/charts/a', values: ['./deploy/values/a.yaml'] },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('refuses YAML it cannot parse, with the line', () => {
    expect(() => convertHelmfile('releases:\n  - name: a\n   chart: b\n', { file: 'helmfile.yaml' })).toThrow(
      ConfigError,
    );
    try {
      convertHelmfile('releases:\n  - name: a\n   chart: b\n', { file: 'helmfile.yaml' });
    } catch (error) {
      expect((error as ConfigError).issues[0]).toMatchObject({ file: 'helmfile.yaml', line: 3 });
    }
  });
});

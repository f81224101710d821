import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { freshCacheDir } from '../../test/support/cache-dir.js';
import { ConfigError } from '../errors.js';
import { rememberedParse } from './accepted.js';
import { loadConfig } from './load.js';
import { issueAt } from './parse.js';

const cache = freshCacheDir('boutique-accepted-');
let project: string;
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'boutique-project-'));
  mkdirSync(join(project, 'charts/web'), { recursive: true });
  writeFileSync(join(project, 'charts/web/Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  writeFileSync(join(project, 'charts/web/values.yaml'), 'replicaCount: 1\n');
  writeFileSync(
    join(project, 'charts/web/values.schema.json'),
    JSON.stringify({ type: 'object', properties: { replicaCount: { type: 'integer' } }, additionalProperties: false }),
  );
});

const accepted = () => readdirSync(join(cache(), 'accepted-configs'));
const load = (replicas: string) => {
  writeFileSync(
    join(project, 'releases.yaml'),
    `releases:\n  - name: web\n    chart: ./charts/web\n    values: [{ replicaCount: ${replicas} }]\n`,
  );
  return () => loadConfig(join(project, 'releases.yaml'), 'default');
};

describe('values a chart schema accepted before', () => {
  it('are remembered with the releases.yaml document; rejected ones never are, and are reported every time', () => {
    load('2')();
    // releases.yaml's document, the chart's values.yaml as a values file, and web's values against the schema.
    expect(accepted()).toHaveLength(3);
    load('2')();
    expect(accepted()).toHaveLength(3);
    const rejected = load('two');
    for (let run = 0; run < 2; run++) expect(rejected).toThrow(ConfigError);
    expect(() => rejected()).toThrow(/replicaCount must be an integer, not "two"/);
    // Only the new releases.yaml document was accepted; its values were not.
    expect(accepted()).toHaveLength(4);
  });

  it('never remembers a values file that does not parse, and reports it every time', () => {
    mkdirSync(join(project, 'values'));
    writeFileSync(join(project, 'values/web.yaml'), 'replicaCount: [1\n');
    writeFileSync(
      join(project, 'releases.yaml'),
      'releases:\n  - name: web\n    chart: ./charts/web\n    values: [values/web.yaml]\n',
    );
    const broken = () => loadConfig(join(project, 'releases.yaml'), 'default');
    for (let run = 0; run < 2; run++) expect(broken).toThrow(/values\/web\.yaml:2:1: invalid YAML/);
    // releases.yaml's document only.
    expect(accepted()).toHaveLength(1);
  });
});

describe('releases.yaml parsed before', () => {
  const remembered = () =>
    existsSync(join(cache(), 'parsed-configs')) ? readdirSync(join(cache(), 'parsed-configs')) : [];
  const text =
    'releases:\n  - name: web\n    chart: ./charts/web\n    values: [{ mode: 0755, enabled: no, at: 2024-01-01 }]\n';

  it('is read back as the value go-yaml gives, and its document, which locates issues, is parsed only when asked for', () => {
    const first = rememberedParse(text, 'releases.yaml');
    const again = rememberedParse(text, 'releases.yaml');
    expect(remembered()).toHaveLength(1);
    expect(again.value).toEqual(first.value);
    expect((again.value as { releases: { values: unknown[] }[] }).releases[0]!.values).toEqual([
      { mode: 493, enabled: false, at: '2024-01-01' },
    ]);
    expect(Object.getOwnPropertyDescriptor(again, 'doc')?.get).toBeDefined();
    expect(issueAt(again, ['releases', 0, 'chart'], 'here')).toMatchObject({ line: 3, column: 12 });
  });

  it('is never remembered with issues, or with a value JSON cannot carry', () => {
    expect(rememberedParse('releases: [\n', 'releases.yaml').issues).not.toHaveLength(0);
    expect(rememberedParse('releases: []\nlimit: .inf\n', 'releases.yaml').value).toEqual({
      releases: [],
      limit: Infinity,
    });
    expect(remembered()).toEqual([]);
    rememberedParse('releases: []\n', 'releases.yaml');
    expect(remembered()).toHaveLength(1);
  });
});

describe('secret values in the cache folder', () => {
  it('are never remembered, as a parsed file or as the name of an accepted input; the rest still is', () => {
    const sentinel = 'S3NT1NEL-accepted-5e0f';
    writeFileSync(
      join(project, 'releases.yaml'),
      `releases:\n  - name: web\n    chart: ./charts/web\n    set:\n      - { name: replicaCount, value: 2 }\n      - { name: token, value: ${sentinel}, secret: true }\n`,
    );
    const schema = JSON.stringify({ type: 'object', properties: { replicaCount: { type: 'integer' } } });
    writeFileSync(join(project, 'charts/web/values.schema.json'), schema);
    for (let run = 0; run < 2; run++) loadConfig(join(project, 'releases.yaml'), 'default');
    // Only the chart's values.yaml, which holds no secret, was remembered.
    expect(accepted()).toHaveLength(1);
    expect(existsSync(join(cache(), 'parsed-configs')) ? readdirSync(join(cache(), 'parsed-configs')) : []).toEqual([]);
  });
});

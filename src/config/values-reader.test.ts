import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { FileProbe } from './file-probe.js';
import { loadConfig, valuesReaderOf } from './load.js';
import { ValuesFileReader } from './values-reader.js';

function probe(texts: Record<string, string>): FileProbe & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    isFile: (path) => path in texts,
    isDirectory: (path) => Object.keys(texts).some((file) => file.startsWith(`${path}/`)),
    readText: (path) => (reads.push(path), texts[path]!),
  };
}

describe('the values reader', () => {
  it('reads values as go-yaml v2 does: YAML 1.1 octal and booleans, merge keys, an empty file as no values', () => {
    const files = probe({
      '/r/a.yaml': 'mode: 0755\nenabled: no\nbase: &b { x: 1 }\nover:\n  <<: *b\n  z: 2\n',
      '/r/empty.yaml': '',
    });
    const reader = new ValuesFileReader(files, (path) => path);
    expect(reader.values('/r/a.yaml')).toEqual({ mode: 493, enabled: false, base: { x: 1 }, over: { x: 1, z: 2 } });
    expect(reader.values('/r/empty.yaml')).toEqual({});
  });

  it('takes the last of two keys, as helm does, only where the run or the file allows it', () => {
    const files = probe({
      '/r/marked.yaml': '# boutique: allow-duplicate-keys\ntag: a\ntag: b\n',
      '/r/plain.yaml': 'tag: a\ntag: b\n',
    });
    expect(new ValuesFileReader(files, (path) => path).values('/r/marked.yaml')).toEqual({ tag: 'b' });
    expect(() => new ValuesFileReader(files, (path) => path).values('/r/plain.yaml')).toThrow(ConfigError);
    expect(new ValuesFileReader(files, (path) => path, true).values('/r/plain.yaml')).toEqual({ tag: 'b' });
  });

  it('refuses a file that is not a map, naming it as the user would', () => {
    const reader = new ValuesFileReader(probe({ '/r/list.yaml': '- a\n' }), () => 'values/list.yaml');
    expect(() => reader.values('/r/list.yaml')).toThrow(
      /values file values\/list.yaml must be a map of values, not a list/,
    );
  });

  it("is the loaded config's, shared by its releases, so a run reads each values file once", () => {
    const files = probe({
      '/r/releases.yaml':
        'releases:\n  - { name: web, namespace: shop, chart: ./charts/app, values: [values/web.yaml] }\n',
      '/r/charts/app/Chart.yaml': 'name: app\nversion: 1.0.0\n',
      '/r/values/web.yaml': '# boutique: allow-duplicate-keys\nreplicas: 1\nreplicas: 2\n',
    });
    const config = loadConfig('/r/releases.yaml', 'default', { files });
    const release = config.releases[0]!;
    expect(valuesReaderOf(release)).toBe(valuesReaderOf(config));
    expect(valuesReaderOf(release).values('/r/values/web.yaml')).toEqual({ replicas: 2 });
    valuesReaderOf(config).text('/r/values/web.yaml');
    expect(files.reads.filter((path) => path === '/r/values/web.yaml')).toHaveLength(1);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { createInputsHash } from './inputs-hash.js';

const chartYaml = 'apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n  - { name: cache, version: "^3", repository: "https://charts.example.com" }\n';

function vendor(chart: string, version: string): void {
  mkdirSync(join(chart, 'charts'), { recursive: true });
  const tar = createTar([{ name: 'cache/Chart.yaml', data: `apiVersion: v2\nname: cache\nversion: ${version}\n` }, { name: 'cache/templates/cm.yaml', data: `# ${version}\n` }]);
  writeFileSync(join(chart, 'charts', `cache-${version}.tgz`), gzipSync(tar));
}

const releaseOf = (path: string): Release =>
  ({ id: 'monitoring/stack', name: 'stack', namespace: 'monitoring', chart: { kind: 'local', path }, values: [], set: [], timeout: '300s', wait: true, historyMax: 3, createNamespace: false, atomic: false }) as unknown as Release;

const hashOf = (path: string) => createInputsHash()(releaseOf(path));

describe('createInputsHash, for a chart with vendored dependencies', () => {
  it('changes when a vendored dependency is replaced by another version', () => {
    const chart = mkdtempSync(join(tmpdir(), 'boutique-hash-'));
    writeFileSync(join(chart, 'Chart.yaml'), chartYaml);
    vendor(chart, '3.1.0');
    const before = hashOf(chart);
    rmSync(join(chart, 'charts', 'cache-3.1.0.tgz'));
    vendor(chart, '3.2.0');
    expect(hashOf(chart)).not.toBe(before);
  });

  it('stays the same when helm dependency build fetches what Chart.lock pins', () => {
    const chart = mkdtempSync(join(tmpdir(), 'boutique-hash-'));
    writeFileSync(join(chart, 'Chart.yaml'), chartYaml);
    writeFileSync(join(chart, 'Chart.lock'), 'dependencies:\n- name: cache\n  repository: https://charts.example.com\n  version: 3.2.0\ndigest: sha256:0\n');
    const unbuilt = hashOf(chart);
    vendor(chart, '3.2.0');
    expect(hashOf(chart)).toBe(unbuilt);
  });
});

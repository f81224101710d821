import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  chartVersion,
  describeUnmet,
  helmConstraint,
  needsDependencyBuild,
  unmetDependencies,
} from './chart-dependencies.js';

const satisfies = (constraint: string, version: string) => {
  const check = helmConstraint(constraint);
  if (!check) throw new Error(`constraint ${constraint} did not parse`);
  return check(chartVersion(version)!);
};

/** A chart folder from file texts; `packaged` entries become NAME-VERSION.tgz archives as helm package lays them out. */
function chart(
  files: Record<string, string>,
  packaged: { file: string; name: string; version: string }[] = [],
): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-deps-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  for (const { file, name, version } of packaged) {
    mkdirSync(join(dir, 'charts'), { recursive: true });
    const tar = createTar([
      { name: `${name}/Chart.yaml`, data: `apiVersion: v2\nname: ${name}\nversion: ${version}\n` },
      { name: `${name}/templates/cm.yaml`, data: 'kind: ConfigMap\n' },
    ]);
    writeFileSync(join(dir, 'charts', file), gzipSync(tar));
  }
  return dir;
}

const umbrella = (dependencies: string) =>
  `apiVersion: v2\nname: stack\nversion: 1.0.0\ndependencies:\n${dependencies}`;

describe('helmConstraint: Masterminds semver v3, as helm checks charts/', () => {
  // Each row: constraint, version, what helm says. The npm column is what node-semver alone says, where it differs.
  const table: [string, string, boolean][] = [
    ['0.12.*', '0.12.8', true],
    ['0.12.*', '0.13.0', false],
    ['~1.2', '1.2.9', true],
    ['~1.2', '1.3.0', false],
    ['~1', '1.9.0', true],
    ['~>1.2.3', '1.2.7', true],
    ['^3', '3.4.1', true],
    ['^3', '4.0.0', false],
    ['^0.2.3', '0.2.9', true],
    ['^0.2.3', '0.3.0', false],
    ['^0.0.3', '0.0.4', false],
    ['>=1.0.0 <2', '1.9.9', true],
    ['>=1.0.0 <2', '2.0.0', false],
    ['1.x', '1.4.0', true],
    ['1.x', '2.0.0', false],
    ['*', '9.9.9', true],
    ['1.2.3 - 1.4', '1.4.7', true],
    ['1.2.3 - 1.4', '1.5.0', false],
    ['>1.2', '1.2.9', false],
    ['>1.2', '1.3.0', true],
    ['<=1.2', '1.2.9', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.3', '1.2.4', false],
  ];
  it.each(table)('%s against %s is %s, as node-semver reads it too', (constraint, version, expected) => {
    expect(satisfies(constraint, version)).toBe(expected);
    expect(semver.satisfies(version, constraint)).toBe(expected);
  });

  // Where node-semver alone would judge otherwise: each of these rows fails with semver.satisfies.
  const differences: [string, string, boolean, string][] = [
    ['>=1, <2', '1.5.0', true, 'a comma is AND'],
    ['>=1.0.0, <2.0.0 || >=3', '3.1.0', true, 'OR of comma groups'],
    ['=>1.2', '1.3.0', true, '=> is >='],
    ['=<1.2.0', '1.1.0', true, '=< is <='],
    ['!=1.2.3', '1.2.4', true, '!= excludes one version'],
    ['>=1.0.0-beta', '1.5.0-alpha', true, 'a prerelease in the group admits prereleases of any version'],
    ['>=1.0.0-0, <2', '1.9.0-rc.1', true, 'the group, not the comparator, admits prereleases'],
  ];
  it.each(differences)('%s against %s is %s (%s)', (constraint, version, expected) => {
    expect(satisfies(constraint, version)).toBe(expected);
    expect(semver.satisfies(version, constraint)).not.toBe(expected);
  });

  it('reads what node-semver cannot read: commas, => and =<, != with or without a wildcard', () => {
    for (const constraint of ['>=1, <2', '=>1.2', '=<1.2.0', '!=1.2.3', '>=1.0.0, !=1.2.x'])
      expect(semver.validRange(constraint), constraint).toBeNull();
    expect(satisfies('>=1, <2', '2.0.0')).toBe(false);
    expect(satisfies('!=1.2.3', '1.2.3')).toBe(false);
    expect(satisfies('>=1.0.0, !=1.2.x', '1.2.5')).toBe(false);
    expect(satisfies('>=1.0.0, !=1.2.x', '1.3.0')).toBe(true);
    expect(satisfies('v1.2.3', '1.2.3')).toBe(true);
    expect(satisfies('>= v1.2, < v2', 'v1.9.0')).toBe(true);
  });

  it('excludes prereleases unless the AND group names one, as helm does', () => {
    expect(satisfies('^1.0.0', '1.4.0-rc.1')).toBe(false);
    expect(satisfies('*', '1.0.0-alpha')).toBe(false);
    expect(satisfies('~1.2.3-beta', '1.2.5-alpha')).toBe(true);
    expect(satisfies('~1.2.3-beta', '1.3.0-alpha')).toBe(false);
    // Each OR group decides alone: the prerelease of the first does not admit one in the second.
    expect(satisfies('>=5.0.0-rc || ^1', '1.2.0-rc')).toBe(false);
  });

  it('reads versions as helm does: a v prefix and a short version', () => {
    expect(chartVersion('v1.2.3')?.version).toBe('1.2.3');
    expect(chartVersion('1.2')?.version).toBe('1.2.0');
    expect(chartVersion('2.0.0-rc.1+build.5')?.version).toBe('2.0.0-rc.1');
    expect(chartVersion('latest')).toBeUndefined();
  });

  it('refuses what helm refuses', () => {
    for (const bad of ['>=', 'banana', '1.2.3 ||| 2', '>>1']) expect(helmConstraint(bad), bad).toBeUndefined();
    expect(helmConstraint('')?.(chartVersion('1.0.0')!)).toBe(true);
  });
});

describe('unmetDependencies', () => {
  it('is satisfied by vendored packages and folders within the declared ranges, judged by their own Chart.yaml', () => {
    const path = chart(
      {
        'Chart.yaml': umbrella(
          [
            '  - { name: operator, version: "~1.2", repository: "https://charts.example.com" }',
            '  - { name: cache, version: "^3", repository: "https://charts.example.com" }',
            '  - { name: metrics, version: ">=1.0.0 <2", repository: "oci://registry.example.com/charts" }',
            '  - { name: dashboards, version: "0.12.*", repository: "@example" }',
            '  - { name: tracing, version: ">=1, <2", repository: "https://charts.example.com" }',
            '',
          ].join('\n'),
        ),
        'charts/tracing/Chart.yaml': 'apiVersion: v2\nname: tracing\nversion: v1.4.0\n',
      },
      [
        { file: 'operator-1.2.9.tgz', name: 'operator', version: '1.2.9' },
        { file: 'cache-3.4.1.tgz', name: 'cache', version: '3.4.1' },
        // helm reads the archive, not its file name
        { file: 'metrics.tgz', name: 'metrics', version: '1.7.0' },
        { file: 'dashboards-0.12.8.tgz', name: 'dashboards', version: '0.12.8' },
      ],
    );
    expect(unmetDependencies(path)).toEqual([]);
    expect(needsDependencyBuild(path)).toBe(false);
  });

  it('names each dependency charts/ does not satisfy, the version wanted and what is there, with how to vendor it', () => {
    const path = chart(
      {
        'Chart.yaml': umbrella(
          [
            '  - { name: operator, version: "~1.2", repository: "https://charts.example.com" }',
            '  - { name: cache, version: "^3", repository: "oci://registry.example.com/charts" }',
            '  - { name: dashboards, version: "0.12.*", repository: "@example" }',
            '',
          ].join('\n'),
        ),
      },
      [
        { file: 'operator-1.3.0.tgz', name: 'operator', version: '1.3.0' },
        { file: 'cache-3.0.0.tgz', name: 'cachet', version: '3.0.0' },
        { file: 'dashboards-0.12.8.tgz', name: 'dashboards', version: '0.12.8' },
      ],
    );
    const unmet = unmetDependencies(path);
    expect(unmet.map(({ name, wanted, problem }) => [name, wanted, problem])).toEqual([
      ['operator', '~1.2', 'is not satisfied by operator 1.3.0 (charts/operator-1.3.0.tgz)'],
      ['cache', '^3', 'is missing from charts/'],
    ]);
    const { names, suggestions } = describeUnmet(path, unmet);
    expect(names).toEqual([
      'operator ~1.2 is not satisfied by operator 1.3.0 (charts/operator-1.3.0.tgz)',
      'cache ^3 is missing from charts/',
    ]);
    expect(suggestions[0]).toMatch(
      /^vendor operator: helm pull operator --repo https:\/\/charts\.example\.com --version '~1\.2' --destination .*charts$/,
    );
    expect(suggestions[1]).toMatch(
      /^vendor cache: helm pull oci:\/\/registry\.example\.com\/charts\/cache --version '\^3' --destination .*charts$/,
    );
  });

  it('takes what is not a readable chart for missing', () => {
    const path = chart({
      'Chart.yaml': umbrella('  - { name: cache, version: "^3" }\n'),
      'charts/cache-3.0.0.tgz': 'not gzip',
      'charts/cache/Chart.yaml': 'name: [unclosed\n',
      'charts/README.md': 'vendored by hand\n',
    });
    expect(unmetDependencies(path).map(({ name, problem }) => `${name} ${problem}`)).toEqual([
      'cache is missing from charts/',
    ]);
  });

  it("holds charts/ to Chart.lock's pin where there is one", () => {
    const files = {
      'Chart.yaml': umbrella('  - { name: cache, version: "^3", repository: "https://charts.example.com" }\n'),
      'Chart.lock':
        'dependencies:\n- name: cache\n  repository: https://charts.example.com\n  version: 3.2.0\ndigest: sha256:0\n',
    };
    expect(unmetDependencies(chart(files, [{ file: 'cache-3.2.0.tgz', name: 'cache', version: '3.2.0' }]))).toEqual([]);
    const stale = unmetDependencies(chart(files, [{ file: 'cache-3.4.1.tgz', name: 'cache', version: '3.4.1' }]));
    expect(stale.map(({ wanted, locked, problem }) => [wanted, locked, problem])).toEqual([
      ['3.2.0', true, 'is not satisfied by cache 3.4.1 (charts/cache-3.4.1.tgz)'],
    ]);
  });

  it('builds a file:// dependency afresh, whatever charts/ holds', () => {
    const path = chart({ 'Chart.yaml': umbrella('  - { name: lib, version: 0.1.0, repository: "file://../lib" }\n') }, [
      { file: 'lib-0.1.0.tgz', name: 'lib', version: '0.1.0' },
    ]);
    expect(unmetDependencies(path)).toEqual([]);
    expect(needsDependencyBuild(path)).toBe(true);
  });
});

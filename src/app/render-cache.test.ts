import { mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createTar } from 'nanotar';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { Release } from '../config/types.js';
import type { Helm } from '../helm/helm.js';
import type { ResolvedTool } from '../tools/resolve.js';
import { createInputsHash } from './inputs-hash.js';
import { RenderCachingHelm } from './render-cache.js';
import { aRelease } from '../../test/fixtures/release.js';

let root: string;
let chart: string;
let valuesFile: string;
let helmPath: string;
let helmVersion: string;
let calls: string[];

/** A helm that records each template call and renders the call's number, so a cached answer is recognisable. */
function recordingHelm(): Helm {
  const { helm } = createFakeCluster().deps;
  return {
    ...helm,
    template: async (release, files, outputDir) => {
      calls.push(`template ${release.id}${outputDir ? ` into ${outputDir}` : ''}`);
      if (release.name === 'broken') throw new Error('helm: parse error');
      return `# render ${calls.length} of ${release.id} with ${files.length} values files\n`;
    },
  };
}

/** One run: a fresh decorator over a fresh fake, sharing the cache folder with earlier runs. */
function run(): Helm {
  const tool = async (): Promise<ResolvedTool> => ({
    name: 'helm',
    path: helmPath,
    version: helmVersion,
    source: 'flag',
  });
  return new RenderCachingHelm(recordingHelm(), {
    dir: join(root, 'cache', 'renders'),
    helmTool: tool,
    inputsHash: createInputsHash(),
  });
}

function release(overrides: Partial<Release> = {}): Release {
  return aRelease({
    chart: { kind: 'local', path: chart },
    chartSource: './chart',
    values: [{ kind: 'file', path: valuesFile }],
    set: [{ name: 'replicas', value: 2 }],
    ...overrides,
  });
}

/** Renders `first` in one run, then `second` in the next: did the second run ask helm (1) or the cache (0)? */
async function secondRunRenders(first: Release, second: Release = first): Promise<number> {
  await run().template(first, [valuesFile]);
  calls = [];
  await run().template(second, [valuesFile]);
  return calls.length;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'boutique-render-cache-'));
  chart = join(root, 'chart');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  writeFileSync(join(chart, 'templates', 'deployment.yaml'), 'kind: Deployment\n');
  valuesFile = join(root, 'values.yaml');
  writeFileSync(valuesFile, 'image: web:1\n');
  helmPath = join(root, 'helm');
  writeFileSync(helmPath, '#!/bin/sh\n', { mode: 0o755 });
  helmVersion = 'v4.1.4';
  calls = [];
});

describe('the render cache', () => {
  it('answers a second run with unchanged inputs from the cache, in a private file', async () => {
    const first = await run().template(release(), [valuesFile]);
    const second = await run().template(release(), [valuesFile]);
    expect(calls).toEqual(['template shop/web']);
    expect(second).toBe(first);
    const dir = join(root, 'cache', 'renders');
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('renders again when a values file changes', async () => {
    calls = [];
    await run().template(release(), [valuesFile]);
    writeFileSync(valuesFile, 'image: web:2\n');
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(2);
  });

  it('renders again when a chart file changes or is added', async () => {
    await run().template(release(), [valuesFile]);
    writeFileSync(join(chart, 'templates', 'deployment.yaml'), 'kind: Deployment\nspec: {}\n');
    await run().template(release(), [valuesFile]);
    writeFileSync(join(chart, 'templates', 'service.yaml'), 'kind: Service\n');
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(3);
  });

  it('renders again when a vendored dependency archive is replaced under the same name, or a Chart.lock pins another version', async () => {
    writeFileSync(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: lib\n    version: "~1.0"\n    repository: https://charts.example.com\n',
    );
    mkdirSync(join(chart, 'charts'));
    const lock = (version: string, generated: string) =>
      writeFileSync(
        join(chart, 'Chart.lock'),
        `dependencies:\n  - name: lib\n    version: ${version}\n    repository: https://charts.example.com\ngenerated: "${generated}"\n`,
      );
    // A real chart archive: the dependency check reads the version from the Chart.yaml inside it.
    const archive = (version: string, template: string) =>
      gzipSync(
        createTar([
          { name: 'lib/Chart.yaml', data: `apiVersion: v2\nname: lib\nversion: ${version}\n` },
          { name: 'lib/templates/cm.yaml', data: template },
        ]),
      );
    writeFileSync(join(chart, 'charts', 'lib-1.0.0.tgz'), archive('1.0.0', '# one\n'));
    lock('1.0.0', '2026-01-01T00:00:00Z');
    await run().template(release(), [valuesFile]);
    writeFileSync(join(chart, 'charts', 'lib-1.0.0.tgz'), archive('1.0.0', '# two\n'));
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(2);
    lock('1.0.1', '2026-01-01T00:00:00Z');
    renameSync(join(chart, 'charts', 'lib-1.0.0.tgz'), join(chart, 'charts', 'lib-1.0.1.tgz'));
    writeFileSync(join(chart, 'charts', 'lib-1.0.1.tgz'), archive('1.0.1', '# two\n'));
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(3);
    // The same pins written again (helm's time stamp, its digest) are no change.
    lock('1.0.1', '2026-02-02T00:00:00Z');
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(3);
  });

  it('renders again when a set value, an inline layer, the name or the namespace changes', async () => {
    expect(await secondRunRenders(release(), release({ set: [{ name: 'replicas', value: 3 }] }))).toBe(1);
    expect(
      await secondRunRenders(
        release({ values: [{ kind: 'inline', values: { a: 1 } }] }),
        release({ values: [{ kind: 'inline', values: { a: 2 } }] }),
      ),
    ).toBe(1);
    expect(await secondRunRenders(release(), release({ id: 'shop/api', name: 'api' }))).toBe(1);
    expect(await secondRunRenders(release(), release({ id: 'other/web', namespace: 'other' }))).toBe(1);
  });

  it('renders again with another helm: a new version, or the binary replaced in place', async () => {
    await run().template(release(), [valuesFile]);
    helmVersion = 'v4.2.0';
    await run().template(release(), [valuesFile]);
    writeFileSync(helmPath, '#!/bin/sh\n# rebuilt\n');
    utimesSync(helmPath, new Date(), new Date(Date.now() + 10_000));
    await run().template(release(), [valuesFile]);
    expect(calls).toHaveLength(3);
  });

  it('never stores a release with secret set values', async () => {
    expect(await secondRunRenders(release({ set: [{ name: 'password', value: 's3cret', secret: true }] }))).toBe(1);
    expect(readdirSync(root)).not.toContain('cache');
  });

  it('caches a repository chart only at an exact version', async () => {
    const repository = { name: 'bitnami', url: 'https://charts.example.com' };
    expect(await secondRunRenders(release({ chart: { kind: 'repository', name: 'bitnami/redis', repository } }))).toBe(
      1,
    );
    expect(
      await secondRunRenders(
        release({ chart: { kind: 'repository', name: 'bitnami/redis', version: '^18.0.0', repository } }),
      ),
    ).toBe(1);
    expect(await secondRunRenders(release({ chart: { kind: 'oci', url: 'oci://registry.example.com/redis' } }))).toBe(
      1,
    );
    expect(
      await secondRunRenders(
        release({ chart: { kind: 'repository', name: 'bitnami/redis', version: '18.1.2', repository } }),
      ),
    ).toBe(0);
    // another version of the same chart is another render
    const pinned = (version: string) =>
      release({ chart: { kind: 'repository', name: 'bitnami/redis', version, repository } });
    expect(await secondRunRenders(pinned('18.1.2'), pinned('18.1.3'))).toBe(1);
  });

  it('leaves a local chart that lacks a dependency to helm, which builds it (or fails with --skip-deps)', async () => {
    writeFileSync(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: file://../redis\n',
    );
    expect(await secondRunRenders(release())).toBe(1);
  });

  it('leaves renders into --output-dir to helm', async () => {
    const out = join(root, 'out');
    await run().template(release(), [valuesFile], out);
    await run().template(release(), [valuesFile], out);
    expect(calls).toEqual([`template shop/web into ${out}`, `template shop/web into ${out}`]);
  });

  it('stores no failure: the next run asks helm again and gets its error', async () => {
    const broken = release({ id: 'shop/broken', name: 'broken' });
    await expect(run().template(broken, [valuesFile])).rejects.toThrow('helm: parse error');
    await expect(run().template(broken, [valuesFile])).rejects.toThrow('helm: parse error');
    expect(calls).toHaveLength(2);
  });

  it('leaves a values file that cannot be read to helm', async () => {
    const missing = release({ values: [{ kind: 'file', path: join(root, 'missing.yaml') }] });
    expect(await secondRunRenders(missing)).toBe(1);
  });
});

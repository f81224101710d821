import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { fakeGitHub, pullRequestEvent } from '../support/fake-github.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

interface ListedDiff {
  release: string;
  changes: { ref: string; action: string }[];
  hooks: { ref: string; action: string }[];
}

/** Every object a diff says a sync would add, change or remove: `release ref action`, sorted. */
const objectsListed = (diffs: ListedDiff[]) =>
  diffs
    .flatMap(({ release, changes, hooks }) =>
      [...changes, ...hooks]
        .filter(({ action }) => action !== 'unchanged')
        .map(({ ref, action }) => `${release} ${ref} ${action}`),
    )
    .sort();

describe('boutique diff --base on the shipped system, against the cluster diff', () => {
  let cluster: ControlPlane;
  let system: ReturnType<typeof copyShippedSystem>;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    env = emulatorEnv(cluster);
    system = copyShippedSystem();
    const git = (args: string[]) =>
      execa('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: system.dir });
    await git(['init', '-q']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'base']);
    // The cluster runs the base.
    const sync = await boutique(['sync'], { cwd: system.dir, env });
    expect(sync.exitCode, sync.stderr).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('lists the objects the cluster diff lists after syncing the base, without contacting the cluster', async () => {
    // A pull request: a new frontend image (versions file), a cart setting, a new release, the load generator gone.
    mkdirSync(join(system.dir, 'versions'), { recursive: true });
    writeFileSync(join(system.dir, 'versions/default.yaml'), 'frontend: v0.10.7\n');
    system.edit('values/cartservice.yaml', (text) =>
      text.replace('value: "redis-cart:6379"', 'value: "redis-cart.boutique:6379"'),
    );
    system.edit('releases.yaml', (text) =>
      text
        .replace('    installed: { prod: false }\n', '    installed: false\n')
        .replace(
          '  # A traffic generator',
          '  - name: frontend-canary\n    chart: ./charts/microservice\n    values: [values/frontend.yaml]\n\n  # A traffic generator',
        ),
    );

    const clusterDiff = await boutique(['diff', '-o', 'json'], { cwd: system.dir, env });
    expect(clusterDiff.exitCode, clusterDiff.stderr).toBe(0);
    const clusterObjects = objectsListed(JSON.parse(clusterDiff.stdout).results[0].diffs);

    const requestsBefore = cluster.requests.length;
    const base = await boutique(['diff', '--base', 'HEAD', '-o', 'json'], { cwd: system.dir, env });
    expect(base.exitCode, base.stderr).toBe(0);
    expect(cluster.requests.length).toBe(requestsBefore);
    const report = JSON.parse(base.stdout);
    const baseObjects = objectsListed(
      report.results[0].changes.flatMap((change: { diff?: ListedDiff }) => (change.diff ? [change.diff] : [])),
    );

    expect(clusterObjects.filter((line) => line.startsWith('boutique/frontend ')).length).toBeGreaterThan(0);
    expect(clusterObjects.filter((line) => line.startsWith('boutique/frontend-canary ')).length).toBeGreaterThan(0);
    expect(clusterObjects.filter((line) => line.startsWith('boutique/loadgenerator ')).length).toBeGreaterThan(0);
    expect(baseObjects).toEqual(clusterObjects);
    // In apply order: the canary needs nothing, so it comes first.
    expect(
      report.results[0].changes.map((change: { release: string; kind: string }) => `${change.release} ${change.kind}`),
    ).toEqual([
      'boutique/frontend-canary added',
      'boutique/cartservice changed',
      'boutique/frontend changed',
      'boutique/loadgenerator changed',
    ]);
  });

  it("posts the cluster diff as its own comment, beside the base diff's", async () => {
    const github = await fakeGitHub([]);
    try {
      const comment = { ...env, ...github.env(pullRequestEvent(7)) };
      const clusterDiff = await boutique(['diff', '--comment', 'github'], { cwd: system.dir, env: comment });
      expect(clusterDiff.exitCode, clusterDiff.stderr).toBe(0);
      const base = await boutique(['diff', '--base', 'HEAD', '--comment', 'github'], { cwd: system.dir, env: comment });
      expect(base.exitCode, base.stderr).toBe(0);
      expect(github.comments.map(({ body }) => body.split('\n')[0])).toEqual([
        '<!-- boutique-diff releases.yaml cluster default -->',
        '<!-- boutique-diff releases.yaml base default -->',
      ]);
      expect(github.comments[0]!.body).toContain('**Plan: ');
      expect(github.comments[0]!.body).toContain('<summary><b>boutique/frontend</b>');
    } finally {
      await github.stop();
    }
  });
});

/**
 * The baselines boutique is measured against, driven with helm alone. Each release is read with boutique's own
 * config loader and given boutique's own helm arguments (values layers, --wait, --timeout, --history-max), so a
 * baseline and boutique do the same helm work on the same releases; only the orchestration differs.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { mapInOrder } from '../src/app/pool.js';
import type { ValuesFiles } from '../src/app/values-files.js';
import { loadConfig } from '../src/config/load.js';
import type { Release } from '../src/config/types.js';
import { templateArgs, upgradeArgs } from '../src/helm/args.js';
import { dependencyLevels } from '../src/graph/dag.js';
import { helmBinary } from '../test/support/tools.js';
import { seconds, type Env } from './measure.js';

/** The test control plane's context in its kubeconfig, and the environment its helm and kubectl need. */
export interface Cluster {
  env: Env;
  kubeContext: string;
}

/** A system's installed releases for one environment, and the -f files for each. */
export interface System {
  releases: Release[];
  valuesFiles: ValuesFiles;
}

export function loadSystem(dir: string, environment: string, valuesFiles: ValuesFiles): System {
  const releases = loadConfig(join(dir, 'releases.yaml'), environment).releases.filter((release) => release.installed);
  return { releases, valuesFiles };
}

/** The releases grouped as helmfile groups them: level 0 needs nothing, level n needs something at level n-1. */
export function levels(system: System): Release[][] {
  const byId = new Map(system.releases.map((release) => [release.id, release]));
  return dependencyLevels(system.releases).map((level) => level.map((id) => byId.get(id)!));
}

async function helm(args: string[], env: Env): Promise<string> {
  const result = await execa(helmBinary(), args, { env, reject: false });
  if (result.exitCode !== 0)
    throw new Error(`helm ${args.slice(0, 2).join(' ')} exited ${result.exitCode}:\n${String(result.stderr)}`);
  return String(result.stdout);
}

const upgrade = (system: System, release: Release, cluster: Cluster) =>
  helm(
    upgradeArgs(release, system.valuesFiles.argsFor(release), { kubeContext: cluster.kubeContext }, { helmMajor: 4 }),
    cluster.env,
  );

/** `helm upgrade --install --wait` of every release, one after another in dependency order: the shell loop. */
export async function upgradeLoop(system: System, cluster: Cluster): Promise<void> {
  for (const release of levels(system).flat()) await upgrade(system, release, cluster);
}

/** A sequential `helm template` loop. */
export async function templateLoop(system: System, env: Env): Promise<void> {
  for (const release of system.releases) await helm(templateArgs(release, system.valuesFiles.argsFor(release)), env);
}

/**
 * helm-only change detection: per release, `helm get manifest` against `helm template`, and `helm upgrade
 * --install --wait` where they differ (or the release does not exist yet), `concurrency` releases at a time.
 * Returns how many releases it upgraded.
 */
export async function helmDiff(system: System, cluster: Cluster, concurrency: number): Promise<number> {
  const upgraded = await mapInOrder(system.releases, concurrency, async (release) => {
    const deployed = await execa(
      helmBinary(),
      ['get', 'manifest', release.name, '--namespace', release.namespace, '--kube-context', cluster.kubeContext],
      { env: cluster.env, reject: false },
    );
    const rendered = await helm(templateArgs(release, system.valuesFiles.argsFor(release)), cluster.env);
    if (deployed.exitCode === 0 && String(deployed.stdout).trim() === rendered.trim()) return false;
    await upgrade(system, release, cluster);
    return true;
  });
  return upgraded.filter(Boolean).length;
}

/**
 * Each release's own helm time: `helm upgrade --install --wait` of one release at a time, in dependency order,
 * on a cluster where nothing else runs, so the figure has no share of the machine taken by another release.
 */
export async function releaseTimes(system: System, cluster: Cluster): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const release of levels(system).flat())
    times.set(release.id, await seconds(() => upgrade(system, release, cluster)));
  return times;
}

/** The longest chain of needs, each release weighted by its own time: no scheduler can finish sooner. */
export function criticalPath(system: System, times: ReadonlyMap<string, number>): { seconds: number; chain: string[] } {
  const byId = new Map(system.releases.map((release) => [release.id, release]));
  const finish = new Map<string, { seconds: number; chain: string[] }>();
  const longest = (id: string): { seconds: number; chain: string[] } => {
    const known = finish.get(id);
    if (known) return known;
    const before = byId
      .get(id)!
      .needs.filter((need) => byId.has(need))
      .map(longest);
    const slowest = before.reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, chain: [] as string[] });
    const result = { seconds: slowest.seconds + times.get(id)!, chain: [...slowest.chain, id] };
    finish.set(id, result);
    return result;
  };
  return system.releases.map((release) => longest(release.id)).reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

/** helmfile's order: a level's releases `concurrency` at a time, the next level once the whole level is done. */
export async function levelBatches(system: System, cluster: Cluster, concurrency: number): Promise<void> {
  for (const level of levels(system))
    await mapInOrder(level, concurrency, (release) => upgrade(system, release, cluster));
}

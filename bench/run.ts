/**
 * `npm run bench [-- --rounds N] [--only ROW[,ROW]] [--quick]`: boutique against the baselines of issue 14, each
 * baseline measured in the same run, in paired rounds (boutique, then its baseline, round after round) so that
 * drift of a shared machine falls on both. Every cluster is a fresh test control plane (a real kube-apiserver,
 * controllers and scheduler, fake nodes: test/support/control-plane.ts) on 127.0.0.1 with the same ready delay for
 * boutique and baselines. Prints a table (bench/README.md explains it); asserts no speed.
 */
import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { withValuesFiles } from '../src/app/values-files.js';
import { boutiqueBin, repoRoot } from '../test/support/cli.js';
import { contextName, isWrite, startControlPlane, type ControlPlane } from '../test/support/control-plane.js';
import { kubeconfigFor } from '../test/support/kubeconfig.js';
import { helmBinary, kubectlBinary } from '../test/support/tools.js';
import {
  criticalPath,
  helmDiff,
  levelBatches,
  loadSystem,
  releaseTimes,
  templateLoop,
  upgradeLoop,
  type Cluster,
  type System,
} from './baselines.js';
import { renderTable, runBoutique, seconds, type Env, type Row } from './measure.js';
import { freshShippedCopy, generateScaleSystem, scaleEnvironment, shippedReleases } from './systems.js';
import { largeValuesGroup, largeValuesRows } from './large-values.js';

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run bench -- [--rounds N] [--only ROW[,ROW]] [--quick] [--copies N] (bench/README.md)`,
  );
  process.exit(2);
}

const { values: options } = (() => {
  try {
    return parseArgs({
      options: {
        rounds: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        copies: { type: 'string', default: '25' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
const count = (name: string, text: string) =>
  /^[1-9]\d*$/.test(text) ? Number(text) : usage(`--${name} takes a whole number of at least 1, not ${text}`);
const rounds = options.rounds ? count('rounds', options.rounds) : options.quick ? 2 : 5;
/** The 300-release rounds take minutes each; without --rounds they get at most 3. */
const scaleRounds = options.rounds ? rounds : Math.min(rounds, 3);
const copies = count('copies', options.copies);
const scaleReleases = copies * shippedReleases.length;
const readyDelayMs = Number(process.env.BENCH_READY_DELAY_MS ?? 1000);
/** boutique's default --concurrency, given to boutique and to every parallel baseline. */
const concurrency = 4;
const cores = availableParallelism();
/** Start-up runs are short: several samples per round. */
const startupSamples = 5;

/** Today's 300-release no-op took 1.63× the helm-only diff (issue 14); its goal for one change is 0.3× that no-op. */
const todaysScaleNoopVsHelmDiff = 1.63;

const row = (id: string, what: string, baseline: string, goal?: Row['goal'], unit: Row['unit'] = 's'): Row => ({
  id,
  what,
  baseline,
  goal,
  unit,
  boutique: [],
  reference: [],
});
const rows = {
  noopVsLoop: row('noop-vs-upgrade-loop', 'no-op sync, 12', 'helm upgrade --install --wait loop', {
    limit: 0.15,
    of: 'ratio',
  }),
  noopVsDiff: row(
    'noop-vs-helm-diff',
    'no-op sync, 12',
    `helm get manifest vs helm template, upgrade what differs, ${concurrency} at a time`,
    { limit: 0.3, of: 'ratio' },
  ),
  templateCold: row('template-cold', 'template, 12, new inputs', 'sequential helm template loop', {
    limit: 0.6,
    of: 'ratio',
  }),
  templateWarm: row('template-warm', 'template, 12, same inputs again', 'sequential helm template loop', {
    limit: 0.2,
    of: 'ratio',
  }),
  firstVsPath: row(
    'first-sync-vs-critical-path',
    'first sync, 12',
    'critical path of needs, each release weighted by its own helm time',
    { limit: 1.15, of: 'ratio' },
  ),
  firstVsLevels: row(
    'first-sync-vs-levels',
    'first sync, 12',
    `helmfile-style levels, ${concurrency} at a time, next level when all done`,
    { limit: 0.8, of: 'ratio' },
  ),
  help: row('help', 'boutique --help', 'node -e 0', { limit: 0.3, of: 'figure' }),
  list: row('list', 'boutique list -e dev', 'node -e 0', { limit: 0.35, of: 'figure' }),
  readme: row(
    'readme-run',
    'boutique list -e dev as the README runs it (node_modules/.bin on PATH)',
    'npx boutique list -e dev',
    { limit: 0.35, of: 'figure' },
  ),
  scaleNoop: row(
    'scale-noop-vs-helm-diff',
    `no-op sync, ${scaleReleases}`,
    `helm-only diff, ${concurrency} at a time`,
    { limit: 0.3, of: 'ratio', note: 'as at 12' },
  ),
  scaleChangedVsNoop: row(
    'scale-changed-vs-noop',
    `sync, ${scaleReleases}, 1 changed`,
    `boutique's no-op sync, ${scaleReleases}, same round`,
  ),
  scaleChangedVsDiff: row(
    'scale-changed-vs-helm-diff',
    `sync, ${scaleReleases}, 1 changed`,
    `helm-only diff, ${concurrency} at a time, 1 changed`,
    {
      limit: Number((0.3 * todaysScaleNoopVsHelmDiff).toFixed(2)),
      of: 'ratio',
      note: `0.3× today's no-op, ${todaysScaleNoopVsHelmDiff}× this baseline`,
    },
  ),
  scaleBaseDiff: row(
    'scale-base-diff-vs-template-loop',
    `diff --base, ${scaleReleases}, 1 changed`,
    'helm template of every release, base and head, one after another',
    { limit: 0.1, of: 'ratio' },
  ),
  scaleBaseDiffTime: row('scale-base-diff-seconds', `diff --base, ${scaleReleases}, 1 changed`, '', {
    limit: 5,
    of: 'figure',
  }),
  ...largeValuesRows,
  resetError: row(
    'reset-time-to-error',
    'sync against an API server that resets every connection: time to its error',
    'helm upgrade --install of one release against it',
    { limit: 20, of: 'figure' },
  ),
  scaleRss: row(
    'scale-peak-rss',
    `peak RSS of the ${scaleReleases}-release syncs`,
    '',
    { limit: 300, of: 'figure' },
    'MB',
  ),
};
const allRows = Object.values(rows);
const only = options.only
  ?.split(',')
  .map((prefix) => prefix.trim())
  .filter(Boolean);
const wanted = (selected: Row) =>
  (!only || only.some((prefix) => selected.id.startsWith(prefix))) &&
  !(options.quick && selected.id.startsWith('scale-'));
if (only && !allRows.some(wanted))
  usage(
    `--only ${options.only} matches no row${options.quick ? ' that --quick runs (it skips scale-*)' : ''}; rows: ${allRows.map(({ id }) => id).join(', ')}`,
  );
const anyWanted = (...selected: Row[]) => selected.some(wanted);

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const s = (value: number) => `${value.toFixed(2)} s`;

async function withCluster<T>(work: (cluster: ControlPlane) => Promise<T>): Promise<T> {
  const cluster = await startControlPlane({ readyDelayMs });
  try {
    return await work(cluster);
  } finally {
    await cluster.stop();
  }
}

/** Where boutique keeps its caches during the bench: one folder for the run, so the user's own stays untouched. */
const benchCache = mkdtempSync(join(tmpdir(), 'boutique-bench-cache-'));
const toolEnv: Env = {
  BOUTIQUE_HELM: helmBinary(),
  BOUTIQUE_KUBECTL: kubectlBinary(),
  BOUTIQUE_CACHE_DIR: benchCache,
  XDG_CACHE_HOME: benchCache,
};
const clusterOf = (cluster: ControlPlane): Cluster => ({ env: { ...cluster.env }, kubeContext: contextName });
const boutiqueEnv = (cluster?: ControlPlane): Env => ({ ...toolEnv, ...cluster?.env });

const shippedFile = join(repoRoot, 'releases.yaml');
const syncArgs = (file: string, environment: string) => [
  'sync',
  '-e',
  environment,
  '-f',
  file,
  '--kube-context',
  contextName,
  '--concurrency',
  String(concurrency),
];

/** Cluster writes (not dry runs) since `from`: a no-op that writes is not a no-op, and its figure would mislead. */
const writesSince = (cluster: ControlPlane, from: number) =>
  cluster.requests.slice(from).filter((entry) => isWrite(entry) && !entry.dryRun).length;

async function boutiqueSync(
  cluster: ControlPlane,
  file: string,
  environment: string,
  expect: 'no-op' | 'changes',
  accounting = false,
) {
  const from = cluster.requests.length;
  const run = await runBoutique(syncArgs(file, environment), { env: boutiqueEnv(cluster), accounting });
  const writes = writesSince(cluster, from);
  if ((expect === 'no-op') !== (writes === 0))
    throw new Error(
      `boutique sync was expected to make ${expect === 'no-op' ? 'no writes' : 'writes'} but made ${writes}`,
    );
  return run;
}

/** The helm-only diff's seconds; it must upgrade exactly as many releases as changed, or it measured something else. */
async function timedHelmDiff(system: System, cluster: Cluster, changed: number): Promise<number> {
  const started = performance.now();
  const upgraded = await helmDiff(system, cluster, concurrency);
  if (upgraded !== changed)
    throw new Error(`the helm-only diff upgraded ${upgraded} releases where ${changed} changed`);
  return (performance.now() - started) / 1000;
}

async function noopGroup(): Promise<void> {
  await withValuesFiles(async (valuesFiles) => {
    const system = loadSystem(repoRoot, 'dev', valuesFiles);
    await withCluster((forBoutique) =>
      withCluster(async (forHelm) => {
        log('no-op: converging two control planes (boutique sync on one, the helm loop on the other)');
        await Promise.all([
          boutiqueSync(forBoutique, shippedFile, 'dev', 'changes'),
          upgradeLoop(system, clusterOf(forHelm)),
        ]);
        for (let round = 1; round <= rounds; round++) {
          const noop = (await boutiqueSync(forBoutique, shippedFile, 'dev', 'no-op')).seconds;
          const figures = [`boutique ${s(noop)}`];
          if (wanted(rows.noopVsLoop)) {
            const loop = await seconds(() => upgradeLoop(system, clusterOf(forHelm)));
            rows.noopVsLoop.boutique.push(noop);
            rows.noopVsLoop.reference.push(loop);
            figures.push(`upgrade loop ${s(loop)}`);
          }
          if (wanted(rows.noopVsDiff)) {
            const diff = await timedHelmDiff(system, clusterOf(forHelm), 0);
            rows.noopVsDiff.boutique.push(noop);
            rows.noopVsDiff.reference.push(diff);
            figures.push(`helm-only diff ${s(diff)}`);
          }
          log(`no-op round ${round}/${rounds}: ${figures.join(', ')}`);
        }
      }),
    );
  });
}

async function templateGroup(): Promise<void> {
  await withValuesFiles(async (valuesFiles) => {
    // The first run of boutique fills whatever it caches about the tools; template rounds measure the render.
    await runBoutique(['template', '-e', 'dev'], { env: boutiqueEnv() });
    for (let round = 1; round <= rounds; round++) {
      const dir = freshShippedCopy();
      const args = ['template', '-e', 'dev', '-f', join(dir, 'releases.yaml')];
      // The CPU of a render from new inputs, boutique's and its helm processes', is what no schedule goes below.
      const { seconds: cold, cpuSeconds } = await runBoutique(args, { env: boutiqueEnv(), cwd: dir, accounting: true });
      const warm = (await runBoutique(args, { env: boutiqueEnv(), cwd: dir })).seconds;
      const loop = await seconds(() => templateLoop(loadSystem(dir, 'dev', valuesFiles), {}));
      for (const [selected, figure] of [
        [rows.templateCold, cold],
        [rows.templateWarm, warm],
      ] as const) {
        selected.boutique.push(figure);
        selected.reference.push(loop);
      }
      rmSync(dir, { recursive: true, force: true });
      const cpu = `${s(cpuSeconds!)} of CPU with helm's, ${s(cpuSeconds! / cores)} on ${cores} cores`;
      log(
        `template round ${round}/${rounds}: boutique new inputs ${s(cold)} (${cpu}), same again ${s(warm)}, helm template loop ${s(loop)}`,
      );
    }
  });
}

async function firstSyncGroup(): Promise<void> {
  await withValuesFiles(async (valuesFiles) => {
    const system = loadSystem(repoRoot, 'dev', valuesFiles);
    // Every round's sync finds its renders made before, as a diff earlier in the same job leaves them, whether or
    // not the template rows ran first.
    await runBoutique(['template', '-e', 'dev'], { env: boutiqueEnv() });
    for (let round = 1; round <= rounds; round++) {
      const first = await withCluster(
        async (cluster) => (await boutiqueSync(cluster, shippedFile, 'dev', 'changes')).seconds,
      );
      const figures = [`boutique ${s(first)}`];
      if (wanted(rows.firstVsPath)) {
        const times = await withCluster((cluster) => releaseTimes(system, clusterOf(cluster)));
        const path = criticalPath(system, times);
        rows.firstVsPath.boutique.push(first);
        rows.firstVsPath.reference.push(path.seconds);
        figures.push(
          `critical path ${s(path.seconds)} (${path.chain.map((id) => `${id.split('/')[1]} ${times.get(id)!.toFixed(2)}`).join(' → ')})`,
        );
      }
      if (wanted(rows.firstVsLevels)) {
        const batches = await withCluster((cluster) =>
          seconds(() => levelBatches(system, clusterOf(cluster), concurrency)),
        );
        rows.firstVsLevels.boutique.push(first);
        rows.firstVsLevels.reference.push(batches);
        figures.push(`level batches ${s(batches)}`);
      }
      log(`first sync round ${round}/${rounds}: ${figures.join(', ')}`);
    }
  });
}

async function startupGroup(): Promise<void> {
  const node = () => seconds(() => execa(process.execPath, ['-e', '0']));
  for (let round = 1; round <= rounds; round++) {
    for (let sample = 0; sample < startupSamples; sample++) {
      for (const [selected, args] of [
        [rows.help, ['--help']],
        [rows.list, ['list', '-e', 'dev']],
      ] as const) {
        if (!wanted(selected)) continue;
        selected.reference.push(await node());
        selected.boutique.push((await runBoutique([...args], { env: boutiqueEnv() })).seconds);
      }
    }
    log(`start-up round ${round}/${rounds} done`);
  }
}

/**
 * boutique installed in a project as npm installs it (the package under node_modules, its bin linked into
 * node_modules/.bin), run as the README runs it, from that folder on PATH, and as npx runs it, which resolves the
 * same bin through npm first.
 */
async function readmeGroup(): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), 'boutique-bench-project-'));
  try {
    writeFileSync(join(project, 'package.json'), '{ "name": "platform", "private": true }\n');
    for (const entry of ['releases.yaml', 'charts', 'values']) symlinkSync(join(repoRoot, entry), join(project, entry));
    mkdirSync(join(project, 'node_modules', '@boutique-dev'), { recursive: true });
    mkdirSync(join(project, 'node_modules', '.bin'));
    symlinkSync(repoRoot, join(project, 'node_modules', '@boutique-dev', 'cli'));
    symlinkSync('../@boutique-dev/cli/bin/run.cjs', join(project, 'node_modules', '.bin', 'boutique'));
    const env = { ...boutiqueEnv(), PATH: `${join(project, 'node_modules', '.bin')}:${process.env.PATH}` };
    const shell = (command: string) => seconds(() => execa('sh', ['-c', command], { cwd: project, env }));
    for (let round = 1; round <= rounds; round++) {
      for (let sample = 0; sample < startupSamples; sample++) {
        rows.readme.boutique.push(await shell('boutique list -e dev >/dev/null'));
        rows.readme.reference.push(await shell('npx boutique list -e dev >/dev/null'));
      }
      log(`README round ${round}/${rounds} done`);
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

async function scaleGroup(): Promise<void> {
  const generated = generateScaleSystem(copies);
  const file = join(generated.dir, 'releases.yaml');
  log(`scale: ${generated.releaseCount} releases in ${generated.dir}; ${generated.changing} is the one that changes`);
  try {
    await withValuesFiles(async (valuesFiles) => {
      await withCluster((forBoutique) =>
        withCluster(async (forHelm) => {
          const system = () => loadSystem(generated.dir, scaleEnvironment, valuesFiles);
          log(
            'scale: converging two control planes (boutique sync on one, the helm-only diff on the other); this takes minutes',
          );
          const [setup] = await Promise.all([
            boutiqueSync(forBoutique, file, scaleEnvironment, 'changes', true),
            timedHelmDiff(system(), clusterOf(forHelm), generated.releaseCount),
          ]);
          rows.scaleRss.boutique.push(setup.peakRssMb!);
          log(
            `scale: boutique's first sync took ${s(setup.seconds)} (beside the helm-only install), peak RSS ${setup.peakRssMb!.toFixed(0)} MB`,
          );
          for (let round = 1; round <= scaleRounds; round++) {
            const noop = await boutiqueSync(forBoutique, file, scaleEnvironment, 'no-op', true);
            const diffNoop = await timedHelmDiff(system(), clusterOf(forHelm), 0);
            generated.change(round);
            const changed = await boutiqueSync(forBoutique, file, scaleEnvironment, 'changes', true);
            const diffChanged = await timedHelmDiff(system(), clusterOf(forHelm), 1);
            rows.scaleNoop.boutique.push(noop.seconds);
            rows.scaleNoop.reference.push(diffNoop);
            rows.scaleChangedVsNoop.boutique.push(changed.seconds);
            rows.scaleChangedVsNoop.reference.push(noop.seconds);
            rows.scaleChangedVsDiff.boutique.push(changed.seconds);
            rows.scaleChangedVsDiff.reference.push(diffChanged);
            rows.scaleRss.boutique.push(noop.peakRssMb!, changed.peakRssMb!);
            log(
              `scale round ${round}/${scaleRounds}: boutique no-op ${s(noop.seconds)} (${noop.peakRssMb!.toFixed(0)} MB), helm-only diff ${s(diffNoop)}; 1 changed: boutique ${s(changed.seconds)} (${changed.peakRssMb!.toFixed(0)} MB), helm-only diff ${s(diffChanged)}`,
            );
          }
        }),
      );
    });
  } finally {
    rmSync(generated.dir, { recursive: true, force: true });
  }
}

/**
 * A pull request's check without a cluster: the generated system committed to a git repository of its own, one
 * release changed in the working tree each round; `diff --base HEAD` (no render cache, as on a fresh CI runner)
 * against helm template of every release of both revisions.
 */
async function baseDiffGroup(): Promise<void> {
  const generated = generateScaleSystem(copies);
  const base = mkdtempSync(join(tmpdir(), 'boutique-bench-base-'));
  const git = (args: string[]) =>
    execa('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], { cwd: generated.dir });
  try {
    await git(['init', '-q']);
    await git(['add', '-A']);
    await git(['commit', '-qm', 'base']);
    // The baseline renders the base from a copy of the commit, as boutique reads it from git.
    cpSync(generated.dir, base, { recursive: true });
    await withValuesFiles(async (valuesFiles) => {
      for (let round = 1; round <= scaleRounds; round++) {
        generated.change(round);
        const run = await runBoutique(['diff', '--base', 'HEAD', '-e', scaleEnvironment, '--no-cache', '-o', 'json'], {
          env: boutiqueEnv(),
          cwd: generated.dir,
        });
        const listed = JSON.parse(run.stdout).results[0].changes.map((change: { release: string }) => change.release);
        if (listed.length !== 1 || !listed[0].endsWith(`/${generated.changing}`))
          throw new Error(
            `diff --base listed ${listed.join(', ') || 'nothing'} where only ${generated.changing} changed`,
          );
        const loop = await seconds(async () => {
          await templateLoop(loadSystem(base, scaleEnvironment, valuesFiles), {});
          await templateLoop(loadSystem(generated.dir, scaleEnvironment, valuesFiles), {});
        });
        rows.scaleBaseDiff.boutique.push(run.seconds);
        rows.scaleBaseDiff.reference.push(loop);
        rows.scaleBaseDiffTime.boutique.push(run.seconds);
        log(
          `base diff round ${round}/${scaleRounds}: boutique ${s(run.seconds)}, helm template of both sides ${s(loop)}`,
        );
      }
    });
  } finally {
    rmSync(generated.dir, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
  }
}

async function robustnessGroup(): Promise<void> {
  if (wanted(rows.resetError)) {
    // Loopback only: accepts each connection and resets it at its first byte.
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', () => socket.resetAndDestroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const home = mkdtempSync(join(tmpdir(), 'boutique-bench-reset-'));
    writeFileSync(
      join(home, 'kubeconfig'),
      kubeconfigFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
    const env = {
      ...toolEnv,
      KUBECONFIG: join(home, 'kubeconfig'),
      KUBECACHEDIR: join(home, 'cache'),
      HELM_CACHE_HOME: join(home, 'helm'),
      HELM_CONFIG_HOME: join(home, 'helm'),
      HELM_DATA_HOME: join(home, 'helm'),
    };
    const system = freshShippedCopy();
    try {
      for (let round = 1; round <= rounds; round++) {
        const failing = (file: string, args: string[], cwd: string) =>
          seconds(async () => {
            const result = await execa(file, args, { cwd, env: { NO_COLOR: '1', CI: 'true', ...env }, reject: false });
            if (result.exitCode === 0)
              throw new Error(`${args.join(' ')} succeeded against a server that resets every connection`);
          });
        rows.resetError.boutique.push(
          await failing(process.execPath, [boutiqueBin, 'sync', '-l', 'name=cartservice', '--include-needs'], system),
        );
        rows.resetError.reference.push(
          await failing(
            helmBinary(),
            [
              'upgrade',
              '--install',
              'redis-cart',
              './charts/redis',
              '-f',
              'values/redis-cart.yaml',
              '--namespace',
              'boutique',
            ],
            system,
          ),
        );
        log(
          `reset endpoint, round ${round}/${rounds}: boutique's error after ${s(rows.resetError.boutique.at(-1)!)}, helm's after ${s(rows.resetError.reference.at(-1)!)}`,
        );
      }
    } finally {
      server.close();
      rmSync(home, { recursive: true, force: true });
    }
  }
}

const groups: { rows: Row[]; run: () => Promise<void> }[] = [
  { rows: [rows.help, rows.list], run: startupGroup },
  { rows: [rows.readme], run: readmeGroup },
  { rows: [rows.noopVsLoop, rows.noopVsDiff], run: noopGroup },
  { rows: [rows.templateCold, rows.templateWarm], run: templateGroup },
  { rows: [rows.firstVsPath, rows.firstVsLevels], run: firstSyncGroup },
  { rows: [rows.scaleNoop, rows.scaleChangedVsNoop, rows.scaleChangedVsDiff, rows.scaleRss], run: scaleGroup },
  { rows: [rows.scaleBaseDiff, rows.scaleBaseDiffTime], run: baseDiffGroup },
  { rows: Object.values(largeValuesRows), run: () => largeValuesGroup({ rounds, env: toolEnv, wanted, log }) },
  { rows: [rows.resetError], run: robustnessGroup },
];

const commit = (await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, reject: false })).stdout;
const helmVersion = (await execa(helmBinary(), ['version', '--short'])).stdout;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
console.log(
  `boutique ${commit}, node ${process.version}, helm ${helmVersion}; ${rounds} rounds (${scaleRounds} at scale); workloads ready after ${readyDelayMs} ms; load average ${load()}`,
);

let failed = false;
for (const group of groups) {
  if (!anyWanted(...group.rows)) continue;
  try {
    await group.run();
  } catch (error) {
    failed = true;
    log(`${group.rows.map(({ id }) => id).join(', ')}: ${(error as Error).message}`);
  }
}
console.log(
  `\n${renderTable(allRows)}\n\nload average at the end ${load()}; ratio = boutique ÷ baseline within one round.`,
);
rmSync(benchCache, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;

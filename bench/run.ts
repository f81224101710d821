/**
 * Measures boutique sync against the baseline it replaces, a shell loop of `helm upgrade --install --wait` in
 * dependency order, on the shipped Online Boutique and the test emulator. Both run in this process's run, on
 * fresh emulators with the same ready delay, so the ratios compare like with like. Prints a table; asserts nothing.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../test/cluster/emulator.js';
import { boutique, repoRoot } from '../test/support/cli.js';
import { helmBinary, kubectlBinary } from '../test/support/tools.js';

const order = [
  'redis-cart', 'adservice', 'currencyservice', 'emailservice', 'paymentservice', 'productcatalogservice',
  'shippingservice', 'cartservice', 'recommendationservice', 'checkoutservice', 'frontend', 'loadgenerator',
];
const readyDelayMs = Number(process.env.BENCH_READY_DELAY_MS ?? 1000);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

async function helmLoop(env: Record<string, string>): Promise<void> {
  for (const name of order) {
    const chart = join(repoRoot, name === 'redis-cart' ? 'charts/redis' : 'charts/microservice');
    const overlay = join(repoRoot, 'values', 'dev', `${name}.yaml`);
    const values = [join(repoRoot, 'values', `${name}.yaml`), ...(existsSync(overlay) ? [overlay] : [])];
    await execa(helmBinary(), ['upgrade', name, chart, '--install', '--namespace', 'boutique-dev', '--create-namespace', '--wait=watcher', '--timeout', '300s', ...values.flatMap((file) => ['--values', file])], { env });
  }
}

async function boutiqueSync(env: Record<string, string>): Promise<void> {
  const result = await boutique(['sync', '-e', 'dev', '--kube-context', 'emulator', '--concurrency', '4'], { env });
  if (result.exitCode !== 0) throw new Error(`boutique sync failed:\n${result.stderr}`);
}

async function measure(label: string, run: (env: Record<string, string>) => Promise<void>): Promise<[number, number]> {
  const emulator = await startEmulator({ readyDelayMs });
  const env = { ...emulator.env, BOUTIQUE_HELM: helmBinary(), BOUTIQUE_KUBECTL: kubectlBinary() };
  try {
    const first = await timed(() => run(env));
    const second = await timed(() => run(env));
    const writes = emulator.requests.filter((entry) => ['create', 'update', 'patch', 'delete'].includes(entry.verb) && !entry.dryRun).length;
    console.log(`${label.padEnd(22)} first ${first.toFixed(1).padStart(6)}s   second ${second.toFixed(1).padStart(6)}s   writes ${writes}`);
    return [first, second];
  } finally {
    await emulator.stop();
  }
}

console.log(`Online Boutique, 12 releases, workloads ready after ${readyDelayMs} ms (BENCH_READY_DELAY_MS)`);
const [loopFirst, loopSecond] = await measure('helm upgrade loop', helmLoop);
const [syncFirst, syncSecond] = await measure('boutique sync', boutiqueSync);
console.log(`\nfirst sync:  boutique takes ${(syncFirst / loopFirst).toFixed(2)}x the loop's time`);
console.log(`second sync: boutique takes ${(syncSecond / loopSecond).toFixed(2)}x the loop's time, and writes nothing`);

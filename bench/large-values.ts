/**
 * Issue 28: `boutique lint` of one release whose values end with a generated 50 MB file of 738k keys, against
 * helm's own `helm lint` and `helm template` of the same chart and values, in the same rounds. boutique's lint runs
 * both helm commands itself, side by side, besides its own checks (parsing every values layer, with
 * duplicate keys located): the ratio to `helm lint` says what boutique adds to the lint a helm user runs anyway.
 */
import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/support/cli.js';
import { helmBinary } from '../test/support/tools.js';
import { runBoutique, seconds, type Env, type Row } from './measure.js';

const what = 'lint, 1 release with a 50 MB values file (738k keys)';
const limit = { limit: 2, of: 'ratio' as const, note: 'comparable' };
export const largeValuesRows = {
  vsTemplate: {
    id: 'lint-large-values',
    what,
    baseline: 'helm template of the same release',
    goal: limit,
    unit: 's',
    boutique: [],
    reference: [],
  } satisfies Row as Row,
  vsHelmLint: {
    id: 'lint-large-vs-helm-lint',
    what,
    baseline: 'helm lint of the same chart and values',
    goal: limit,
    unit: 's',
    boutique: [],
    reference: [],
  } satisfies Row as Row,
};

/** A release of the shipped Redis chart whose values end with a 50 MB file of 738k keys (issue 28), in a temporary folder. */
function largeValuesSystem(): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-bench-large-'));
  cpSync(join(repoRoot, 'charts'), join(dir, 'charts'), { recursive: true });
  mkdirSync(join(dir, 'values'));
  cpSync(join(repoRoot, 'values', 'redis-cart.yaml'), join(dir, 'values', 'redis-cart.yaml'));
  const lines = ['podAnnotations:'];
  for (let index = 0; index < 738_000; index++)
    lines.push(
      `  example.com/annotation-${String(index).padStart(7, '0')}: "value ${String(index).padStart(7, '0')} of many"`,
    );
  writeFileSync(join(dir, 'values', 'large.yaml'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'releases.yaml'),
    'releases:\n  - name: large\n    namespace: shop\n    chart: ./charts/redis\n    values: [values/redis-cart.yaml, values/large.yaml]\n',
  );
  return dir;
}

/** Each round: boutique lint (a cache of its own, so the file is parsed), then helm lint, then helm template. */
export async function largeValuesGroup(options: {
  rounds: number;
  env: Env;
  wanted: (row: Row) => boolean;
  log: (message: string) => void;
}): Promise<void> {
  const dir = largeValuesSystem();
  const s = (value: number) => `${value.toFixed(2)} s`;
  // The arguments boutique gives helm (src/helm/args.ts), without boutique's Go runtime settings.
  const values = ['--namespace', 'shop', '--values', 'values/redis-cart.yaml', '--values', 'values/large.yaml'];
  const helm = (args: string[]) => seconds(() => execa(helmBinary(), args, { cwd: dir, stdout: 'ignore' }));
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const cache = mkdtempSync(join(tmpdir(), 'boutique-bench-lint-'));
      const lint = (
        await runBoutique(['lint'], {
          env: { ...options.env, BOUTIQUE_CACHE_DIR: cache, XDG_CACHE_HOME: cache },
          cwd: dir,
        })
      ).seconds;
      rmSync(cache, { recursive: true, force: true });
      const figures = [`boutique lint ${s(lint)}`];
      if (options.wanted(largeValuesRows.vsHelmLint)) {
        const helmLint = await helm(['lint', './charts/redis', ...values]);
        largeValuesRows.vsHelmLint.boutique.push(lint);
        largeValuesRows.vsHelmLint.reference.push(helmLint);
        figures.push(`helm lint ${s(helmLint)} (${(lint / helmLint).toFixed(2)}×)`);
      }
      if (options.wanted(largeValuesRows.vsTemplate)) {
        const template = await helm(['template', 'large', './charts/redis', ...values]);
        largeValuesRows.vsTemplate.boutique.push(lint);
        largeValuesRows.vsTemplate.reference.push(template);
        figures.push(`helm template ${s(template)} (${(lint / template).toFixed(2)}×)`);
      }
      options.log(`lint of a 50 MB values file, round ${round}/${options.rounds}: ${figures.join(', ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Timing, peak memory and the statistics the bench prints: a ratio per round, then its min and median. */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boutiqueBin, repoRoot } from '../test/support/cli.js';

export type Env = Record<string, string>;

/** Seconds that `work` took. */
export async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

export interface Run {
  seconds: number;
  stdout: string;
  /** Peak resident set of the largest process of the run (boutique or a child it waited for), in MB; when asked. */
  peakRssMb?: number;
  /** User and system seconds of boutique and of every child it waited for (helm, kubectl); when asked. */
  cpuSeconds?: number;
}

/**
 * Runs the built CLI as a user would (no TTY, no colours) and fails loudly if it fails: a figure from a failed
 * run would be meaningless. With `accounting`, the run goes through GNU time, whose %M is the maximum resident set
 * of the process and of every child it waited for, and %U and %S their CPU seconds.
 */
export async function runBoutique(
  args: string[],
  options: { env: Env; cwd?: string; accounting?: boolean },
): Promise<Run> {
  const command = [process.execPath, boutiqueBin, ...args];
  const timeDir = options.accounting ? mkdtempSync(join(tmpdir(), 'boutique-bench-time-')) : undefined;
  const timeFile = timeDir && join(timeDir, 'time');
  const [file, ...argv] = timeFile ? ['/usr/bin/time', '-o', timeFile, '-f', '%M %U %S', ...command] : command;
  try {
    let stdout = '';
    const taken = await seconds(async () => {
      const result = await execa(file!, argv, {
        cwd: options.cwd ?? repoRoot,
        env: { NO_COLOR: '1', CI: 'true', ...options.env },
        reject: false,
      });
      if (result.exitCode !== 0)
        throw new Error(`boutique ${args.join(' ')} exited ${result.exitCode}:\n${String(result.stderr).slice(-4000)}`);
      stdout = String(result.stdout);
    });
    if (!timeFile) return { seconds: taken, stdout };
    const [rssKb, user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds: taken, stdout, peakRssMb: rssKb! / 1024, cpuSeconds: user! + system! };
  } finally {
    if (timeDir) rmSync(timeDir, { recursive: true, force: true });
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A goal from the issue: a limit on the median ratio, or on boutique's own figure (seconds, or peak MB). */
export interface Goal {
  limit: number;
  of: 'ratio' | 'figure';
  /** How the limit was derived, when it is not the issue's number as is. */
  note?: string;
}

/** One row of the table: per round, what boutique took and what its baseline took in the same round. */
export interface Row {
  id: string;
  what: string;
  /** What the reference column measures; empty for a row without one. */
  baseline: string;
  unit: 's' | 'MB';
  /** Absent for a row that only informs. */
  goal?: Goal;
  /** Per round. */
  boutique: number[];
  /** Per round, paired with boutique; empty for a row without a baseline. */
  reference: number[];
}

export interface Summary {
  /** The median; for memory, the peak. */
  boutique: number;
  reference?: number;
  ratioMin?: number;
  ratioMedian?: number;
}

export function summarize(row: Row): Summary {
  const ratios = row.reference.map((reference, round) => row.boutique[round]! / reference);
  return {
    boutique: row.unit === 'MB' ? Math.max(...row.boutique) : median(row.boutique),
    reference: ratios.length > 0 ? median(row.reference) : undefined,
    ratioMin: ratios.length > 0 ? Math.min(...ratios) : undefined,
    ratioMedian: ratios.length > 0 ? median(ratios) : undefined,
  };
}

const figure = (value: number | undefined, unit: Row['unit']) =>
  value === undefined ? '' : unit === 'MB' ? `${value.toFixed(0)} MB` : `${value.toFixed(2)} s`;
const ratio = (value: number | undefined) => (value === undefined ? '' : `${value.toFixed(2)}×`);

function goalText(row: Row): string {
  if (!row.goal) return '';
  const limit = row.goal.of === 'ratio' ? ratio(row.goal.limit) : figure(row.goal.limit, row.unit);
  return `≤ ${limit}${row.goal.note ? ` (${row.goal.note})` : ''}`;
}

function met(row: Row, summary: Summary): string {
  if (!row.goal) return '';
  const value = row.goal.of === 'ratio' ? summary.ratioMedian : summary.boutique;
  return value !== undefined && value <= row.goal.limit ? 'yes' : 'no';
}

/** The table, one line per row with samples: medians, the per-round ratio's min and median, the goal and whether the median meets it. */
export function renderTable(rows: readonly Row[]): string {
  const header = [
    'row',
    'what',
    'n',
    'boutique',
    'baseline',
    'ratio min',
    'ratio median',
    'goal',
    'met',
    'baseline is',
  ];
  const lines = rows
    .filter((row) => row.boutique.length > 0)
    .map((row) => {
      const summary = summarize(row);
      return [
        row.id,
        row.what,
        String(row.boutique.length),
        figure(summary.boutique, row.unit),
        figure(summary.reference, row.unit),
        ratio(summary.ratioMin),
        ratio(summary.ratioMedian),
        goalText(row),
        met(row, summary),
        row.baseline,
      ];
    });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

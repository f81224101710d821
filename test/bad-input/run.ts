import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { runCommand, untouchableAdapters, type CommandRun } from '../commands/run-command.js';
import { baseFiles, type BadInput } from './corpus.js';

/** Writes a row's project folder; REPOSITORY_URL becomes `repositoryUrl`. */
export function writeProject(row: BadInput, repositoryUrl = 'http://127.0.0.1:1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-bad-input-'));
  for (const [path, text] of Object.entries({ ...baseFiles, ...row.files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text.replaceAll('REPOSITORY_URL', repositoryUrl));
  }
  return dir;
}

/** stderr with the project folder written as `<dir>` and the summary line of a ConfigError left out. */
export function normalizeOutput(stderr: string, dir: string): string {
  const relativeDir = relative(process.cwd(), dir);
  return stderr
    .split('\n')
    .filter((line) => !/^Error: \d+ problems? in .*; nothing was sent to helm or the cluster$/.test(line))
    .join('\n')
    .replaceAll(`${relativeDir}/`, '')
    .replaceAll(dir, '<dir>')
    .trimEnd();
}

/**
 * The row's command, the real one, run in-process (test/commands/run-command.ts) on the project in `dir`, with
 * adapters that fail the run when touched: `touched` says what it reached for (nothing, for bad input).
 */
export async function runInProcess(row: BadInput, dir: string): Promise<CommandRun & { touched: string[] }> {
  const [command = 'sync', ...rest] = (row.args ?? ['sync']).map((arg) => arg.replaceAll('<dir>', dir));
  const touched: string[] = [];
  const run = await runCommand([command, '-f', join(dir, 'releases.yaml'), ...rest], untouchableAdapters(touched));
  return { ...run, touched };
}

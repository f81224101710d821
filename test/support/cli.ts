import { execa } from 'execa';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI as npm links it: package.json's bin. */
export const boutiqueBin = join(repoRoot, 'bin', 'run.cjs');

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs the built CLI (npm test builds first) as a user would, without a TTY and without colours. */
export async function boutique(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const result = await execa(process.execPath, [boutiqueBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { NO_COLOR: '1', CI: 'true', ...options.env },
    reject: false,
    stripFinalNewline: false,
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

/** A fake executable (a node script) in a fresh folder, for PATH and --helm-binary tests. */
export function fakeExecutable(name: string, script: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-fake-'));
  const path = join(dir, name);
  writeFileSync(path, `#!${process.execPath}\n${script}\n`);
  chmodSync(path, 0o755);
  return { dir, path };
}

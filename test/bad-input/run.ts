import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { checkOutputDir, parseRevision } from '../../src/cli/arguments.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { checkSelection, parseSelectors } from '../../src/plan/select.js';
import { renderError } from '../../src/report/error-view.js';
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
 * The checks a command runs before it starts helm, in the commands' order, in-process: arguments, selectors,
 * releases.yaml and its values files, then the selection. Returns what the CLI prints on stderr.
 */
export function checkInProcess(row: BadInput, dir: string): { stderr: string; exitCode: number } {
  const [command, ...rest] = (row.args ?? ['sync']).map((arg) => arg.replaceAll('<dir>', dir));
  const flag = (name: string) => rest.flatMap((arg, index) => (arg === name ? [rest[index + 1]!] : []));
  const positional = rest.filter((arg, index) => !arg.startsWith('-') && !rest[index - 1]?.startsWith('-'));
  try {
    if (command === 'rollback') parseRevision(positional[1]);
    const outputDir = flag('--output-dir')[0];
    if (outputDir !== undefined) checkOutputDir(outputDir);
    const selectors = parseSelectors(flag('-l'));
    const config = loadConfig(join(dir, 'releases.yaml'), flag('-e')[0] ?? 'default');
    checkSelection(config.releases, selectors);
    return { stderr: '', exitCode: 0 };
  } catch (error) {
    return { stderr: renderError(error, { debug: false }), exitCode: error instanceof ConfigError || (error as { exitCode?: number }).exitCode === 2 ? 2 : 1 };
  }
}

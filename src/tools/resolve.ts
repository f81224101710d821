import { accessSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ToolError } from '../errors.js';
import type { Runner } from '../process/runner.js';
import { cacheDir, installScript, pinnedToolPath, pinnedTools, type PinnedToolName } from './pinned.js';

export type ToolSource = 'flag' | 'env' | 'path' | 'pinned';

export interface ResolvedTool {
  name: PinnedToolName;
  path: string;
  /** As the tool prints it, e.g. v4.1.4. */
  version: string;
  source: ToolSource;
}

export interface ResolveOptions {
  /** --helm-binary */
  flag?: string;
  env: NodeJS.ProcessEnv;
  runner: Runner;
}

export function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Parses `v3.14.2` or `v1.35.2` into numbers; undefined when it is no version. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /v?(\d+)\.(\d+)\.(\d+)/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** boutique drives helm 3.14+ (with --wait/--atomic) and helm 4 (with --wait=watcher/--rollback-on-failure). */
export function isSupportedHelm(version: string): boolean {
  const parsed = parseVersion(version);
  if (!parsed) return false;
  const [major, minor] = parsed;
  return major === 4 || (major === 3 && minor >= 14);
}

async function askVersion(name: PinnedToolName, path: string, runner: Runner): Promise<string> {
  if (name === 'helm') return (await runner.run(path, ['version', '--template', '{{.Version}}'])).stdout.trim();
  const output = (await runner.run(path, ['version', '--client', '-o', 'json'])).stdout;
  return (JSON.parse(output) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion ?? 'unknown';
}

/**
 * A tool's version, asked once per binary: remembered in the cache folder by path, size and modification time, so
 * a run does not start a Go process just to learn what it already knew (a replaced binary is asked again).
 */
async function versionOf(name: PinnedToolName, path: string, options: ResolveOptions): Promise<string> {
  const file = join(cacheDir(options.env), 'tool-versions.json');
  const stat = statSync(path);
  const key = `${path}:${stat.size}:${stat.mtimeMs}`;
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // no cache yet, or an unreadable one: ask the tool
  }
  if (known[key]) return known[key];
  const version = await askVersion(name, path, options.runner);
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...known, [key]: version }));
  } catch {
    // a read-only cache folder only costs the next run one more question
  }
  return version;
}

const envVariable: Record<PinnedToolName, string> = { helm: 'BOUTIQUE_HELM', kubectl: 'BOUTIQUE_KUBECTL' };

/**
 * Finds helm or kubectl: the flag, then $BOUTIQUE_HELM / $BOUTIQUE_KUBECTL, then the one on PATH (helm only if it is
 * 3.14+ or 4.x), then the pinned copy installed by `npm ci`. An explicit choice that does not work is an error,
 * never silently replaced.
 */
export async function resolveTool(name: PinnedToolName, options: ResolveOptions): Promise<ResolvedTool> {
  const explicit: [string | undefined, ToolSource, string][] = [
    [options.flag, 'flag', `--${name}-binary`],
    [options.env[envVariable[name]], 'env', `$${envVariable[name]}`],
  ];
  for (const [path, source, origin] of explicit) {
    if (!path) continue;
    if (!isExecutable(path)) throw new ToolError(`${origin} names ${path}, which is not an executable file`);
    const version = await versionOf(name, path, options);
    if (name === 'helm' && !isSupportedHelm(version))
      throw new ToolError(`${origin} names helm ${version}; boutique needs helm 3.14 or later`);
    return { name, path, version, source };
  }
  const onPath = findOnPath(name, options.env);
  if (onPath) {
    const version = await versionOf(name, onPath, options).catch(() => '');
    if (name !== 'helm' || isSupportedHelm(version)) return { name, path: onPath, version, source: 'path' };
  }
  const pinned = pinnedToolPath(name, options.env);
  if (isExecutable(pinned)) return { name, path: pinned, version: pinnedTools.tools[name].version, source: 'pinned' };
  throw new ToolError(`no usable ${name} found`, {
    suggestions: [
      name === 'helm'
        ? 'install helm 3.14 or later on PATH, or pass --helm-binary'
        : 'install kubectl on PATH, or set BOUTIQUE_KUBECTL',
      `or install the pinned ${name} ${pinnedTools.tools[name].version} (npm install does, unless it skips install scripts): node ${installScript}`,
    ],
  });
}

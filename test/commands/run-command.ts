import { Config } from '@oclif/core';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ClusterDeps } from '../../src/app/deps.js';
import { composition } from '../../src/cli/base-command.js';
import type { Adapters } from '../../src/cli/wiring.js';
import { repoRoot } from '../support/cli.js';

/** What a command printed and how it ended, as the CLI would have: stdout, stderr and the exit code. */
export interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

let oclifConfig: Promise<Config> | undefined;

/**
 * Runs the real command of `argv[0]` (src/commands/<id>.ts) in this process, with `adapters` as the composition
 * root's (composition.adapters), and captures what it writes: the unit tier's way to test a command without
 * building dist/ or starting helm. A run that would build real adapters fails, so a command that reaches for helm,
 * kubectl or git without being given fakes is caught.
 */
export async function runCommand(
  argv: readonly string[],
  adapters: Adapters = untouchableAdapters(),
): Promise<CommandRun> {
  const [id, ...rest] = argv;
  if (!id) throw new Error('runCommand needs a command id');
  const { default: command } = (await import(`../../src/commands/${id}.ts`)) as {
    default: { id?: string; run(argv: string[], config: Config): Promise<unknown> };
  };
  oclifConfig ??= Config.load(repoRoot);
  const config = await oclifConfig;
  command.id = id;
  const built = composition.adapters;
  composition.adapters = async () => adapters;
  const stdout = capture(process.stdout);
  const stderr = capture(process.stderr);
  let exitCode = 0;
  try {
    await command.run([...rest], config);
  } catch (error) {
    const exit = (error as { oclif?: { exit?: number } }).oclif?.exit;
    if (exit === undefined) {
      stdout.restore();
      stderr.restore();
      throw error;
    }
    exitCode = exit;
  } finally {
    stdout.restore();
    stderr.restore();
    composition.adapters = built;
  }
  return { stdout: stdout.text(), stderr: stderr.text(), exitCode };
}

/** Everything written to `stream` until restore(), kept from the terminal. */
function capture(stream: NodeJS.WriteStream) {
  let text = '';
  const write = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    (rest.find((argument) => typeof argument === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof stream.write;
  return { text: () => text, restore: () => void (stream.write = write) };
}

/** The adapters of a run over in-memory helm and kubectl (test/support/fake-deps.ts): no process, no cluster. */
export function fakeAdapters(deps: ClusterDeps, overrides: Partial<Adapters> = {}): Adapters {
  return {
    retries: 0,
    kubeContextName: () => 'fake-context',
    gitCheckout: async () => ({ url: 'https://git.example.com/platform.git', path: '.' }),
    stopAll: () => undefined,
    tool: async (name) => ({ name, path: `/fake/bin/${name}`, version: 'v0.0.0-fake', source: 'pinned' }),
    helm: () => deps.helm,
    git: () => {
      throw new Error('this test gave the run no git');
    },
    cluster: () => deps,
    explain: async (error) => error,
    ...overrides,
  };
}

/** Adapters a run must not touch: any use of them fails the run (bad input contacts nothing). */
export function untouchableAdapters(touched: string[] = []): Adapters {
  const refuse = (what: string) => () => {
    touched.push(what);
    throw new Error(`the run reached for ${what}, which this test forbids`);
  };
  return {
    get retries() {
      return 0;
    },
    kubeContextName: refuse('the kube context'),
    gitCheckout: refuse('git'),
    stopAll: () => undefined,
    tool: refuse('a tool'),
    helm: refuse('helm'),
    git: refuse('git'),
    cluster: refuse('the cluster'),
    explain: async (error) => error,
  };
}

/** A project folder with these files (paths relative to it). */
export function writeFiles(files: Record<string, string>, prefix = 'boutique-command-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

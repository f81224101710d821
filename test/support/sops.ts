import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/**
 * The real sops CLI and age-keygen, built from their Go modules by scripts/build-sops.mjs (the e2e tier's global
 * setup builds them once; here on first use otherwise), for fixtures encrypted at test time in the format sops writes.
 */
let dir: string | undefined;
export function sopsToolsDir(): string {
  dir ??= execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-sops.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return dir;
}

/** A new age key in `folder`/`name`.txt, as age-keygen writes it: its file, its recipient (age1…) and its secret key. */
export function newAgeKey(folder: string, name = 'key'): { file: string; recipient: string; identity: string } {
  const file = join(folder, `${name}.txt`);
  execFileSync(join(sopsToolsDir(), 'age-keygen'), ['-o', file], { stdio: ['ignore', 'ignore', 'ignore'] });
  const text = readFileSync(file, 'utf8');
  return {
    file,
    recipient: /^# public key: (age1\w+)$/m.exec(text)![1]!,
    identity: /^(AGE-SECRET-KEY-1\w+)$/m.exec(text)![1]!,
  };
}

/** Runs the real sops with these arguments in `cwd`, with only the given environment (no key of the developer's). */
export function sops(args: string[], options: { cwd: string; env?: Record<string, string> }): string {
  return execFileSync(join(sopsToolsDir(), 'sops'), args, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `plain` (YAML) encrypted by the real sops for `recipient` into `cwd`/`name`, with sops's own flags (e.g. --unencrypted-suffix). */
export function sopsEncrypt(cwd: string, name: string, plain: string, recipient: string, flags: string[] = []): string {
  const path = join(cwd, name);
  writeFileSync(path, plain);
  writeFileSync(
    path,
    sops(['encrypt', '--age', recipient, ...flags, '--input-type', 'yaml', '--output-type', 'yaml', name], { cwd }),
  );
  return path;
}

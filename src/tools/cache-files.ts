import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './pinned.js';

// The files of what boutique remembers between runs: written whole or not at all, read as a hint, kept bounded.

const DAY_MS = 24 * 60 * 60 * 1000;
/** An entry no run has used for this long is removed. */
export const UNUSED_FOR_MS = 30 * DAY_MS;
/** What boutique remembers between runs, a folder each; tools/ is installed, not remembered, and stays. */
const REMEMBERED = ['renders', 'manifests', 'accepted-configs', 'parsed-configs', 'live-kinds', 'compiled'] as const;
export type RememberedFolder = (typeof REMEMBERED)[number];

/** The folder of one kind of remembered entry: only these folders are pruned, so every writer names one here. */
export function rememberedFolder(folder: RememberedFolder, root = cacheDir()): string {
  return join(root, folder);
}

/**
 * Why a folder of remembered entries must not be used, or undefined when it may: boutique runs the code kept in
 * compiled/ and deploys the renders kept in renders/, so a folder (or the cache folder above it) another user owns,
 * or others may write to, would let them choose what runs and what is deployed. A group-writable folder of the
 * user's own group (a user-private group, umask 002) is the user's.
 */
export function untrustedFolder(dir: string): string | undefined {
  for (const folder of [dirname(dir), dir]) {
    let stat;
    try {
      stat = lstatSync(folder);
    } catch {
      continue; // made by keep(), 0700, when first needed
    }
    const uid = process.getuid?.();
    if (stat.isSymbolicLink()) stat = statSync(folder);
    if (uid !== undefined && stat.uid !== uid) return `${folder} belongs to another user (uid ${stat.uid})`;
    if (stat.mode & 0o002 || (stat.mode & 0o020 && stat.gid !== process.getgid?.()))
      return `${folder} is writable by others (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

const verdicts = new Map<string, string | undefined>();

/** untrustedFolder, asked once per folder and process, and said once on stderr with what to do. */
function refused(dir: string): boolean {
  if (!verdicts.has(dir)) {
    const problem = untrustedFolder(dir);
    verdicts.set(dir, problem);
    if (problem) {
      process.stderr.write(
        `warning: ${problem}: boutique neither reads nor writes ${dir}, as it runs code and deploys renders kept there\n  hint: run chmod go-w on it (and chown it to yourself), or set BOUTIQUE_CACHE_DIR to a folder only you can write\n`,
      );
    }
  }
  return verdicts.get(dir) !== undefined;
}

/** A remembered entry's bytes, marked used; undefined when there is none (or it cannot be read, or be trusted). */
export function recallBytes(file: string): Buffer | undefined {
  if (refused(dirname(file))) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  markUsed(file);
  return bytes;
}

/** A remembered entry's text, marked used; undefined when there is none (or it cannot be read). */
export function recall(file: string): string | undefined {
  return recallBytes(file)?.toString('utf8');
}

/** A remembered JSON entry; undefined when there is none, or it is not JSON (a torn or foreign file). */
export function recallJson<T>(file: string): T | undefined {
  const text = recall(file);
  try {
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/**
 * Remembers an entry: its folder 0700, the file 0600, written to a private file and renamed into place, so a
 * concurrent run never reads half of it. A read-only cache folder only costs the next run the work again.
 */
export function keep(file: string, text: string | Uint8Array): void {
  if (refused(dirname(file))) return;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text, { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // nothing remembered: computed again next time
  }
}

/** Marks a remembered entry as used now, so pruning keeps it (atime is not reliable: noatime mounts). */
function markUsed(file: string): void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // gone or read-only: at worst it is computed again after pruning
  }
}

/**
 * Removes remembered entries unused for 30 days, at most once a day (a marker file says when it last ran), so the
 * cache folder stays bounded on a machine that runs boutique for years. Returns how many entries went.
 */
export function pruneCaches(now = Date.now(), root = cacheDir()): number {
  const marker = join(root, '.pruned');
  try {
    if (statSync(marker).mtimeMs > now - DAY_MS) return 0;
  } catch {
    // never pruned yet
  }
  let removed = 0;
  for (const folder of REMEMBERED) {
    let names: string[];
    try {
      names = readdirSync(join(root, folder));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = join(root, folder, name);
      try {
        if (statSync(file).mtimeMs >= now - UNUSED_FOR_MS) continue;
        unlinkSync(file);
        removed++;
      } catch {
        // removed by a concurrent run, or not ours to remove
      }
    }
  }
  try {
    writeFileSync(marker, '');
  } catch {
    // a read-only cache folder is never pruned, and never grows either
  }
  return removed;
}

import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** Symbolic links followed at most, as the kernel does (ELOOP). */
const MAX_LINKS = 40;

/**
 * Where a path leads once every symbolic link on it is followed, also one that dangles (a write through it would
 * create its target) and also through parts that do not exist yet (a writer creates them).
 */
export function followLinks(path: string, depth = 0): string {
  const absolute = resolve(path);
  if (depth > MAX_LINKS) return absolute;
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    let isLink: boolean;
    try {
      isLink = lstatSync(existing).isSymbolicLink();
    } catch {
      if (dirname(existing) === existing) return absolute;
      rest.unshift(basename(existing));
      existing = dirname(existing);
      continue;
    }
    if (!isLink) return join(realpathSync(existing), ...rest);
    try {
      return join(realpathSync(existing), ...rest);
    } catch {
      // A dangling link: where it points is where a write would land.
      return followLinks(join(resolve(dirname(existing), readlinkSync(existing)), ...rest), depth + 1);
    }
  }
}

/**
 * `target` for a writer whose folder is `root`, once checked that no symbolic link on the way leads out of the
 * folder: a writer that followed one would delete or overwrite files anywhere the user may (issue 27). Links that
 * stay inside are followed; `root` itself may be a link (the folder the user named is where it leads).
 */
export function writablePathIn(root: string, target: string, what: string): string {
  const folder = followLinks(root);
  const lands = followLinks(target);
  const inside = relative(folder, lands);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) return resolve(target);
  throw new UsageError(`${what}: ${target} leads out of ${root} through a symbolic link, to ${lands}`, {
    suggestions: [
      `remove the link, or write to a folder that has no link out of it; boutique writes nothing outside ${root}`,
    ],
  });
}

/**
 * The repository a releases.yaml belongs to: the closest folder above it with a `.git`, or its own folder. Files a
 * release reads from outside it are read, as helmfile reads them, but named in a warning: a values file might be a
 * token or /etc/passwd, and nobody reviewing the repository sees it.
 */
export function repositoryOf(baseDir: string): string {
  for (let dir = followLinks(baseDir); ; dir = dirname(dir)) {
    try {
      lstatSync(join(dir, '.git'));
      return dir;
    } catch {
      if (dirname(dir) === dir) return followLinks(baseDir);
    }
  }
}

/** Of `files` (what each is, and its path), those that lead outside `repository` once links are followed, as warning lines. */
export function outsideRepository(repository: string, files: readonly { what: string; path: string }[]): string[] {
  const seen = new Set<string>();
  return files.flatMap(({ what, path }) => {
    const lands = followLinks(path);
    const inside = relative(repository, lands);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside)) || seen.has(lands)) return [];
    seen.add(lands);
    return [
      `warning: ${what} ${path}${lands === resolve(path) ? '' : ` (${lands})`} is outside the repository ${repository}: boutique reads it, and shows nothing of it`,
    ];
  });
}

import { mkdtempSync, rmdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { statOf } from '../config/load.js';

/** A helm revision from the command line: a whole number from 1 up (helm numbers a release's first install 1). */
export function parseRevision(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^[0-9]+$/.test(text) && Number(text) >= 1 && Number.isSafeInteger(Number(text))) return Number(text);
  throw new UsageError(`revision "${text}" is not a revision number`, {
    suggestions: [
      'write a whole number from 1 up, as helm history lists them (or leave it out to roll back to the revision before the current one)',
    ],
  });
}

/**
 * An --output-dir that helm can write into: an existing writable folder, or a path whose closest existing
 * ancestor is one (helm creates the rest). Checked before anything renders, so a bad path costs no helm run.
 */
export function checkOutputDir(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  while (!statOf(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const stat = statOf(existing);
  const fail = (problem: string, hint: string) =>
    new UsageError(`--output-dir ${path}: ${problem}`, { suggestions: [hint] });
  if (!stat?.isDirectory())
    throw fail(`${existing} is a file, not a folder`, 'pass a folder (it is created when missing)');
  // Permission bits say nothing for root or on a read-only file system: make (and remove) a folder to know.
  try {
    rmdirSync(mkdtempSync(join(existing, '.boutique-write-check-')));
  } catch {
    throw fail(
      existing === absolute
        ? 'the folder is not writable'
        : `${existing} is not writable, so the folder cannot be created`,
      'pass a folder you can write to, or change its permissions',
    );
  }
  return absolute;
}

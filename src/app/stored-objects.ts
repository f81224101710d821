import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Release } from '../config/types.js';
import { parseManifests, type KubeObject } from '../kube/objects.js';
import { cacheDir } from '../tools/pinned.js';
import { markUsed } from '../tools/cache-prune.js';

/** Bumped when what is stored, or how manifests are parsed, changes. */
const FORMAT = 1;

/**
 * The objects of a deployed revision's manifest. Reading helm's YAML is the costliest part of checking a converged
 * release, and a deployed manifest never changes: its objects are kept as JSON in the cache folder (0700, files
 * 0600), named by a hash of the manifest text, so the next run reads JSON. A manifest whose objects JSON cannot
 * carry exactly (a binary value, an infinite number) is parsed every time; so is the manifest of a release with
 * secret set values, which would otherwise keep the secret on disk, as the render cache would.
 */
export function storedObjects(release: Release, manifest: string): KubeObject[] {
  if (release.set.some((entry) => entry.secret)) return parseManifests(manifest);
  const dir = join(cacheDir(), 'manifests');
  const file = join(dir, `${createHash('sha256').update(`${FORMAT}\0${manifest}`).digest('hex')}.json`);
  try {
    const objects = JSON.parse(readFileSync(file, 'utf8')) as KubeObject[];
    markUsed(file);
    return objects;
  } catch {
    // not seen yet, or unreadable: parse it
  }
  const objects = parseManifests(manifest);
  const json = JSON.stringify(objects);
  if (!isDeepStrictEqual(JSON.parse(json), objects)) return objects;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, json, { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // a read-only cache folder only costs the next run this parse
  }
  return objects;
}

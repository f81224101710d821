import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Release } from '../config/types.js';
import { parseManifests, type KubeObject } from '../kube/objects.js';
import { keep, recallJson, rememberedFolder } from '../tools/cache-files.js';
import { secretValuesOf } from '../secrets/mask.js';

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
  if (secretValuesOf(release).length > 0) return parseManifests(manifest);
  const file = join(
    rememberedFolder('manifests'),
    `${createHash('sha256').update(`${FORMAT}\0${manifest}`).digest('hex')}.json`,
  );
  const kept = recallJson<KubeObject[]>(file);
  if (kept) return kept;
  const objects = parseManifests(manifest);
  const json = JSON.stringify(objects);
  if (isDeepStrictEqual(JSON.parse(json), objects)) keep(file, json);
  return objects;
}

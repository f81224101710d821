import { randomBytes } from 'node:crypto';
import type { Release } from '../config/types.js';
import type { Helm } from '../helm/helm.js';
import { secretPlaces, secretValuesOf, standInsFor } from '../secrets/mask.js';
import type { ValuesFiles } from './values-files.js';

/**
 * Where a release's short secret values land in its objects, found by rendering it once more with long stand-ins in
 * their place (`helm template`): text that short cannot be looked for without hiding unrelated text (`v1`), but its
 * places can be masked. Nothing when the release has no short secret value; nothing found when the stand-ins do not
 * render (a chart's schema that refuses them), and then only Secrets' data hide them (docs/secrets.md).
 */
export async function shortSecretPlaces(release: Release, helm: Helm, valuesFiles: ValuesFiles): Promise<Set<string>> {
  const set = standInsFor(release, () => randomBytes(12).toString('hex'));
  if (!set) return new Set();
  const probe: Release = { ...release, set };
  try {
    return secretPlaces(
      await helm.template(probe, valuesFiles.argsFor(probe, 'stand-in.')),
      secretValuesOf(probe),
      release.namespace,
    );
  } catch {
    return new Set();
  }
}

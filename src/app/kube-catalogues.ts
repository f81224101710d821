import { readFileSync } from 'node:fs';
import { catalogueFile, type KubeCatalogue, type KubeTarget } from '../lint/index.js';

const loaded = new Map<string, KubeCatalogue>();

/**
 * A Kubernetes version's types for lint, read from schema/kube/ once per process (the same path from src/ and
 * dist/; the package ships schema/). Throws UnknownKubeVersionError for a version that ships none.
 */
export function kubeTarget(version: string): KubeTarget {
  const file = catalogueFile(version);
  if (!loaded.has(file))
    loaded.set(
      file,
      JSON.parse(readFileSync(new URL(`../../schema/kube/${file}`, import.meta.url), 'utf8')) as KubeCatalogue,
    );
  return { version, catalogue: loaded.get(file)! };
}

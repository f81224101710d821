import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { helmTemplate, inBatches, type Manifests, repoRoot } from './helm.js';

export const environments = ['default', 'dev', 'staging', 'prod'];

export interface SystemRelease {
  name: string;
  chart: string;
  namespace: string;
  /** Absolute values files in boutique's layering order: the release's own, then values/<env>/<release>.yaml. */
  valuesFiles: string[];
  /** Names of the releases it needs. */
  needs: string[];
}

/** The releases boutique installs in one environment, as boutique's own loader reads releases.yaml. */
export function systemReleases(environment: string): SystemRelease[] {
  return loadConfig(join(repoRoot, 'releases.yaml'), environment)
    .releases.filter((release) => release.installed)
    .map((release) => {
      if (release.chart.kind !== 'local') throw new Error(`${release.id}: the shipped system uses local charts only`);
      return {
        name: release.name,
        chart: release.chart.path,
        namespace: release.namespace,
        valuesFiles: release.values.flatMap((layer) => (layer.kind === 'file' ? [layer.path] : [])),
        needs: release.needs.map((id) => id.slice(id.indexOf('/') + 1)),
      };
    });
}

/** Identical inputs render identically (the charts never print the namespace), so each combination renders once. */
export function valuesKey(release: SystemRelease): string {
  return [release.name, release.chart, ...release.valuesFiles].join('\0');
}

/** Renders every release of the given environments, each distinct combination of values files once, two at a time. */
export async function renderEnvironments(names: string[]): Promise<Map<string, Map<string, Manifests>>> {
  const distinct = new Map<string, SystemRelease>();
  for (const environment of names) {
    for (const release of systemReleases(environment)) distinct.set(valuesKey(release), release);
  }
  const keys = [...distinct.keys()];
  const rendered = await inBatches(keys.map((key) => () => {
    const release = distinct.get(key)!;
    return helmTemplate({ release: release.name, chart: release.chart, valuesFiles: release.valuesFiles, namespace: release.namespace });
  }));
  const byKey = new Map(keys.map((key, index) => [key, rendered[index]!]));
  return new Map(names.map((environment) => [
    environment,
    new Map(systemReleases(environment).map((release) => [release.name, byKey.get(valuesKey(release))!])),
  ]));
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helmTemplate, inBatches, type Manifests, repoRoot } from './helm.js';

/** releases.yaml as these tests read it: only the keys the shipped file uses. */
interface ReleasesFile {
  environments: Record<string, { namespace?: string; production?: boolean }>;
  defaults: { namespace: string };
  releases: Array<{ name: string; chart: string; values: string[]; needs?: string[]; installed?: boolean | Record<string, boolean> }>;
}

export const releasesFile = parse(readFileSync(join(repoRoot, 'releases.yaml'), 'utf8')) as ReleasesFile;
export const environments = ['default', ...Object.keys(releasesFile.environments)];

export interface SystemRelease {
  name: string;
  chart: string;
  namespace: string;
  /** Absolute values files in boutique's layering order: the release's own, then values/<env>/<release>.yaml. */
  valuesFiles: string[];
  needs: string[];
}

function isInstalled(installed: boolean | Record<string, boolean> | undefined, environment: string): boolean {
  if (installed === undefined || typeof installed === 'boolean') return installed ?? true;
  return installed[environment] ?? true;
}

/** The releases boutique installs in one environment, with the values files it layers for each. */
export function systemReleases(environment: string): SystemRelease[] {
  const namespace = releasesFile.environments[environment]?.namespace ?? releasesFile.defaults.namespace;
  return releasesFile.releases
    .filter((release) => isInstalled(release.installed, environment))
    .map((release) => {
      const overlay = join(repoRoot, 'values', environment, `${release.name}.yaml`);
      return {
        name: release.name,
        chart: join(repoRoot, release.chart),
        namespace,
        valuesFiles: [...release.values.map((file) => join(repoRoot, file)), ...(environment !== 'default' && existsSync(overlay) ? [overlay] : [])],
        needs: release.needs ?? [],
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

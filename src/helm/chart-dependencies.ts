import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGoYaml } from '../yaml/go-yaml.js';

interface Dependency {
  name: string;
  version?: string;
  repository?: string;
}

/** The dependencies a Chart.yaml or Chart.lock lists; [] when the file is missing. */
export const dependenciesIn = (file: string): Dependency[] => {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // Without the word, and without a backslash that could escape it in a quoted key, there is no dependencies key:
  // most charts need no YAML parse here, which a run pays once per release.
  if (!text.includes('dependencies') && !text.includes('\\')) return [];
  const parsed = parseGoYaml(text) as { dependencies?: Dependency[] } | null;
  return Array.isArray(parsed?.dependencies) ? parsed.dependencies : [];
};

/**
 * The dependencies of a local chart that its charts/ folder lacks (as Chart.lock pins them, else as Chart.yaml
 * declares them): what `helm dependency build` would fetch. [] for a chart without dependencies or with all of them.
 */
export function missingDependencies(chartPath: string): Dependency[] {
  const locked = dependenciesIn(join(chartPath, 'Chart.lock'));
  const wanted = locked.length > 0 ? locked : dependenciesIn(join(chartPath, 'Chart.yaml'));
  if (wanted.length === 0) return [];
  const chartsDir = join(chartPath, 'charts');
  const present = existsSync(chartsDir) ? readdirSync(chartsDir) : [];
  // helm dependency build leaves NAME-VERSION.tgz; a vendored dependency may be an unpacked NAME/ folder.
  // A file:// dependency is packed from a folder that may have changed since: it is always built afresh.
  return wanted.filter(({ name, version, repository }) => repository?.startsWith('file://') || !present.some((entry) => entry === name || (version ? entry === `${name}-${version}.tgz` : entry.startsWith(`${name}-`) && entry.endsWith('.tgz'))));
}

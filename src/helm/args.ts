import { helmSetLiteral } from '../config/set-flag.js';
import type { Release } from '../config/types.js';

/** Global flags that pick the cluster. */
export interface ClusterTarget {
  kubeContext?: string;
}

export function clusterArgs(target: ClusterTarget): string[] {
  return target.kubeContext ? ['--kube-context', target.kubeContext] : [];
}

function chartArgs(release: Release): string[] {
  switch (release.chart.kind) {
    case 'local':
      return [release.chart.path];
    case 'repository':
      return [release.chart.name, ...(release.chart.version ? ['--version', release.chart.version] : [])];
    case 'oci':
      return [release.chart.url, ...(release.chart.version ? ['--version', release.chart.version] : [])];
  }
}

/**
 * The release's values: the arguments for its layers and secret set values (ValuesFiles.argsFor: files only, so a
 * secret never stands in an argument list), then --set for the values that are not secret.
 */
export function valuesArgs(release: Release, values: readonly string[]): string[] {
  return [
    ...values,
    // Strings go through --set-string so that "true" or "0123" stay strings, as they are in releases.yaml; escaped, so
    // that a comma or a brace in a value stays in it instead of starting another key or a list.
    ...release.set
      .filter((entry) => !entry.secret)
      .flatMap(({ name, value }) => [
        typeof value === 'string' ? '--set-string' : '--set',
        `${name}=${helmSetLiteral(value)}`,
      ]),
  ];
}

export function templateArgs(release: Release, values: readonly string[]): string[] {
  return [
    'template',
    release.name,
    ...chartArgs(release),
    '--namespace',
    release.namespace,
    ...valuesArgs(release, values),
  ];
}

export function lintArgs(release: Release, values: readonly string[], strict: boolean): string[] {
  // helm lint takes only a local chart directory; callers skip other kinds.
  return [
    'lint',
    ...chartArgs(release),
    '--namespace',
    release.namespace,
    ...(strict ? ['--strict'] : []),
    ...valuesArgs(release, values),
  ];
}

export interface UpgradeOptions {
  /** helm 3 spells waiting and rolling back --wait and --atomic; helm 4 --wait=watcher and --rollback-on-failure. */
  helmMajor: number;
  /** Stored as a release label so the next run can tell that nothing changed without rendering. */
  labels?: Record<string, string>;
  /** `--dry-run=server --output json`: what helm would apply, rendered with the cluster's capabilities. */
  dryRun?: boolean;
  /**
   * helm 4 waits for the built-in kinds only (`--wait=legacy`, as helm 3's --wait does): boutique waits for the
   * release's custom resources by their health rules, which helm's watcher would hold on a Ready=False of until
   * its timeout, failed or not.
   */
  builtInKindsOnly?: boolean;
}

/**
 * With server-side apply (helm 4), a field someone changed with kubectl edit or scale belongs to another field
 * manager, and helm would stop on the conflict. releases.yaml is the source of truth, so sync takes those fields
 * back, as helm 3's three-way merge did.
 */
const forceConflicts = (helmMajor: number) => (helmMajor >= 4 ? ['--force-conflicts'] : []);

export function upgradeArgs(
  release: Release,
  values: readonly string[],
  target: ClusterTarget,
  options: UpgradeOptions,
): string[] {
  const helm4 = options.helmMajor >= 4;
  const labels = Object.entries(options.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  return [
    'upgrade',
    release.name,
    ...chartArgs(release),
    '--install',
    '--namespace',
    release.namespace,
    ...(release.createNamespace ? ['--create-namespace'] : []),
    ...valuesArgs(release, values),
    // Without it, an upgrade given no values at all reuses the last revision's: releases.yaml is the whole truth.
    '--reset-values',
    '--history-max',
    String(release.historyMax),
    '--timeout',
    release.timeout,
    ...(release.wait ? [helm4 ? (options.builtInKindsOnly ? '--wait=legacy' : '--wait=watcher') : '--wait'] : []),
    ...(release.atomic ? [helm4 ? '--rollback-on-failure' : '--atomic'] : []),
    ...forceConflicts(options.helmMajor),
    ...(labels.length > 0 ? ['--labels', labels.join(',')] : []),
    ...(options.dryRun ? ['--dry-run=server', '--output', 'json'] : []),
    ...clusterArgs(target),
  ];
}

export function uninstallArgs(release: Release, target: ClusterTarget, wait: boolean): string[] {
  return [
    'uninstall',
    release.name,
    '--namespace',
    release.namespace,
    ...(wait ? ['--wait', '--timeout', release.timeout] : []),
    ...clusterArgs(target),
  ];
}

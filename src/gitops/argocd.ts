import type { Release } from '../config/types.js';
import type { KubeObject } from '../kube/objects.js';
import { dependencyLevels } from '../graph/dag.js';
import { mergeTwo, withoutSecretPaths } from '../config/values-merge.js';
import {
  exportedNeeds,
  exportedReleases,
  objectName,
  repositoryPath,
  type ExportInput,
  type ExportNote,
  type ExportResult,
} from './model.js';

const api = 'argoproj.io/v1alpha1';
const inCluster = 'https://kubernetes.default.svc';
const waveAnnotation = 'argocd.argoproj.io/sync-wave';

/** Sync waves from the needs graph: a release's wave is its dependency level among the exported releases. */
export function syncWaves(releases: readonly Release[]): Map<string, number> {
  const levels = dependencyLevels(
    releases.map((release) => ({
      id: release.id,
      needs: exportedNeeds(release, releases).needs.map((need) => need.id),
    })),
  );
  return new Map(levels.flatMap((ids, wave) => ids.map((id) => [id, wave] as const)));
}

function chartSource(release: Release, input: ExportInput): Record<string, unknown> {
  const chart = release.chart;
  if (chart.kind === 'repository')
    return {
      repoURL: chart.repository.url,
      chart: chart.name.slice(chart.name.indexOf('/') + 1),
      targetRevision: chart.version ?? '*',
    };
  if (chart.kind === 'oci') {
    const url = chart.url.replace(/^oci:\/\//, '');
    return {
      repoURL: url.slice(0, url.lastIndexOf('/')),
      chart: url.slice(url.lastIndexOf('/') + 1),
      targetRevision: chart.version ?? '*',
    };
  }
  return { repoURL: input.git.url, path: repositoryPath(input, chart.path), targetRevision: input.git.revision };
}

/** What Argo CD, which renders charts with helm template and applies the result itself, has no place for. */
function unsupported(release: Release): ExportNote[] {
  const note = (feature: string, detail: string) => ({ release: release.id, feature, detail });
  return [
    ...(release.atomic
      ? [note('atomic', 'Argo CD does not roll a failed sync back; it retries, and selfHeal re-applies')]
      : []),
    note(
      'timeout',
      `${release.timeout}: an Application has no timeout of its own (a sync waits for health as long as it takes)`,
    ),
    ...(release.wait ? [] : [note('wait', 'wait: false: a sync wave waits for health anyway')]),
    note(
      'historyMax',
      `${release.historyMax} is kept as revisionHistoryLimit (Argo CD's sync history); there is no helm release history, so boutique rollback does not apply`,
    ),
    ...release.set
      .filter((entry) => entry.secret)
      .map((entry) =>
        note(
          'secret value',
          `set ${entry.name} is secret and left out: supply it from a Secret (e.g. argocd-vault-plugin or External Secrets)`,
        ),
      ),
  ];
}

function application(
  release: Release,
  input: ExportInput,
  releases: readonly Release[],
  wave: number,
  notes: ExportNote[],
): KubeObject {
  notes.push(...exportedNeeds(release, releases).notes, ...unsupported(release));
  const files = release.values.flatMap((layer) =>
    layer.kind === 'file' ? [`$values/${repositoryPath(input, layer.path)}`] : [],
  );
  // Argo CD applies valueFiles, then valuesObject, then parameters: boutique's order, as files come before inline maps.
  // Secret set paths are left out of it, as the secret is: a value there would be written, and win over a file that supplies the secret.
  const inline = withoutSecretPaths(
    release.values.reduce<Record<string, unknown>>(
      (merged, layer) => (layer.kind === 'inline' ? mergeTwo(merged, layer.values) : merged),
      {},
    ),
    release,
  );
  const parameters = release.set
    .filter((entry) => !entry.secret)
    .map((entry) => ({
      name: entry.name,
      value: String(entry.value),
      ...(typeof entry.value === 'string' && { forceString: true }),
    }));
  const helm = {
    releaseName: release.name,
    ...(files.length > 0 && { valueFiles: files }),
    ...(Object.keys(inline).length > 0 && { valuesObject: inline }),
    ...(parameters.length > 0 && { parameters }),
  };
  const valuesSource =
    files.length > 0 ? [{ repoURL: input.git.url, targetRevision: input.git.revision, ref: 'values' }] : [];
  return {
    apiVersion: api,
    kind: 'Application',
    metadata: {
      name: `${input.config.environment.name}-${objectName(release, releases)}`,
      namespace: input.namespace,
      annotations: { [waveAnnotation]: String(wave) },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: 'default',
      destination: { server: inCluster, namespace: release.namespace },
      sources: [{ ...chartSource(release, input), helm }, ...valuesSource],
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [...(release.createNamespace ? ['CreateNamespace=true'] : []), 'ServerSideApply=true'],
      },
      revisionHistoryLimit: release.historyMax,
    },
  };
}

/**
 * One environment as Argo CD Applications: one per release (a values source beside the chart), sync waves from
 * needs, and an app-of-apps root pointing at the folder of Applications. Pure.
 */
export function argoCdExport(input: ExportInput): ExportResult {
  const releases = exportedReleases(input.plan);
  const waves = syncWaves(releases);
  const notes: ExportNote[] = [];
  const apps = releases.map((release) => ({
    path: `apps/${objectName(release, releases)}.yaml`,
    objects: [application(release, input, releases, waves.get(release.id)!, notes)],
  }));
  const root: KubeObject = {
    apiVersion: api,
    kind: 'Application',
    metadata: { name: `boutique-${input.config.environment.name}`, namespace: input.namespace },
    spec: {
      project: 'default',
      source: {
        repoURL: input.git.url,
        targetRevision: input.git.revision,
        path: `${repositoryPath(input, input.outputDir)}/apps`,
      },
      destination: { server: inCluster, namespace: input.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
  return { files: [{ path: 'root.yaml', objects: [root] }, ...apps], notes };
}

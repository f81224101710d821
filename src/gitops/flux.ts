import type { Release } from '../config/types.js';
import type { KubeObject } from '../kube/objects.js';
import { withoutSecretPaths } from './merged-values.js';
import { exportedNeeds, exportedReleases, objectName, repositoryPath, type ExportInput, type ExportNote, type ExportResult } from './model.js';

const sourceApi = 'source.toolkit.fluxcd.io/v1';
const helmApi = 'helm.toolkit.fluxcd.io/v2';
/** The one source of every local chart: the platform repository itself. */
export const gitSourceName = 'boutique';

/** The Secret a release's secret set values come from: boutique never writes their values into exported files. */
export function secretValuesName(release: Release, releases: readonly Release[]): string {
  return `${objectName(release, releases)}-secret-values`;
}

function chartSourceName(release: Release): string {
  const chart = release.chart;
  if (chart.kind === 'repository') return chart.repository.name;
  if (chart.kind === 'oci') return chart.url.slice(chart.url.lastIndexOf('/') + 1);
  return gitSourceName;
}

function sourceObject(release: Release, input: ExportInput): KubeObject {
  const metadata = { name: chartSourceName(release), namespace: input.namespace };
  const chart = release.chart;
  if (chart.kind === 'repository') {
    const { url } = chart.repository;
    return { apiVersion: sourceApi, kind: 'HelmRepository', metadata, spec: { interval: input.interval, url, ...(url.startsWith('oci://') && { type: 'oci' }) } };
  }
  if (chart.kind === 'oci') {
    const ref = chart.version ? { tag: chart.version } : { semver: '*' };
    return { apiVersion: sourceApi, kind: 'OCIRepository', metadata, spec: { interval: input.interval, url: chart.url, ref, layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' } } };
  }
  return { apiVersion: sourceApi, kind: 'GitRepository', metadata, spec: { interval: input.interval, url: input.git.url, ref: { branch: input.git.revision } } };
}

function chartOf(release: Release, input: ExportInput): Record<string, unknown> {
  const chart = release.chart;
  const sourceRef = { name: chartSourceName(release), namespace: input.namespace };
  if (chart.kind === 'oci') return { chartRef: { kind: 'OCIRepository', ...sourceRef } };
  if (chart.kind === 'repository') {
    return { chart: { spec: { chart: chart.name.slice(chart.name.indexOf('/') + 1), ...(chart.version && { version: chart.version }), sourceRef: { kind: 'HelmRepository', ...sourceRef } } } };
  }
  // Revision: a chart from git is rebuilt on every commit, as boutique renders the working copy on every sync.
  return { chart: { spec: { chart: `./${repositoryPath(input, chart.path)}`, sourceRef: { kind: 'GitRepository', ...sourceRef }, reconcileStrategy: 'Revision' } } };
}

function helmRelease(release: Release, input: ExportInput, releases: readonly Release[], notes: ExportNote[]): KubeObject {
  const { needs, notes: needNotes } = exportedNeeds(release, releases);
  notes.push(...needNotes);
  const secrets = release.set.filter((entry) => entry.secret);
  for (const entry of secrets) {
    notes.push({ release: release.id, feature: 'secret value', detail: `set ${entry.name} comes from Secret ${input.namespace}/${secretValuesName(release, releases)} key ${entry.name}: create it there (SOPS, Sealed Secrets, External Secrets)` });
  }
  // atomic: helm rolls a failed install or upgrade back at once; Flux does the same with no retries and remediateLastFailure.
  const remediation = { retries: 0, remediateLastFailure: release.atomic };
  const wait = release.wait ? {} : { disableWait: true };
  return {
    apiVersion: helmApi,
    kind: 'HelmRelease',
    metadata: { name: objectName(release, releases), namespace: input.namespace },
    spec: {
      interval: input.interval,
      releaseName: release.name,
      targetNamespace: release.namespace,
      // helm's storage stays where boutique kept it, so Flux takes over the existing releases.
      storageNamespace: release.namespace,
      ...chartOf(release, input),
      ...(needs.length > 0 && { dependsOn: needs.map((need) => ({ name: objectName(need, releases), namespace: input.namespace })) }),
      timeout: release.timeout,
      maxHistory: release.historyMax,
      install: { createNamespace: release.createNamespace, ...wait, remediation },
      upgrade: { ...wait, remediation: { ...remediation, strategy: 'rollback' } },
      // boutique repairs drift on every sync.
      driftDetection: { mode: 'enabled' },
      // Without the secret paths: spec.values wins over valuesFrom in Flux, and a secret set must win over the layers.
      values: withoutSecretPaths(input.values.get(release.id) ?? {}, release),
      ...(secrets.length > 0 && {
        valuesFrom: secrets.map((entry) => ({ kind: 'Secret', name: secretValuesName(release, releases), valuesKey: entry.name, targetPath: entry.name })),
      }),
    },
  };
}

/**
 * One environment as Flux objects: a HelmRelease per release (dependsOn from needs), the chart sources they read,
 * and a kustomization.yaml listing the files. Pure.
 */
export function fluxExport(input: ExportInput): ExportResult {
  const releases = exportedReleases(input.plan);
  const notes: ExportNote[] = [];
  const sources = new Map<string, KubeObject>();
  for (const release of releases) {
    const source = sourceObject(release, input);
    sources.set(`${source.kind}/${source.metadata.name}`, source);
  }
  const files = [
    { path: 'sources.yaml', objects: [...sources.values()] },
    ...releases.map((release) => ({ path: `${objectName(release, releases)}.yaml`, objects: [helmRelease(release, input, releases, notes)] })),
  ];
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((file) => file.path) } as unknown as KubeObject;
  return { files: [...files, { path: 'kustomization.yaml', objects: [kustomization] }], notes };
}

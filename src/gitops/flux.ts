import type { Release } from '../config/types.js';
import { growListsOnSetPath } from '../config/values-path.js';
import type { KubeObject } from '../kube/objects.js';
import { withoutSecretPaths } from '../config/values-merge.js';
import {
  exportedNeeds,
  exportedReleases,
  objectName,
  repositoryPath,
  type ExportInput,
  type ExportNote,
  type ExportResult,
} from './model.js';

const sourceApi = 'source.toolkit.fluxcd.io/v1';
const helmApi = 'helm.toolkit.fluxcd.io/v2';
/** The one source of every local chart: the platform repository itself. */
export const gitSourceName = 'boutique';

/** An object's name in the export: with prefixNames, after its environment's name. */
const named = (input: Pick<ExportInput, 'config' | 'prefixNames'>, name: string) =>
  input.prefixNames ? `${input.config.environment.name}-${name}` : name;

/** The Secret a release's secret set values come from: boutique never writes their values into exported files. */
export function secretValuesName(release: Release, releases: readonly Release[]): string {
  return `${objectName(release, releases)}-secret-values`;
}

/** The HelmRelease CRD's check of a valuesFrom targetPath: the API server refuses any other name. */
const targetPathPattern = /^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/;
const maxTargetPathLength = 250;

/** A release's secret set value whose name no targetPath can be (`index` counts the release's set entries). */
export interface UntargetableSecret {
  release: Release;
  index: number;
}

/** Secret set values Flux cannot read from a Secret: the export refuses them, rather than apply a HelmRelease the API server rejects. */
export function untargetableSecrets(releases: readonly Release[]): UntargetableSecret[] {
  return releases.flatMap((release) =>
    release.set.flatMap((entry, index) =>
      entry.secret && !(entry.name.length <= maxTargetPathLength && targetPathPattern.test(entry.name))
        ? [{ release, index }]
        : [],
    ),
  );
}

const maxKeyLength = 253;
const isKey = (key: string) =>
  /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= maxKeyLength && key !== '.' && !key.startsWith('..');

/**
 * The Secret data key a secret set value is read from, for its helm --set path: the path itself where Kubernetes
 * takes it as a key (a Secret's data keys and a HelmRelease's valuesKey allow only [-._a-zA-Z0-9], at most 253
 * characters, not "." or a leading ".."), else each other character as `_` (`users[0].token` → `users_0_.token`). Pure.
 */
export function secretKey(name: string): string {
  if (isKey(name)) return name;
  const key = name.replace(/[^-._a-zA-Z0-9]/gu, '_').slice(0, maxKeyLength);
  return key === '.' || key.startsWith('..') ? `_${key.slice(1)}` : key;
}

/**
 * The Secret keys of one release's secret set values, by name: secretKey's, and where two names come out the same,
 * the later one gets `-2`, `-3`, …. A name that is a key already always keeps it. Pure.
 */
export function secretKeys(names: readonly string[]): Map<string, string> {
  const distinct = [...new Set(names)];
  const taken = new Set(distinct.filter(isKey));
  const keys = new Map<string, string>();
  for (const name of distinct) {
    if (isKey(name)) {
      keys.set(name, name);
      continue;
    }
    const base = secretKey(name);
    let key = base;
    for (let n = 2; taken.has(key); n++) key = `${base.slice(0, maxKeyLength - `-${n}`.length)}-${n}`;
    taken.add(key);
    keys.set(name, key);
  }
  return keys;
}

function chartSourceName(release: Release, input: ExportInput): string {
  const chart = release.chart;
  if (chart.kind === 'repository') return named(input, chart.repository.name);
  if (chart.kind === 'oci') return named(input, chart.url.slice(chart.url.lastIndexOf('/') + 1));
  return named(input, gitSourceName);
}

function sourceObject(release: Release, input: ExportInput): KubeObject {
  const metadata = { name: chartSourceName(release, input), namespace: input.namespace };
  const chart = release.chart;
  if (chart.kind === 'repository') {
    const { url } = chart.repository;
    return {
      apiVersion: sourceApi,
      kind: 'HelmRepository',
      metadata,
      spec: { interval: input.interval, url, ...(url.startsWith('oci://') && { type: 'oci' }) },
    };
  }
  if (chart.kind === 'oci') {
    const ref = chart.version ? { tag: chart.version } : { semver: '*' };
    return {
      apiVersion: sourceApi,
      kind: 'OCIRepository',
      metadata,
      spec: {
        interval: input.interval,
        url: chart.url,
        ref,
        layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
      },
    };
  }
  return {
    apiVersion: sourceApi,
    kind: 'GitRepository',
    metadata,
    spec: { interval: input.interval, url: input.git.url, ref: { branch: input.git.revision } },
  };
}

function chartOf(release: Release, input: ExportInput): Record<string, unknown> {
  const chart = release.chart;
  const sourceRef = { name: chartSourceName(release, input), namespace: input.namespace };
  if (chart.kind === 'oci') return { chartRef: { kind: 'OCIRepository', ...sourceRef } };
  if (chart.kind === 'repository') {
    return {
      chart: {
        spec: {
          chart: chart.name.slice(chart.name.indexOf('/') + 1),
          ...(chart.version && { version: chart.version }),
          sourceRef: { kind: 'HelmRepository', ...sourceRef },
        },
      },
    };
  }
  // Revision: a chart from git is rebuilt on every commit, as boutique renders the working copy on every sync.
  return {
    chart: {
      spec: {
        chart: `./${repositoryPath(input, chart.path)}`,
        sourceRef: { kind: 'GitRepository', ...sourceRef },
        reconcileStrategy: 'Revision',
      },
    },
  };
}

/**
 * spec.values for a release whose secret set values come from valuesFrom entries with a targetPath. Without the
 * secret paths: before helm-controller v1.1.0 spec.values wins over valuesFrom, and a secret set must win over the
 * layers. With each list on a secret's path long enough for its index: helm-controller sets a targetPath into the
 * values it merged from spec.values, then merges spec.values over the result once more, so a list the targetPath
 * had to grow (a secret at `users[2].token` beside a one-element `users`) would be replaced by the shorter one
 * and the secret dropped; grown here as helm --set grows it, the list is set in place and kept.
 */
function fluxValues(values: Record<string, unknown>, release: Release): Record<string, unknown> {
  return release.set
    .filter((entry) => entry.secret)
    .reduce((out, entry) => growListsOnSetPath(out, entry.name), withoutSecretPaths(values, release));
}

function helmRelease(
  release: Release,
  input: ExportInput,
  releases: readonly Release[],
  notes: ExportNote[],
): KubeObject {
  const { needs, notes: needNotes } = exportedNeeds(release, releases);
  notes.push(...needNotes);
  const secretName = named(input, secretValuesName(release, releases));
  const secrets = release.set.filter((entry) => entry.secret);
  // A value boutique reads from a cluster Secret is read by Flux from the same Secret and key (valuesFrom).
  const fromCluster = (entry: (typeof secrets)[number]) =>
    entry.valueFrom && 'secret' in entry.valueFrom ? entry.valueFrom : undefined;
  const keys = secretKeys(secrets.filter((entry) => !fromCluster(entry)).map((entry) => entry.name));
  const refs = secrets.map((entry) => {
    const source = fromCluster(entry);
    if (!source) return { kind: 'Secret', name: secretName, valuesKey: keys.get(entry.name)!, targetPath: entry.name };
    const [namespace, name] = source.secret.split('/') as [string, string];
    if (namespace !== input.namespace) {
      notes.push({
        release: release.id,
        feature: 'valueFrom secret',
        detail: `set ${entry.name} reads Secret ${source.secret}, but Flux reads valuesFrom only from the HelmRelease's namespace ${input.namespace}: copy the Secret to ${input.namespace}/${name} (or reflect it there)`,
      });
    }
    return { kind: 'Secret', name, valuesKey: source.key, targetPath: entry.name };
  });
  secrets.forEach((entry, index) => {
    if (fromCluster(entry)) return;
    const from = entry.valueFrom;
    const origin = !from
      ? ''
      : 'env' in from
        ? ` (boutique reads it from the environment variable ${from.env})`
        : 'file' in from
          ? ` (boutique reads it from the file ${from.file})`
          : '';
    const ref = refs[index]!;
    notes.push({
      release: release.id,
      feature: 'secret value',
      detail: `set ${ref.targetPath}${origin} comes from Secret ${input.namespace}/${ref.name} key ${ref.valuesKey}: create it there (SOPS, Sealed Secrets, External Secrets)`,
    });
  });
  // atomic: helm rolls a failed install or upgrade back at once; Flux does the same with no retries and remediateLastFailure.
  const remediation = { retries: 0, remediateLastFailure: release.atomic };
  const wait = release.wait ? {} : { disableWait: true };
  return {
    apiVersion: helmApi,
    kind: 'HelmRelease',
    metadata: { name: named(input, objectName(release, releases)), namespace: input.namespace },
    spec: {
      interval: input.interval,
      releaseName: release.name,
      targetNamespace: release.namespace,
      // helm's storage stays where boutique kept it, so Flux takes over the existing releases.
      storageNamespace: release.namespace,
      ...chartOf(release, input),
      ...(needs.length > 0 && {
        dependsOn: needs.map((need) => ({
          name: named(input, objectName(need, releases)),
          namespace: input.namespace,
        })),
      }),
      timeout: release.timeout,
      maxHistory: release.historyMax,
      install: { createNamespace: release.createNamespace, ...wait, remediation },
      upgrade: { ...wait, remediation: { ...remediation, strategy: 'rollback' } },
      // boutique repairs drift on every sync.
      driftDetection: { mode: 'enabled' },
      values: fluxValues(input.values.get(release.id) ?? {}, release),
      ...(refs.length > 0 && { valuesFrom: refs }),
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
    ...releases.map((release) => ({
      path: `${objectName(release, releases)}.yaml`,
      objects: [helmRelease(release, input, releases, notes)],
    })),
  ];
  const kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((file) => file.path),
  } as unknown as KubeObject;
  return { files: [...files, { path: 'kustomization.yaml', objects: [kustomization] }], notes };
}

import type { Plan } from '../plan/plan.js';
import type { PlannedChange } from '../plan/sync-plan.js';
import { hooksFromHelm } from '../helm/records.js';
import { kindsByScope, parseManifests, type KubeObject } from '../kube/objects.js';
import { CustomResourceRefusedError, previewCustomResources, previewedKeys } from '../lint/crd-preview.js';
import type { ClusterDeps } from './deps.js';
import type { ValuesFiles } from './values-files.js';

/** helm's server dry run of a release whose custom resources need a CRD the cluster does not serve yet. */
export const unmappedKind = (error: Error) =>
  /no matches for kind|ensure CRDs are installed first|resource mapping not found/.test(error.message);

// helm template --include-crds marks each document with its file; a chart's (or a subchart's) crds/ folder is at its root.
const CRDS_FOLDER_SOURCE = /^# Source: [^/\s]+(?:\/charts\/[^/\s]+)*\/crds\//m;

/** A render with --include-crds, split into what helm installs from crds/ (as it is, outside the release) and the rest. */
function splitCrdsFolder(manifest: string): { crdsFolder: KubeObject[]; templated: KubeObject[] } {
  const documents = manifest.split(/^---[ \t]*$/m);
  const parse = (fromCrds: boolean) =>
    parseManifests(documents.filter((document) => CRDS_FOLDER_SOURCE.test(document) === fromCrds).join('\n---\n'));
  return { crdsFolder: parse(true), templated: parse(false) };
}

/**
 * What a release would apply when the cluster cannot map some of its kinds yet, because their CRDs come with the
 * release (its crds/ folder, which helm installs first, on install only) or with a release it needs that this run
 * installs or changes: helm's client-side render; the custom resources of those CRDs validated against their
 * schemas here (lint/crd-preview.ts) and marked so; everything else through the API server's dry run. A custom
 * resource the schema refuses fails the release's diff. Anything else the cluster cannot map stays helm's error
 * (`cause`); `own` stamps helm's ownership on an object of the release, as the diff's other path does.
 */
export async function previewWithCrds(
  change: PlannedChange,
  plan: Plan,
  deps: ClusterDeps,
  valuesFiles: ValuesFiles,
  options: { cause: Error; own: (obj: KubeObject) => KubeObject },
) {
  const { release } = change;
  const { crdsFolder, templated } = splitCrdsFolder(
    await deps.helm.templateWithCrds(release, valuesFiles.argsFor(release)),
  );
  const ownCrds = change.action === 'install' ? crdsFolder : [];
  const needed = plan.releases.filter((candidate) => change.changingNeeds.includes(candidate.id));
  const sources = [
    { release: release.id, crds: ownCrds },
    ...(await Promise.all(
      needed.map(async (need) => ({
        release: need.id,
        crds: parseManifests(await deps.helm.templateWithCrds(need, valuesFiles.argsFor(need))),
      })),
    )),
  ];
  // A CRD the cluster has already serves its kinds: those objects go through the server's dry run as usual.
  const crds = sources.flatMap((source) => source.crds.filter((obj) => obj.kind === 'CustomResourceDefinition'));
  const installed = new Set(
    (crds.length > 0 ? await deps.kubectl.listKinds(kindsByScope(crds, release.namespace)) : []).map(
      (obj) => obj.metadata.name ?? '',
    ),
  );
  const isHook = (obj: KubeObject) => obj.metadata.annotations?.['helm.sh/hook'] !== undefined;
  const objects = templated.filter((obj) => !isHook(obj)).map(options.own);
  const preview = previewCustomResources(objects, sources, installed);
  if (preview.previewed.length === 0) throw options.cause;
  if (preview.violations.length > 0) {
    throw new CustomResourceRefusedError(
      `${release.id}: the API server would refuse ${preview.violations.length === 1 ? 'a custom resource' : 'custom resources'}:\n${preview.violations.join('\n')}`,
      {
        suggestions: [
          'fix the values or templates that render them: each is checked against the schema of the CRD that will serve it',
        ],
      },
    );
  }
  const previewed = new Set(preview.previewed.map(({ object }) => object));
  // helm installs the crds/ CRDs the cluster lacks, as they are: no release labels, and none it has already.
  const served = [
    ...ownCrds.filter((crd) => !installed.has(crd.metadata.name ?? '')),
    ...objects.filter((obj) => !previewed.has(obj)),
  ];
  return {
    desired: [...((await deps.kubectl.dryRunApply(served, release.namespace)) ?? served), ...previewed],
    served,
    hooks: hooksFromHelm(
      templated
        .filter(isHook)
        .map((obj) => JSON.stringify(obj))
        .join('\n---\n'),
    ),
    previewed: previewedKeys(preview, release.namespace),
  };
}

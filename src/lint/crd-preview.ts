import { AppError } from '../errors.js';
import { isCustomResourceDefinition, objectKey, type KubeObject } from '../kube/objects.js';
import { crdSchemas } from './crd-schemas.js';
import { describeError } from './validate-schemas.js';
import { objectRef } from './workloads.js';

/** CustomResourceDefinitions a release renders (its `crds/` folder and its templates), by that release. */
export interface CrdSource {
  release: string;
  crds: readonly KubeObject[];
}

/** A custom resource checked client-side against a CRD the cluster does not serve yet. */
export interface PreviewedResource {
  object: KubeObject;
  /** The release whose CRD it was checked against. */
  crdRelease: string;
}

export interface CrdPreview {
  previewed: PreviewedResource[];
  /** `Kind/name: path: message`, each a way the API server would refuse the object. */
  violations: string[];
}

/** Custom resources the API server would refuse once their CRD is installed: found before anything is applied. */
export class CustomResourceRefusedError extends AppError {
  readonly code = 'CUSTOM_RESOURCE_REFUSED';
}

/** The mark a previewed custom resource carries in diffs and plans. */
export const previewMark = (crdRelease: string) => `checked against the CRD from ${crdRelease}, not yet installed`;

/** `group/version/Kind` of every version a CRD serves: the API server refuses objects of a version it does not serve. */
function servedKinds(crd: KubeObject): string[] {
  const spec = (crd.spec ?? {}) as {
    group?: unknown;
    names?: { kind?: unknown };
    versions?: { name?: unknown; served?: unknown }[];
  };
  if (typeof spec.group !== 'string' || typeof spec.names?.kind !== 'string' || !Array.isArray(spec.versions))
    return [];
  return spec.versions
    .filter((version) => version.served !== false && typeof version.name === 'string')
    .map((version) => `${spec.group}/${version.name}/${spec.names!.kind}`);
}

/**
 * The custom resources among `objects` whose kind a CRD of `sources` defines and `installed` does not list, each
 * validated as the API server would once the CRD is in place: against the version's openAPIV3Schema (types,
 * required fields, enums, patterns, bounds), and strictly, as helm 4 applies (fieldValidation=Strict: an unknown
 * field is refused, except under x-kubernetes-preserve-unknown-fields). A CRD of the release itself comes before
 * one of a release it needs. Pure: the renders come in, the verdicts go out.
 */
export function previewCustomResources(
  objects: readonly KubeObject[],
  sources: readonly CrdSource[],
  installed: ReadonlySet<string> = new Set(),
): CrdPreview {
  const origin = new Map<string, string>();
  for (const { release, crds } of [...sources].reverse()) {
    for (const crd of crds.filter(isCustomResourceDefinition)) {
      if (installed.has(crd.metadata.name ?? '')) continue;
      for (const kind of servedKinds(crd)) origin.set(kind, release);
    }
  }
  if (origin.size === 0) return { previewed: [], violations: [] };
  const validators = crdSchemas(sources.flatMap(({ crds }) => crds.filter(isCustomResourceDefinition)).reverse());
  const previewed: PreviewedResource[] = [];
  const violations: string[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const crdRelease = origin.get(key);
    if (crdRelease === undefined || isCustomResourceDefinition(object)) continue;
    previewed.push({ object, crdRelease });
    const validate = validators.get(key);
    if (!validate || validate(object as unknown)) continue;
    const problems = (validate.errors ?? []).map(describeError).sort((a, b) => a.path.localeCompare(b.path));
    violations.push(
      ...problems.map(({ path, message }) => `${objectRef(object)}: ${path}: ${message} (${previewMark(crdRelease)})`),
    );
  }
  return { previewed, violations };
}

/** The keys of previewed objects, for the diff to mark them. */
export const previewedKeys = (preview: CrdPreview, namespace: string): Map<string, string> =>
  new Map(preview.previewed.map(({ object, crdRelease }) => [objectKey(object, namespace), previewMark(crdRelease)]));

import { AppError, ExitCode } from '../errors.js';
import { crdSchemaChanges, servedVersions, unsafeCrdChanges, type CrdUpgrade } from '../crd/upgrade-safety.js';
import { isCustomResourceDefinition, parseManifests, type KubeObject } from '../kube/objects.js';
import type { Release } from '../config/types.js';
import { record } from '../lint/untyped.js';
import type { ClusterDeps } from './deps.js';

/**
 * The CRDs among a release's rendered objects that exist live and would change. helm upgrades a templated CRD
 * like any object (never one in `crds/`, which is not in the manifest), so the live custom resources of each are
 * read, at every version served before and after, and checked against the new schema.
 */
export async function crdUpgrades(
  rendered: readonly KubeObject[],
  deps: Pick<ClusterDeps, 'kubectl'>,
): Promise<CrdUpgrade[]> {
  const upgrades: CrdUpgrade[] = [];
  for (const proposed of rendered.filter(isCustomResourceDefinition)) {
    const current = await deps.kubectl.getObject({
      apiVersion: proposed.apiVersion,
      kind: proposed.kind,
      namespace: '',
      name: proposed.metadata.name,
    });
    if (!current) continue;
    const changes = crdSchemaChanges(current, proposed);
    if (changes.length === 0) continue;
    const group = record(proposed.spec).group;
    const kind = record(record(current.spec).names).kind;
    const servedBoth = servedVersions(current).filter((version) => servedVersions(proposed).includes(version));
    // A version that stops being served is a finding of its own; its objects are read at a version that stays.
    const readAt = servedBoth.length > 0 ? servedBoth : servedVersions(current).slice(0, 1);
    const live =
      typeof group === 'string' && typeof kind === 'string'
        ? (await Promise.all(readAt.map((version) => deps.kubectl.listEverywhere(`${group}/${version}`, kind)))).flat()
        : [];
    upgrades.push({ crd: proposed.metadata.name, changes, findings: unsafeCrdChanges(current, proposed, live) });
  }
  return upgrades;
}

/** A release would change a CRD in a way that breaks stored objects or clients, and no flag allowed it. */
export class UnsafeCrdChangeError extends AppError {
  readonly code = 'CRD_UNSAFE';

  constructor(readonly upgrades: CrdUpgrade[]) {
    const lines = upgrades.flatMap((upgrade) =>
      upgrade.findings.flatMap((finding) => [
        `${upgrade.crd}: ${finding.message} [${finding.rule}]`,
        ...finding.objects.map((object) => `  ${object}`),
      ]),
    );
    super(`unsafe CustomResourceDefinition change, nothing was applied:\n${lines.join('\n')}`, {
      suggestions: [
        `if the break is intended (the objects are migrated or disposable), pass ${[...new Set(upgrades.map((upgrade) => `--allow-unsafe-crd-change ${upgrade.crd}`))].join(' ')}`,
      ],
    });
  }
}

/** The upgrades whose findings no `--allow-unsafe-crd-change` names. */
export function refusedCrdUpgrades(upgrades: readonly CrdUpgrade[], allowed: readonly string[]): CrdUpgrade[] {
  return upgrades.filter((upgrade) => upgrade.findings.length > 0 && !allowed.includes(upgrade.crd));
}

/** A CRD an uninstall deletes, with the live custom resources the API server deletes with it. */
export interface CrdDeletion {
  release: string;
  crd: string;
  kind: string;
  objects: number;
}

/**
 * The templated CRDs that uninstalling these releases deletes (helm keeps those in `crds/`, which are not in the
 * manifest, and those annotated `helm.sh/resource-policy: keep`), each with how many live objects go with it.
 */
export async function crdDeletions(
  releases: readonly { release: Release; manifest: string }[],
  deps: Pick<ClusterDeps, 'kubectl'>,
): Promise<CrdDeletion[]> {
  const deletions: CrdDeletion[] = [];
  const manifests = releases.map(({ release, manifest }) => ({ release, objects: parseManifests(manifest) }));
  // Custom resources that one of these releases holds are uninstalled with it, before the CRD (dependents first).
  const uninstalledToo = new Set(
    manifests.flatMap(({ release, objects }) =>
      objects.map((obj) => `${obj.kind}/${obj.metadata.namespace ?? release.namespace}/${obj.metadata.name}`),
    ),
  );
  for (const { release, objects } of manifests) {
    for (const crd of objects.filter(isCustomResourceDefinition)) {
      if (crd.metadata.annotations?.['helm.sh/resource-policy'] === 'keep') continue;
      const group = record(crd.spec).group;
      const kind = record(record(crd.spec).names).kind;
      const [version] = servedVersions(crd);
      if (typeof group !== 'string' || typeof kind !== 'string' || !version) continue;
      const live = (await deps.kubectl.listEverywhere(`${group}/${version}`, kind)).filter(
        (obj) => !uninstalledToo.has(`${kind}/${obj.metadata.namespace}/${obj.metadata.name}`),
      );
      if (live.length > 0) deletions.push({ release: release.id, crd: crd.metadata.name, kind, objects: live.length });
    }
  }
  return deletions;
}

/** An uninstall would delete CRDs that still have objects, and --delete-crds did not say so: --yes is not enough. */
export class CrdDeletionError extends AppError {
  readonly code = 'CRD_DELETION';
  override readonly exitCode = ExitCode.config;

  constructor(readonly deletions: CrdDeletion[]) {
    const lines = deletions.map(
      (deletion) =>
        `${deletion.release} deletes CustomResourceDefinition ${deletion.crd} and with it ${deletion.objects} live ${deletion.kind} ${deletion.objects === 1 ? 'object' : 'objects'}`,
    );
    super(`nothing was uninstalled: ${lines.join('; ')}`, {
      suggestions: [
        'pass --delete-crds to delete them with their objects, or move the objects elsewhere first; --yes alone does not',
      ],
    });
  }
}

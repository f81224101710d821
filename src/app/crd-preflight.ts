import { AppError } from '../errors.js';
import { crdSchemaChanges, unsafeCrdChanges, type CrdUpgrade } from '../crd/upgrade-safety.js';
import type { KubeObject } from '../kube/objects.js';
import { list, record } from '../lint/untyped.js';
import type { ClusterDeps } from './deps.js';

const isCrd = (obj: KubeObject) => obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/');

/**
 * The CRDs among a release's rendered objects that exist live and would change. helm upgrades a templated CRD
 * like any object (never one in `crds/`, which is not in the manifest), so the live custom resources of each are
 * read, at every version served before and after, and checked against the new schema.
 */
export async function crdUpgrades(rendered: readonly KubeObject[], deps: Pick<ClusterDeps, 'kubectl'>): Promise<CrdUpgrade[]> {
  const upgrades: CrdUpgrade[] = [];
  for (const proposed of rendered.filter(isCrd)) {
    const current = await deps.kubectl.getObject({ apiVersion: proposed.apiVersion, kind: proposed.kind, namespace: '', name: proposed.metadata.name });
    if (!current) continue;
    const changes = crdSchemaChanges(current, proposed);
    if (changes.length === 0) continue;
    const group = record(proposed.spec).group;
    const kind = record(record(current.spec).names).kind;
    const servedBoth = servedVersions(current).filter((version) => servedVersions(proposed).includes(version));
    // A version that stops being served is a finding of its own; its objects are read at a version that stays.
    const readAt = servedBoth.length > 0 ? servedBoth : servedVersions(current).slice(0, 1);
    const live = typeof group === 'string' && typeof kind === 'string' ? (await Promise.all(readAt.map((version) => deps.kubectl.listEverywhere(`${group}/${version}`, kind)))).flat() : [];
    upgrades.push({ crd: proposed.metadata.name, changes, findings: unsafeCrdChanges(current, proposed, live) });
  }
  return upgrades;
}

const servedVersions = (crd: KubeObject) =>
  list(record(crd.spec).versions)
    .map(record)
    .filter((version) => version.served !== false && typeof version.name === 'string')
    .map((version) => version.name as string);

/** A release would change a CRD in a way that breaks stored objects or clients, and no flag allowed it. */
export class UnsafeCrdChangeError extends AppError {
  readonly code = 'CRD_UNSAFE';

  constructor(readonly upgrades: CrdUpgrade[]) {
    const lines = upgrades.flatMap((upgrade) =>
      upgrade.findings.flatMap((finding) => [`${upgrade.crd}: ${finding.message} [${finding.rule}]`, ...finding.objects.map((object) => `  ${object}`)]),
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

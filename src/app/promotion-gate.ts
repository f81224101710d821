import type { ClusterDeps } from './deps.js';
import { loadConfig, valuesReaderOf } from '../config/load.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import { valuesWithoutSecrets, versionIn } from '../config/values-merge.js';
import type { Plan } from '../plan/plan.js';
import { readAllDeployed } from './deployed.js';
import { gateRefusals, PromotionGateError, renderRefusals, type Refusal } from '../promotion/gate.js';

export interface GateOptions {
  config: ReleasesConfig;
  plan: Plan;
  /** Why the gate is overridden (an emergency); the run goes on and says what it let through. */
  override?: string;
  /** Helm and kubectl for the source environment's cluster, through its own kubeContext. */
  sourceDeps: (source: ReleasesConfig) => Promise<ClusterDeps>;
  concurrency: number;
  warn: (message: string) => void;
}

/** The same release as declared for the other environment (releases keep their declaration order). */
export function counterpart(release: Release, config: ReleasesConfig, other: ReleasesConfig): Release {
  return other.releases[config.releases.indexOf(release)]!;
}

/** The version each release would run in its environment, from its merged values. */
export function wantedVersion(release: Release): string | undefined {
  return versionIn(
    valuesWithoutSecrets(release, (path) => valuesReaderOf(release).values(path)),
    release,
  );
}

async function refusals(options: GateOptions, from: string): Promise<Refusal[]> {
  const { config, plan } = options;
  const source = loadConfig(config.file, from, { allowDuplicateKeys: valuesReaderOf(config).allowDuplicateKeys });
  const releases = plan.releases.filter((release) => release.installed);
  const deployed = await readAllDeployed(
    releases.map((release) => counterpart(release, config, source)),
    await options.sourceDeps(source),
    options.concurrency,
  );
  return gateRefusals(
    releases.map((release, index) => ({ release, wanted: wantedVersion(release), source: deployed[index]! })),
    from,
  );
}

/**
 * The promotion gate of sync and diff, before anything is applied: an environment with `promotedFrom` runs only
 * versions that are deployed and ready in that environment. Throws PromotionGateError naming every release it
 * refuses, unless overridden, when it warns instead.
 */
export async function enforcePromotionGate(options: GateOptions): Promise<void> {
  const from = options.config.environment.promotedFrom;
  if (!from) return;
  const environment = options.config.environment.name;
  if (options.override !== undefined) {
    const found = await refusals(options, from).catch((error: Error) => error);
    const what =
      found instanceof Error
        ? `could not check ${from}: ${found.message}`
        : found.length > 0
          ? `letting through:\n${renderRefusals(found)}`
          : 'nothing was refused';
    options.warn(`Warning: promotion gate ${from} -> ${environment} overridden (reason: ${options.override}); ${what}`);
    return;
  }
  const found = await refusals(options, from);
  if (found.length === 0) return;
  throw new PromotionGateError(
    `promotion gate: ${found.length} release(s) would run a version that is not deployed and ready in ${from}; nothing was applied\n${renderRefusals(found)}`,
    {
      suggestions: [
        `promote what runs in ${from}: boutique promote --from ${from} --to ${environment}`,
        `in an emergency: --override-promotion-gate "<reason>"`,
      ],
    },
  );
}

import type { Release } from '../config/types.js';
import { AppError } from '../errors.js';

/** A release as it runs in the environment a promotion reads from. */
export interface DeployedRelease {
  /** helm's status of the latest revision; undefined when helm has no such release there. */
  status?: string;
  /** The image tag or digest of the deployed values (see versionIn). */
  version?: string;
  /** Workloads of the release that are not ready, as Kind/name. */
  notReady: string[];
}

export interface GateCheck {
  release: Release;
  /** The version this environment would run. */
  wanted?: string;
  /** The same release in the source environment. */
  source: DeployedRelease;
}

export interface Refusal {
  release: Release;
  reason: string;
}

/** Why a deployed release cannot be promoted as it is, or undefined when it is deployed and ready. */
export function unhealthyReason(source: DeployedRelease, environment: string): string | undefined {
  if (source.status === undefined) return `is not installed in ${environment}`;
  if (source.status !== 'deployed') return `is ${source.status} in ${environment}`;
  if (source.notReady.length > 0) return `is not ready in ${environment}: ${source.notReady.join(', ')}`;
  return undefined;
}

/**
 * The promotion gate: every release must run a version that is deployed and ready in the environment it is
 * promoted from. Returns each release that may not, with why. Pure.
 */
export function gateRefusals(checks: readonly GateCheck[], sourceEnvironment: string): Refusal[] {
  return checks.flatMap(({ release, wanted, source }): Refusal[] => {
    const unhealthy = unhealthyReason(source, sourceEnvironment);
    if (unhealthy) return [{ release, reason: unhealthy }];
    if (wanted === source.version) return [];
    return [
      {
        release,
        reason: `${wanted ?? 'the chart default'} has not run in ${sourceEnvironment} (it runs ${source.version ?? 'the chart default'})`,
      },
    ];
  });
}

/** Some releases would run versions that have not run, deployed and ready, in the environment before. */
export class PromotionGateError extends AppError {
  readonly code = 'PROMOTION_GATE';
}

export function renderRefusals(refusals: readonly Refusal[]): string {
  return refusals.map(({ release, reason }) => `  ${release.id}: ${reason}`).join('\n');
}

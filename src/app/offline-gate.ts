import { loadConfig, valuesReaderOf } from '../config/load.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import type { Finding } from '../lint/types.js';
import { counterpart, wantedVersion } from './promotion-gate.js';

/**
 * The promotion gate offline, for lint: each release must pin the version its source environment's files pin
 * (what promote would have copied), so a pull request that skips an environment fails before it merges.
 */
export function promotionFindings(config: ReleasesConfig, releases: readonly Release[]): Finding[] {
  const from = config.environment.promotedFrom;
  if (!from) return [];
  const source = loadConfig(config.file, from, { allowDuplicateKeys: valuesReaderOf(config).allowDuplicateKeys });
  return releases
    .filter((release) => release.installed)
    .flatMap((release): Finding[] => {
      const before = counterpart(release, config, source);
      const wanted = wantedVersion(release);
      const message = !before.installed
        ? `is not installed in ${from}, which ${config.environment.name} is promoted from`
        : wanted !== wantedVersion(before)
          ? `pins ${wanted ?? 'the chart default'}, but ${from} pins ${wantedVersion(before) ?? 'the chart default'}`
          : undefined;
      if (!message) return [];
      return [
        {
          ruleId: 'promotion-gate',
          layer: 'config',
          severity: 'error',
          release: release.id,
          message: `${release.name} ${message}`,
          fix: `boutique promote --from ${from} --to ${config.environment.name} once it runs in ${from}`,
        },
      ];
    });
}

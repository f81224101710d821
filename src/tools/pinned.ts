import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tools boutique pins, as recorded in scripts/pinned-tools.json (shared with the postinstall script). */
export type PinnedToolName = 'helm' | 'kubectl';

/** helm3 is installed only in a development checkout, for the helm 3 compatibility tests. */
type ManifestToolName = PinnedToolName | 'helm3';

interface PinnedToolsManifest {
  tools: Record<ManifestToolName, { package: string; version: string; sha256: string; testsOnly?: boolean }>;
}

export const pinnedTools: PinnedToolsManifest = JSON.parse(
  readFileSync(new URL('../../scripts/pinned-tools.json', import.meta.url), 'utf8'),
);

/** Where the postinstall script puts the pinned binaries: $BOUTIQUE_CACHE_DIR, else $XDG_CACHE_HOME/boutique, else ~/.cache/boutique. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOUTIQUE_CACHE_DIR) return env.BOUTIQUE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'boutique');
}

export function pinnedToolPath(name: ManifestToolName, env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'tools', `${name}-${pinnedTools.tools[name].version}`, name);
}

/** The postinstall script, for a user whose npm skipped install scripts. */
export const installScript = fileURLToPath(new URL('../../scripts/install-tools.mjs', import.meta.url));

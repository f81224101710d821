import { existsSync } from 'node:fs';
import { pinnedToolPath, type PinnedToolName } from '../../src/tools/pinned.js';

/** The pinned helm or kubectl that `npm ci` installed; tests use these, never whatever is on PATH. */
export function pinnedBinary(name: PinnedToolName): string {
  const path = pinnedToolPath(name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run 'npm ci' (its postinstall installs the pinned ${name})`);
  return path;
}

export const helmBinary = (): string => pinnedBinary('helm');
export const kubectlBinary = (): string => pinnedBinary('kubectl');

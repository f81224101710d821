import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedToolPath } from '../../src/tools/pinned.js';

/** The pinned helm, kubectl or helm 3 that `npm ci` installed; tests use these, never whatever is on PATH. */
export function pinnedBinary(name: Parameters<typeof pinnedToolPath>[0]): string {
  const path = pinnedToolPath(name);
  if (!existsSync(path))
    throw new Error(`${path} is missing: run 'npm ci' (its postinstall installs the pinned ${name})`);
  return path;
}

export const helmBinary = (): string => pinnedBinary('helm');
export const kubectlBinary = (): string => pinnedBinary('kubectl');
export const helm3Binary = (): string => pinnedBinary('helm3');

/** The environment of a boutique run against an emulator: its kubeconfig and fresh homes, the pinned helm and kubectl. */
export const emulatorEnv = (emulator: { env: Record<string, string> }): Record<string, string> => ({
  ...emulator.env,
  BOUTIQUE_HELM: helmBinary(),
  BOUTIQUE_KUBECTL: kubectlBinary(),
});

/**
 * A helm for boutique's per-release path: boutique is told HELM_DRIVER=sql, a storage it cannot read in bulk, so it
 * asks helm release by release (helm get metadata, helm get manifest); this helm sets the variable back to `driver`
 * and reads the same records the bulk path lists.
 */
export function helmWithDriver(driver: 'secret' | 'configmap', helm: string = helmBinary()): string {
  const path = join(mkdtempSync(join(tmpdir(), 'boutique-helm-')), 'helm');
  writeFileSync(path, `#!/bin/sh\nexport HELM_DRIVER=${driver}\nexec '${helm}' "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

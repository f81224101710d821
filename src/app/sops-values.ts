import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { valuesReaderOf } from '../config/load.js';
import { isSopsDocument } from '../config/sops-file.js';
import type { Release, ValuesLayer } from '../config/types.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { ageKeys, decryptSopsValues, sopsStandIns, type AgeKeys, type SopsValues } from '../secrets/sops.js';

/**
 * Whether a release's values file is one sops encrypted (read through the run's values reader, parsed once): only a
 * text with a `sops` key (YAML or JSON, as sops writes both) is parsed to tell.
 */
export function isSopsFile(release: Release, path: string): boolean {
  const reader = valuesReaderOf(release);
  let text: string;
  try {
    text = reader.text(path);
  } catch {
    // Gone since releases.yaml was checked: helm says so.
    return false;
  }
  return /^sops:|"sops"\s*:/m.test(text) && reader.issues(path).length === 0 && isSopsDocument(reader.read(path).value);
}

/**
 * The releases with their sops-encrypted values files decrypted in memory (issue 31), each file once: the one
 * place a run decrypts them, before it renders or contacts anything (template, lint, and planChanges for diff, sync
 * and status; destroy renders nothing and leaves them encrypted). A file that cannot be decrypted (no key, a key for none of its recipients, a changed value, a MAC
 * that does not match) is an input error at its line: every such file is reported at once, and nothing runs. A
 * release to uninstall needs no values. Releases without a sops file come back as they were.
 */
export async function withSopsValues(
  releases: readonly Release[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Release[]> {
  const encrypted = (release: Release) =>
    release.installed && release.values.some((layer) => layer.kind === 'file' && isSopsFile(release, layer.path));
  if (!releases.some(encrypted)) return [...releases];
  let keys: AgeKeys | undefined;
  const decrypted = new Map<string, Promise<SopsValues | ConfigIssue[]>>();
  const decrypt = (release: Release, path: string) => {
    if (!decrypted.has(path)) {
      keys ??= ageKeys(env, homedir(), readText);
      decrypted.set(
        path,
        decryptSopsValues(valuesReaderOf(release).read(path), keys).catch((error: unknown) => {
          if (error instanceof ConfigError) return error.issues;
          throw error;
        }),
      );
    }
    return decrypted.get(path)!;
  };
  const issues: ConfigIssue[] = [];
  const resolved = await Promise.all(
    releases.map(async (release) => {
      if (!encrypted(release)) return release;
      const values = await Promise.all(
        release.values.map(async (layer): Promise<ValuesLayer> => {
          if (layer.kind !== 'file' || !isSopsFile(release, layer.path)) return layer;
          const result = await decrypt(release, layer.path);
          if (Array.isArray(result)) return layer;
          return { kind: 'sops', path: layer.path, values: result.values, secrets: result.secrets };
        }),
      );
      return { ...release, values };
    }),
  );
  for (const result of await Promise.all(decrypted.values())) if (Array.isArray(result)) issues.push(...result);
  if (issues.length > 0) throw new ConfigError(issues);
  return resolved;
}

/**
 * The release as a render without keys sees its sops files (diff --base, which compares revisions of the
 * repository): each encrypted value a stand-in named after its ciphertext (secrets/sops.ts sopsStandIns), masked as
 * the value itself would be.
 */
export function withSopsStandIns(release: Release): Release {
  if (!release.values.some((layer) => layer.kind === 'file' && isSopsFile(release, layer.path))) return release;
  const values = release.values.map((layer): ValuesLayer => {
    if (layer.kind !== 'file' || !isSopsFile(release, layer.path)) return layer;
    const { values: standIns, secrets } = sopsStandIns(valuesReaderOf(release).read(layer.path));
    return { kind: 'sops', path: layer.path, values: standIns, secrets };
  });
  return { ...release, values };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

import { readFileSync } from 'node:fs';
import { deleteAtSetPath, setAtPath, valueAtSetPath } from '../config/values-path.js';
import { versionKeysOf } from '../config/normalize.js';
import type { Release } from '../config/types.js';
import { parseGoYaml } from '../yaml/go-yaml.js';

type Values = Record<string, unknown>;

const isMap = (value: unknown): value is Values => value !== null && typeof value === 'object' && !Array.isArray(value);

/** helm's merge of two values layers (`-f a -f b`): maps merge key by key, anything else in `over` replaces. */
export function mergeTwo(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isMap(value) && isMap(out[key]) ? mergeTwo(out[key], value) : value;
  return out;
}

/**
 * The values boutique gives helm for a release, merged as helm merges them (what `helm get values` shows after a
 * sync), without its secret set values: every layer in order, then the other `set` entries.
 */
export function valuesWithoutSecrets(release: Release, readLayer: (path: string) => Values): Values {
  let merged: Values = {};
  for (const layer of release.values) merged = mergeTwo(merged, layer.kind === 'file' ? readLayer(layer.path) : layer.values);
  for (const entry of release.set) if (!entry.secret) merged = setAtPath(structuredClone(merged), entry.name, entry.value);
  return merged;
}

/**
 * The values without what the release's secret set values name (their helm --set paths): an exported file holds
 * no value there, neither the secret nor a layer's value that boutique's secret --set replaces.
 */
export function withoutSecretPaths(values: Values, release: Release): Values {
  return release.set.filter((entry) => entry.secret).reduce((out, entry) => deleteAtSetPath(out, entry.name), structuredClone(values));
}

/** Reads a values file as helm does (go-yaml v2); an empty file is no values. */
export function readValuesFile(path: string): Values {
  const parsed = parseGoYaml(readFileSync(path, 'utf8'));
  return isMap(parsed) ? parsed : {};
}

/** The image version the values give a release: its digest when set (the charts let it win), else its tag. */
export function versionIn(values: Values, release: Release): string | undefined {
  const keys = versionKeysOf(release);
  const version = valueAtSetPath(values, keys.digest) || valueAtSetPath(values, keys.tag);
  return typeof version === 'string' && version !== '' ? version : undefined;
}

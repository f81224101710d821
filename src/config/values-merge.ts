import { isRecord } from '../yaml/record.js';
import { isSopsDocument } from './sops-file.js';
import { versionKeysOf } from './normalize.js';
import type { Release } from './types.js';
import { deleteAtSetPath, setAtPath, valueAtSetPath } from './values-path.js';
import type { Values } from './values-reader.js';

/**
 * helm's two merges of values, in one place. `mergeTwo` is how helm merges the user's layers (`-f a -f b`, then
 * `--set`): what `helm get values` shows, null kept. `coalesceValues` is how helm then coalesces them with the
 * chart's values.yaml: a null removes the key. The schema check uses the second, export and the gate the first.
 */

/** helm's merge of two values layers (`-f a -f b`): maps merge key by key, anything else in `over` replaces. */
export function mergeTwo(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over))
    out[key] = isRecord(value) && isRecord(out[key]) ? mergeTwo(out[key], value) : value;
  return out;
}

/** helm's coalescing of layers, lowest first: maps merge key by key, anything else replaces, null removes the key. */
export function coalesceValues(layers: readonly Values[]): Values {
  const merge = (base: Values, over: Values): Values => {
    const result = { ...base };
    for (const [key, value] of Object.entries(over)) {
      if (value === null) delete result[key];
      else if (isRecord(value) && isRecord(result[key])) result[key] = merge(result[key], value);
      else result[key] = value;
    }
    return result;
  };
  return layers.reduce<Values>((merged, layer) => merge(merged, layer), {});
}

/**
 * The values boutique gives helm for a release, merged as helm merges them (what `helm get values` shows after a
 * sync), without its secret set values: every layer in order, then the other `set` entries.
 */
export function valuesWithoutSecrets(release: Release, readLayer: (path: string) => Values): Values {
  let merged: Values = {};
  for (const layer of release.values) {
    // A sops file is secret as a whole: its values, encrypted or not, are never merged into what is shown or exported.
    if (layer.kind === 'sops') continue;
    const values = layer.kind === 'file' ? readLayer(layer.path) : layer.values;
    if (!isSopsDocument(values)) merged = mergeTwo(merged, values);
  }
  for (const entry of release.set)
    if (!entry.secret) merged = setAtPath(structuredClone(merged), entry.name, entry.value);
  return merged;
}

/**
 * The values without what the release's secret set values name (their helm --set paths): an exported file holds
 * no value there, neither the secret nor a layer's value that boutique's secret --set replaces.
 */
export function withoutSecretPaths(values: Values, release: Release): Values {
  return release.set
    .filter((entry) => entry.secret)
    .reduce((out, entry) => deleteAtSetPath(out, entry.name), structuredClone(values));
}

/** The image version the values give a release: its digest when set (the charts let it win), else its tag. */
export function versionIn(values: Values, release: Release): string | undefined {
  const keys = versionKeysOf(release);
  const version = valueAtSetPath(values, keys.digest) || valueAtSetPath(values, keys.tag);
  return typeof version === 'string' && version !== '' ? version : undefined;
}

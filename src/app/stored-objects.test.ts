import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshCacheDir } from '../../test/support/cache-dir.js';
import type { Release } from '../config/types.js';
import { parseManifests } from '../kube/objects.js';
import { storedObjects } from './stored-objects.js';

const cache = freshCacheDir('boutique-manifests-');
const kept = () => {
  try {
    return readdirSync(join(cache(), 'manifests'));
  } catch {
    return [];
  }
};
const release = (secret = false) =>
  ({ set: secret ? [{ name: 'auth.token', value: 's3cret', secret: true }] : [] }) as unknown as Release;
const manifest = `apiVersion: v1
kind: ConfigMap
metadata: { name: quirks }
data: { hsts: "no", mode: "0755" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: quirks }
spec:
  template:
    spec:
      volumes: [{ name: scripts, configMap: { name: quirks, defaultMode: 0755 } }]
`;

describe('storedObjects', () => {
  it('reads a manifest as parseManifests does, and the second time from JSON it kept', () => {
    const first = storedObjects(release(), manifest);
    expect(first).toEqual(parseManifests(manifest));
    expect(kept()).toHaveLength(1);
    // What is kept is what the next run reads: change it, and the next read shows it came from the file.
    const [file] = kept();
    writeFileSync(
      join(cache(), 'manifests', file!),
      JSON.stringify([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-cache' } }]),
    );
    expect(storedObjects(release(), manifest).map((obj) => obj.metadata.name)).toEqual(['from-cache']);
  });

  it('keeps go-yaml v2 meanings: the octal mode is 493, quoted strings stay strings', () => {
    storedObjects(release(), manifest);
    const [configMap, deployment] = storedObjects(release(), manifest);
    expect(configMap!.data).toEqual({ hsts: 'no', mode: '0755' });
    expect(JSON.stringify(deployment)).toContain('"defaultMode":493');
  });

  it('keeps nothing of a release with secret set values, nor objects JSON cannot carry exactly', () => {
    expect(storedObjects(release(true), manifest)).toEqual(parseManifests(manifest));
    storedObjects(release(), 'apiVersion: v1\nkind: Secret\nmetadata: { name: bin }\nbinary: !!binary aGVsbG8=\n');
    storedObjects(release(), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: inf }\nratio: .inf\n');
    expect(kept()).toEqual([]);
  });
});

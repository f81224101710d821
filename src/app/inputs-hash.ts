import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Release } from '../config/types.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/**
 * A hash of everything that decides what helm applies for a release: chart files (or chart name and version),
 * values layers, --set values and helm options. Equal hashes mean an upgrade would apply the same thing, so sync
 * can skip it without rendering. 40 hex characters, to fit a label value.
 *
 * One hasher serves one run: it reads a local chart once, however many releases share it (the shipped system
 * deploys eleven releases from charts/microservice).
 */
export function createInputsHash(): (release: Release) => string {
  const chartParts = new Map<string, (string | Buffer)[]>();
  const partsOf = (chartPath: string) => {
    let parts = chartParts.get(chartPath);
    if (!parts) {
      parts = filesUnder(chartPath).flatMap((file) => [relative(chartPath, file), readFileSync(file)]);
      chartParts.set(chartPath, parts);
    }
    return parts;
  };
  return (release) => {
    const hash = createHash('sha256');
    const add = (part: string | Buffer) => hash.update(part).update('\0');
    add(JSON.stringify({ namespace: release.namespace, name: release.name, set: release.set, createNamespace: release.createNamespace, wait: release.wait, timeout: release.timeout, atomic: release.atomic, historyMax: release.historyMax }));
    if (release.chart.kind === 'local') partsOf(release.chart.path).forEach(add);
    else add(JSON.stringify(release.chart));
    for (const layer of release.values) add(layer.kind === 'file' ? readFileSync(layer.path) : JSON.stringify(layer.values));
    return hash.digest('hex').slice(0, 40);
  };
}

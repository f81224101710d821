import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Release } from '../config/types.js';
import { setAtPath } from '../config/values-path.js';
import { stringifyGoYaml } from '../yaml/go-yaml.js';

/**
 * helm reads values only from files and --set, so inline values from releases.yaml are written to a private
 * temporary folder for the duration of a run, keeping their place among the release's layers.
 */
export class ValuesFiles {
  private dir: string | undefined;

  /** The -f arguments for a release, lowest precedence first; its secret set values come last, in a file of their own. */
  for(release: Release): string[] {
    const files = release.values.map((layer, index) => (layer.kind === 'file' ? layer.path : this.write(release, String(index), layer.values)));
    const secrets = release.set.filter((entry) => entry.secret);
    if (secrets.length > 0) files.push(this.write(release, 'secret', secrets.reduce((values, entry) => setAtPath(values, entry.name, entry.value), {})));
    return files;
  }

  private write(release: Release, suffix: string, values: Record<string, unknown>): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'boutique-values-'));
    const path = join(this.dir, `${release.namespace}.${release.name}.${suffix}.yaml`);
    // Written as helm reads it back: `hsts: "no"` must stay the string "no".
    writeFileSync(path, stringifyGoYaml(values), { mode: 0o600 });
    return path;
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/** Runs `work` with a ValuesFiles whose temporary folder is removed afterwards, however `work` ends. */
export async function withValuesFiles<T>(work: (valuesFiles: ValuesFiles) => Promise<T>): Promise<T> {
  const valuesFiles = new ValuesFiles();
  try {
    return await work(valuesFiles);
  } finally {
    valuesFiles.dispose();
  }
}

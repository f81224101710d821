import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Release } from '../config/types.js';
import { stringifyGoYaml } from '../yaml/go-yaml.js';

/**
 * helm reads values only from files and --set, so inline values from releases.yaml are written to a private
 * temporary folder for the duration of a run, keeping their place among the release's layers.
 */
export class ValuesFiles {
  private dir: string | undefined;

  /** The -f arguments for a release, lowest precedence first. */
  for(release: Release): string[] {
    return release.values.map((layer, index) => {
      if (layer.kind === 'file') return layer.path;
      this.dir ??= mkdtempSync(join(tmpdir(), 'boutique-values-'));
      const path = join(this.dir, `${release.namespace}.${release.name}.${index}.yaml`);
      // Written as helm reads it back: `hsts: "no"` must stay the string "no".
      writeFileSync(path, stringifyGoYaml(layer.values), { mode: 0o600 });
      return path;
    });
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

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** A private copy of the shipped Online Boutique (releases.yaml, charts, values) that a test may edit. */
export function copyShippedSystem(): { dir: string; edit(file: string, change: (text: string) => string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-system-'));
  for (const entry of ['releases.yaml', 'charts', 'values']) cpSync(join(repoRoot, entry), join(dir, entry), { recursive: true });
  return {
    dir,
    edit(file, change) {
      const path = join(dir, file);
      const before = readFileSync(path, 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${file} changed nothing`);
      writeFileSync(path, after);
    },
  };
}

import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinary } from './tools.js';

/** Where the tests of secret values look for them: what helm was given, and the files a run left. */

/** A helm that records every argument list it is given, then runs the real one. */
export function recordingHelm(): { path: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-helm-argv-'));
  const log = join(dir, 'argv.log');
  const path = join(dir, 'helm');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${helmBinary()}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

/** Every file under a folder (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }, 0);

/** vitest globalSetup of the e2e tier: dist/ is rebuilt when it is missing or older than any file under src/. */
export default function freshBuild(): void {
  const dist = join(repoRoot, 'dist');
  if (existsSync(join(dist, 'commands')) && newest(dist) >= newest(join(repoRoot, 'src'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}

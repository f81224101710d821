import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmSetLiteral } from '../config/set-flag.js';
import type { Release } from '../config/types.js';
import { setAtPath } from '../config/values-path.js';
import { stringifyGoYaml } from '../yaml/go-yaml.js';
import { ReleaseStateError } from '../errors.js';
import { describeSource } from './cluster-secrets.js';
import { isSopsFile } from './sops-values.js';

/** The private folders of this process's values files: `boutique-values-<pid>-XXXXXX` in $TMPDIR. */
const PREFIX = 'boutique-values-';
const ownFolders = new Set<string>();
let exitHandled = false;

/**
 * Removes the values folders this process made: called when the process exits however boutique ends it
 * (`process.exit`, including a second Ctrl-C), and by a signal handler that wants them gone sooner.
 */
export function removeSecretFiles(): void {
  for (const dir of ownFolders) rmSync(dir, { recursive: true, force: true });
  ownFolders.clear();
}

/**
 * Removes what a run killed outright (SIGKILL, a lost machine) left behind: values folders of this user's boutique
 * processes that are gone, and, from versions that did not name the process, folders older than a day. Every run
 * that talks to helm or the cluster does it as it starts (cli/wiring.ts), so no secret outlives the next run in
 * $TMPDIR.
 */
export function sweepSecretFiles(now = Date.now()): number {
  let removed = 0;
  const root = tmpdir();
  let entries: string[];
  try {
    entries = readdirSync(root).filter((name) => name.startsWith(PREFIX));
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(root, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isDirectory() || stat.uid !== process.getuid?.()) continue;
      const pid = /^boutique-values-(\d+)-/.exec(name)?.[1];
      if (pid === undefined ? stat.mtimeMs > now - 24 * 60 * 60 * 1000 : isAlive(Number(pid))) continue;
      rmSync(path, { recursive: true, force: true });
      removed++;
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * helm reads values only from files and flags, so inline values from releases.yaml, and secret set values, are
 * written to a private temporary folder for the duration of a run, inline layers keeping their place among the
 * release's layers.
 */
export class ValuesFiles {
  private dir: string | undefined;

  /**
   * helm's arguments for a release's values, lowest precedence first: `--values` for each layer, then its secret set
   * values, each read from a file, never from the argument list, where the process table shows it. A string goes
   * through `--set-file`, which places it as `--set` would (inside a list the layers hold, the other items kept); a
   * number or a boolean, which `--set-file` would read as a string, through a values file of its own. A `variant`
   * (a render with stand-ins) gets files of its own beside the release's.
   */
  argsFor(release: Release, variant = ''): string[] {
    const unread = release.set.filter((entry) => entry.unresolved);
    if (unread.length > 0) {
      throw new ReleaseStateError(
        `${release.id}: ${unread.map((entry) => `${entry.name} comes from ${describeSource(entry)}`).join(', ')}, read only by commands that talk to the cluster`,
        {
          suggestions: [
            'run boutique diff or sync, which read it from the target cluster; or give the value another way (valueFrom env or file)',
          ],
        },
      );
    }
    const sealed = release.values.filter((layer) => layer.kind === 'file' && isSopsFile(release, layer.path));
    if (sealed.length > 0) {
      throw new ReleaseStateError(
        `${release.id}: ${sealed.map((layer) => (layer as { path: string }).path).join(', ')} ${sealed.length === 1 ? 'is' : 'are'} encrypted with sops, decrypted only by template, lint, diff and sync`,
        {
          suggestions: [
            'run boutique template, lint, diff or sync, which decrypt it with your age key (SOPS_AGE_KEY_FILE)',
          ],
        },
      );
    }
    // Written as helm reads it back: `hsts: "no"` must stay the string "no". A decrypted sops file goes to helm
    // through a private file of its own, as inline values do.
    const layers = release.values.map((layer, index) =>
      layer.kind === 'file'
        ? layer.path
        : this.write(release, `${variant}${index}.yaml`, stringifyGoYaml(layer.values)),
    );
    const secrets = release.set.filter((entry) => entry.secret);
    const typed = secrets.filter((entry) => typeof entry.value !== 'string');
    if (typed.length > 0)
      layers.push(
        this.write(
          release,
          `${variant}secret.yaml`,
          stringifyGoYaml(typed.reduce((values, entry) => setAtPath(values, entry.name, entry.value), {})),
        ),
      );
    const texts = secrets.filter((entry) => typeof entry.value === 'string');
    return [
      ...layers.flatMap((file) => ['--values', file]),
      // helm splits --set-file at unescaped commas, and reads a backslash as an escape.
      ...texts.flatMap((entry, index) => [
        '--set-file',
        `${entry.name}=${helmSetLiteral(this.write(release, `${variant}secret-${index}`, String(entry.value)))}`,
      ]),
    ];
  }

  private write(release: Release, suffix: string, text: string): string {
    if (!this.dir) {
      if (!exitHandled) {
        exitHandled = true;
        process.once('exit', removeSecretFiles);
      }
      this.dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
      ownFolders.add(this.dir);
    }
    const path = join(this.dir, `${release.namespace}.${release.name}.${suffix}`);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  }

  dispose(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    if (this.dir) ownFolders.delete(this.dir);
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

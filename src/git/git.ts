import { join } from 'node:path';
import { ExecError, ToolError, UsageError } from '../errors.js';
import type { Runner } from '../process/runner.js';

/**
 * git, for reading another revision of the repository: which commit a ref names, and that commit's files written
 * into a folder of their own. Nothing here writes the working tree, the index or any ref.
 */
export class GitCli {
  constructor(private readonly runner: Runner) {}

  /** The top folder of the repository that holds `dir`. */
  async root(dir: string): Promise<string> {
    try {
      return (await this.runner.run('git', ['rev-parse', '--show-toplevel'], { cwd: dir })).stdout.trim();
    } catch (error) {
      if (error instanceof ToolError)
        throw new ToolError('git: not found; diff --base reads the base revision with git', {
          cause: error,
          suggestions: ['install git (in a container image: apk add git, apt-get install git)'],
        });
      if (!(error instanceof ExecError)) throw error;
      throw new UsageError(`${dir} is not in a git repository: --base compares two revisions of one`, {
        cause: error,
        suggestions: ['run boutique diff --base inside the repository that holds releases.yaml, or pass --file'],
      });
    }
  }

  /** The full commit id a ref names (a branch, a tag, HEAD~1, origin/main…); a usage error when it names none. */
  async commit(root: string, ref: string): Promise<string> {
    try {
      return (
        await this.runner.run('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
          cwd: root,
        })
      ).stdout.trim();
    } catch (error) {
      if (!(error instanceof ExecError)) throw error;
      throw new UsageError(`git ref ${ref} names no commit in ${root}`, {
        cause: error,
        suggestions: [
          'pass a branch, tag or commit that exists here (in CI, fetch the base branch first: actions/checkout with fetch-depth: 0, or git fetch origin main)',
        ],
      });
    }
  }

  /**
   * The commit's files as checked out (filters and line endings applied, as `git checkout` writes them) into `dir`,
   * through an index file of its own (`scratch`, a folder outside `dir`), so the repository's index stays as it is.
   */
  async extract(root: string, commit: string, dir: string, scratch: string): Promise<void> {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await this.runner.run('git', ['read-tree', commit], { cwd: root, env });
    await this.runner.run('git', ['checkout-index', '--all', '--force', `--prefix=${dir}/`], { cwd: root, env });
  }
}

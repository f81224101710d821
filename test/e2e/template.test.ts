import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { boutique, fakeExecutable, repoRoot } from '../support/cli.js';
import { helmBinary } from '../support/tools.js';

const env = { BOUTIQUE_HELM: helmBinary() };

/** `# boutique: release ns/name (...)` headers split boutique's stdout into one chunk per release. */
function splitByRelease(stdout: string): Map<string, string> {
  const chunks = new Map<string, string>();
  const parts = stdout.split(/^# boutique: release (\S+) \(chart [^)]*\)\n/m);
  for (let i = 1; i < parts.length; i += 2) chunks.set(parts[i]!, parts[i + 1]!);
  return chunks;
}

/** A folder with a one-ConfigMap chart `greeter` under chart/, and the files given (releases.yaml, values). */
function greeterSystem(prefix: string, files: Record<string, string>, configMapData = ''): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: greeter\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'chart', 'templates', 'cm.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n${configMapData}`,
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** A helm that first runs `record` (a line of node, with the arguments in process.argv), then is the real helm. */
function recordingHelm(record: string): string {
  return fakeExecutable(
    'helm',
    [
      record,
      `const run = require('node:child_process').spawnSync(${JSON.stringify(helmBinary())}, process.argv.slice(2), { stdio: 'inherit' });`,
      'process.exit(run.status ?? 1);',
    ].join('\n'),
  ).path;
}

describe('boutique template on the shipped Online Boutique', () => {
  let result: Awaited<ReturnType<typeof boutique>>;
  beforeAll(async () => {
    result = await boutique(['template', '-e', 'dev'], { env });
  });

  it('renders every installed release in plan order', () => {
    expect(result.exitCode).toBe(0);
    expect([...splitByRelease(result.stdout).keys()]).toEqual([
      'boutique-dev/redis-cart',
      'boutique-dev/adservice',
      'boutique-dev/currencyservice',
      'boutique-dev/emailservice',
      'boutique-dev/paymentservice',
      'boutique-dev/productcatalogservice',
      'boutique-dev/shippingservice',
      'boutique-dev/cartservice',
      'boutique-dev/recommendationservice',
      'boutique-dev/checkoutservice',
      'boutique-dev/frontend',
      'boutique-dev/loadgenerator',
    ]);
  });

  it('prints for each release exactly what helm template prints with the same arguments', async () => {
    const chunks = splitByRelease(result.stdout);
    for (const [id, manifest] of chunks) {
      const name = id.split('/')[1]!;
      const chart = name === 'redis-cart' ? 'charts/redis' : 'charts/microservice';
      const overlay = join('values', 'dev', `${name}.yaml`);
      const values = [join('values', `${name}.yaml`), ...(existsSync(join(repoRoot, overlay)) ? [overlay] : [])];
      const direct = await execa(
        helmBinary(),
        [
          'template',
          name,
          join(repoRoot, chart),
          '--namespace',
          'boutique-dev',
          ...values.flatMap((file) => ['--values', join(repoRoot, file)]),
        ],
        { stripFinalNewline: false },
      );
      expect(manifest, id).toBe(direct.stdout);
    }
  });
});

describe('boutique template', () => {
  it('writes one folder per release with --output-dir, identical on a second run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'boutique-out-'));
    const args = ['template', '-e', 'prod', '-l', 'tier=infra', '--output-dir', out];
    expect((await boutique(args, { env })).exitCode).toBe(0);
    const first = readFileSync(join(out, 'boutique', 'redis-cart', 'redis', 'templates', 'service.yaml'), 'utf8');
    expect((await boutique(args, { env })).exitCode).toBe(0);
    expect(readdirSync(join(out, 'boutique'))).toEqual(['redis-cart']);
    expect(readFileSync(join(out, 'boutique', 'redis-cart', 'redis', 'templates', 'service.yaml'), 'utf8')).toBe(first);
    const json = await boutique([...args, '-o', 'json'], { env });
    expect(JSON.parse(json.stdout)).toEqual({
      schemaVersion: 1,
      command: 'template',
      environment: 'prod',
      ok: true,
      summary: { rendered: 1, failed: 0 },
      results: [{ id: 'boutique/redis-cart', outputDir: join(out, 'boutique', 'redis-cart') }],
      errors: [],
    });
  });

  it("shows helm's own error with the release name and never the --set values", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-bad-'));
    mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: needy\nversion: 0.1.0\n');
    writeFileSync(
      join(dir, 'chart', 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ required "value missing is required" .Values.missing | quote }}\n',
    );
    writeFileSync(
      join(dir, 'releases.yaml'),
      'releases:\n  - name: needy\n    chart: ./chart\n    set:\n      - { name: password, value: hunter2-secret, secret: true }\n      - { name: tag, value: abc }\n',
    );
    const result = await boutique(['template'], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      'release default/needy: Error: execution error at (needy/templates/cm.yaml:6:8): value missing is required',
    );
    // The secret value goes to helm in a private file (--set-file), never in its argument list; a plain set value is shown as given.
    expect(result.stderr).toMatch(/--set-file password=\S+ --set-string tag=abc\b/);
    expect(result.stderr).not.toContain('hunter2-secret');
  });
});

describe('the render cache', () => {
  it('answers a second run with unchanged inputs without starting helm template, and renders again when they change', async () => {
    const dir = greeterSystem(
      'boutique-render-cache-',
      {
        'values.yaml': 'greeting: hello\n',
        'releases.yaml': 'releases:\n  - name: greeter\n    chart: ./chart\n    values: [values.yaml]\n',
      },
      'data:\n  greeting: {{ .Values.greeting | quote }}\n',
    );
    // A helm that logs every command it is given.
    const log = join(dir, 'helm-calls.log');
    const countingHelm = recordingHelm(
      `require('node:fs').appendFileSync(${JSON.stringify(log)}, process.argv.slice(2).join(' ') + '\\n');`,
    );
    const cacheDir = join(dir, 'cache');
    const run = (args: string[] = []) =>
      boutique(['template', ...args], { cwd: dir, env: { BOUTIQUE_HELM: countingHelm, BOUTIQUE_CACHE_DIR: cacheDir } });
    const templateCalls = () =>
      (existsSync(log) ? readFileSync(log, 'utf8') : '')
        .split('\n')
        .filter((line) => line.startsWith('template greeter '));

    const cold = await run();
    expect(cold.exitCode, cold.stderr).toBe(0);
    expect(cold.stdout).toContain('greeting: "hello"');
    expect(templateCalls()).toHaveLength(1);

    const warm = await run(['--debug']);
    expect(warm.exitCode, warm.stderr).toBe(0);
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stderr).toContain('render cache: hit for default/greeter');
    expect(templateCalls()).toHaveLength(1);
    const [stored] = readdirSync(join(cacheDir, 'renders'));
    expect(statSync(join(cacheDir, 'renders', stored!)).mode & 0o777).toBe(0o600);

    expect((await run(['--no-cache'])).stdout).toBe(cold.stdout);
    expect(templateCalls()).toHaveLength(2);

    writeFileSync(join(dir, 'values.yaml'), 'greeting: bonjour\n');
    const changed = await run();
    expect(changed.stdout).toContain('greeting: "bonjour"');
    expect(templateCalls()).toHaveLength(3);
  });
});

describe("helm's Go runtime settings", () => {
  it('a larger GC target within a memory limit for every helm, one core each when they are no fewer than the cores, and never over what the user set', async () => {
    const dir = greeterSystem('boutique-go-runtime-', {
      'releases.yaml': 'releases:\n  - name: one\n    chart: ./chart\n  - name: two\n    chart: ./chart\n',
    });
    // A helm that logs the Go settings of each render it is asked for.
    const log = join(dir, 'helm-env.log');
    const envHelm = recordingHelm(
      [
        "const { GOGC = '-', GOMEMLIMIT = '-', GOMAXPROCS = '-' } = process.env;",
        `if (process.argv[2] === 'template') require('node:fs').appendFileSync(${JSON.stringify(log)}, [process.argv[3], GOGC, GOMEMLIMIT, GOMAXPROCS].join(' ') + '\\n');`,
      ].join('\n'),
    );
    const renders = async (concurrency: number, userEnv: Record<string, string> = {}) => {
      writeFileSync(log, '');
      const result = await boutique(['template', '--no-cache', '--concurrency', String(concurrency)], {
        cwd: dir,
        env: { BOUTIQUE_HELM: envHelm, ...userEnv },
      });
      expect(result.exitCode, result.stderr).toBe(0);
      return readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .sort()
        .map((line) => line.split(' '));
    };
    const cores = availableParallelism();

    const crowded = await renders(cores);
    expect(crowded.map(([release, gogc, , maxprocs]) => [release, gogc, maxprocs])).toEqual([
      ['one', '400', cores > 1 ? '1' : '-'],
      ['two', '400', cores > 1 ? '1' : '-'],
    ]);
    for (const [, , memoryLimit] of crowded) expect(memoryLimit).toMatch(/^\d+MiB$/);
    // One helm at a time: each has a quarter of the memory, and Go's own GOMAXPROCS.
    const alone = await renders(1);
    expect(alone.map(([release, gogc, , maxprocs]) => [release, gogc, maxprocs])).toEqual([
      ['one', '400', '-'],
      ['two', '400', '-'],
    ]);
    expect(parseInt(alone[0]![2]!, 10)).toBeGreaterThan(parseInt(crowded[0]![2]!, 10));

    expect(await renders(cores, { GOGC: '100', GOMAXPROCS: '3' })).toEqual([
      ['one', '100', '-', '3'],
      ['two', '100', '-', '3'],
    ]);
    // --debug says what was set, once.
    const debug = await boutique(['template', '--no-cache', '--debug', '--concurrency', '1'], {
      cwd: dir,
      env: { BOUTIQUE_HELM: envHelm },
    });
    expect(debug.stderr.match(/^helm runs with .*$/gm)).toEqual([`helm runs with GOGC=400 GOMEMLIMIT=${alone[0]![2]}`]);
  });
});

describe('promotion by commit', () => {
  it('--set applies to every selected release, after releases.yaml', async () => {
    // --no-cache: the trace must show helm's command line, not a render remembered from an earlier test run.
    const result = await boutique(
      ['template', '-l', 'tier=app', '--set', 'image.tag=3f2a1c9', '--debug', '--no-cache'],
      { env },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    // --debug traces each helm command, with plain --set values as given (only secret values are masked).
    expect(result.stderr).toContain(`$ ${helmBinary()} template frontend `);
    expect(result.stderr.match(/^\$ .* --set-string image\.tag=3f2a1c9$/gm)).toHaveLength(10);
    const images = [...result.stdout.matchAll(/^ +image: (\S+)$/gm)].map((match) => match[1]);
    expect(images).toHaveLength(10);
    for (const image of images)
      expect(image).toMatch(/^us-central1-docker\.pkg\.dev\/online-boutique-ci\/microservices-demo\/[a-z]+:3f2a1c9$/);
  });
});

describe('set values with the characters helm --set reads as syntax', () => {
  it('reach the chart as written in releases.yaml, and the command line reads them as helm does', async () => {
    const dir = greeterSystem(
      'boutique-set-syntax-',
      {
        'releases.yaml':
          [
            'environments:',
            '  dev: {}',
            'releases:',
            '  - name: greeter',
            '    namespace: demo',
            '    chart: ./chart',
            '    set:',
            "      - { name: motto, value: 'red, green and {blue} \\ done' }",
          ].join('\n') + '\n',
      },
      'data:\n  motto: {{ .Values.motto | quote }}\n  first: {{ .Values.first | quote }}\n  second: {{ .Values.second | quote }}\n  literal: {{ .Values.literal | quote }}\n',
    );
    const result = await boutique(
      ['template', '-e', 'dev', '--no-cache', '--set-string', 'first=1,second=two', '--set-string', 'literal=a\\,b'],
      { cwd: dir, env },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('motto: "red, green and {blue} \\\\ done"');
    expect(result.stdout).toContain('first: "1"');
    expect(result.stdout).toContain('second: "two"');
    expect(result.stdout).toContain('literal: "a,b"');
  });
});

describe('config errors', () => {
  it('exit 2 with file:line:col and never start helm', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-cfg-'));
    const marker = join(dir, 'helm-was-called');
    const fakeHelm = fakeExecutable(
      'helm',
      `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'yes'); console.log('v4.1.4');`,
    );
    writeFileSync(join(dir, 'releases.yaml'), 'releases:\n  - name: web\n    chart: ./nowhere\n    needs: [api]\n');
    const result = await boutique(['template'], { cwd: dir, env: { BOUTIQUE_HELM: fakeHelm.path } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'releases.yaml:3:12: chart directory ./nowhere does not exist\n' +
        `  hint: paths are relative to ${dir}\n` +
        'releases.yaml:4:13: release default/web needs "api", but no release has that name\n' +
        '  hint: declare the release in releases.yaml or remove the need\n' +
        'Error: 2 problems in releases.yaml; nothing was sent to helm or the cluster\n',
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('reports them as JSON with --output json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-cfg-'));
    writeFileSync(join(dir, 'releases.yaml'), 'releases:\n  - name: web\n    chart: ./c\n    wiat: true\n');
    const result = await boutique(['list', '-o', 'json'], { cwd: dir });
    expect(result.exitCode).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    expect(report.errors).toContainEqual({
      code: 'CONFIG',
      file: 'releases.yaml',
      line: 4,
      column: 5,
      message: 'unknown key "wiat" in releases[0]',
      hints: ['did you mean "wait"?'],
    });
    expect(result.stdout.trim().startsWith('{') && result.stdout.trim().endsWith('}')).toBe(true);
  });
});

describe('helm resolution', () => {
  it('prefers BOUTIQUE_HELM, skips a too old helm on PATH for the pinned one, and rejects a bad explicit choice', async () => {
    const oldHelm = fakeExecutable('helm', "console.log('v3.10.0');");
    const pinned = await boutique(['version', '-o', 'json'], { env: { PATH: `${oldHelm.dir}:${process.env.PATH}` } });
    expect(JSON.parse(pinned.stdout).results[1]).toMatchObject({ name: 'helm', version: 'v4.1.4', source: 'pinned' });

    const newHelm = fakeExecutable('helm', "console.log('v3.16.2');");
    const fromPath = await boutique(['version', '-o', 'json'], { env: { PATH: `${newHelm.dir}:${process.env.PATH}` } });
    expect(JSON.parse(fromPath.stdout).results[1]).toMatchObject({
      version: 'v3.16.2',
      source: 'path',
      path: newHelm.path,
    });

    const fromEnv = await boutique(['version', '-o', 'json'], {
      env: { BOUTIQUE_HELM: helmBinary(), PATH: `${newHelm.dir}:${process.env.PATH}` },
    });
    expect(JSON.parse(fromEnv.stdout).results[1]).toMatchObject({ version: 'v4.1.4', source: 'env' });

    const nowhere = await boutique(['template'], {
      env: { BOUTIQUE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'boutique-no-cache-')), PATH: oldHelm.dir },
    });
    expect(nowhere.exitCode).toBe(1);
    expect(nowhere.stderr).toMatch(
      /^Error: no usable helm found\n  hint: install helm 3\.14 or later on PATH, or pass --helm-binary\n  hint: or install the pinned helm v4\.1\.4 .*: node \S+\/scripts\/install-tools\.mjs\n$/,
    );

    const missing = await boutique(['template', '--helm-binary', '/nonexistent/helm'], { env });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Error: --helm-binary names /nonexistent/helm, which is not an executable file');
  });
});

describe('the CLI', () => {
  it('lists every command in --help', async () => {
    const result = await boutique(['--help']);
    // Every command module there is, so a new command cannot be left out of the check.
    const commands = readdirSync(join(repoRoot, 'src', 'commands'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => file.slice(0, -3));
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const command of commands) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

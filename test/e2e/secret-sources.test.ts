import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { emulatorEnv, kubectlBinary } from '../support/tools.js';
import { filesUnder, recordingHelm } from '../support/secret-traces.js';

/**
 * Secret values that never sit in git (issue 31): `set` entries with `valueFrom` an environment variable, a file or
 * a cluster Secret. Each value is a unique sentinel, looked for in every output, every argument list helm was given,
 * every file under the cache folder and $TMPDIR.
 */
const SENTINEL = { env: 'S3NTINEL-env-7a1c9e', file: 'S3NTINEL-file-2b8d40', cluster: 'S3NTINEL-cluster-5e6f13' };
const forms = (value: string) => [value, Buffer.from(value).toString('base64')];

const CHART_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}
stringData:
  password: {{ .Values.db.password | quote }}
{{- with .Values.api }}
  token: {{ .token | quote }}
{{- end }}
{{- with .Values.cluster }}
  cluster: {{ .key | quote }}
{{- end }}
`;

/** A folder with a chart that puts its values in a Secret, and this releases.yaml. */
function system(releases: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-sources-'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: vault\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'chart', 'templates', 'secret.yaml'), CHART_SECRET);
  writeFileSync(join(dir, 'releases.yaml'), releases);
  return dir;
}

/** A folder as system() makes it, whose releases.yaml has one release, vault, with these set entries. */
const vault = (set: string) => system(`releases:\n  - name: vault\n    chart: ./chart\n    set:\n${set}`);

const decoded = (secret: object | undefined) =>
  Object.fromEntries(
    Object.entries(((secret as { data?: unknown } | undefined)?.data ?? {}) as Record<string, string>).map(
      ([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')],
    ),
  );

describe('values from the environment, a file and a cluster Secret', () => {
  let cluster: ControlPlane;
  let env: Record<string, string>;
  let tmp: string;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    tmp = mkdtempSync(join(tmpdir(), 'boutique-sources-tmp-'));
    env = { ...emulatorEnv(cluster), TMPDIR: tmp };
  });
  afterAll(() => cluster.stop());

  /** A Secret in default with one key, made from a file, so its value is in no argument list either. */
  const createSecret = async (name: string, key: string, value: string) => {
    const literal = join(mkdtempSync(join(tmpdir(), 'boutique-literal-')), key);
    writeFileSync(literal, value);
    await execa(
      kubectlBinary(),
      ['create', 'secret', 'generic', name, '-n', 'default', `--from-file=${key}=${literal}`],
      { env },
    );
  };

  it('syncs each value into the live Secret, and shows none in any output, argv, cache file or temp file', async () => {
    await createSecret('db-admin', 'key', SENTINEL.cluster);
    const dir = vault(`      - { name: db.password, valueFrom: { env: DB_PASSWORD } }
      - name: api.token
        valueFrom: { file: secrets/api-token }
      - { name: cluster.key, valueFrom: { secret: default/db-admin, key: key } }
`);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'api-token'), SENTINEL.file);
    const helm = recordingHelm();
    const runEnv = { ...env, DB_PASSWORD: SENTINEL.env, BOUTIQUE_HELM: helm.path };
    const runs = [
      ['sync', '--debug'],
      ['diff', '-o', 'json'],
      ['status', '-o', 'json'],
      ['lint'],
      ['sync', '-o', 'json'],
    ];
    const outputs: string[] = [];
    for (const args of runs) {
      const result = await boutique(args, { cwd: dir, env: runEnv });
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      outputs.push(`${result.stdout}\n${result.stderr}`);
    }
    // template reads no cluster: it renders no release with a value from a cluster Secret, and says why.
    const template = await boutique(['template'], { cwd: dir, env: runEnv });
    expect(template.exitCode).not.toBe(0);
    expect(template.stderr).toContain(
      'cluster.key comes from the cluster Secret default/db-admin (key key), read only by commands that talk to the cluster',
    );
    outputs.push(`${template.stdout}\n${template.stderr}`);
    expect(decoded(cluster.store.get('v1', 'Secret', 'default', 'vault'))).toEqual({
      password: SENTINEL.env,
      token: SENTINEL.file,
      cluster: SENTINEL.cluster,
    });
    // The second sync found nothing to change: the inputs hash holds every value (keyed), and they were the same.
    expect((JSON.parse(outputs[4]!.split('\n\n')[0]!) as { results: unknown[] }).results).toMatchObject([
      { id: 'default/vault', result: 'unchanged' },
    ]);
    const argv = readFileSync(helm.log, 'utf8');
    expect(argv).toMatch(
      /^upgrade vault .* --set-file db.password=\S+ --set-file api.token=\S+ --set-file cluster.key=\S+ /m,
    );
    const cached = [...filesUnder(process.env.BOUTIQUE_CACHE_DIR!), ...filesUnder(tmp)].filter(
      (file) => statSync(file).size < 10_000_000,
    );
    expect(cached.length).toBeGreaterThan(0);
    for (const value of Object.values(SENTINEL).flatMap(forms)) {
      for (const output of outputs) expect(output).not.toContain(value);
      expect(argv).not.toContain(value);
      for (const file of cached) expect(readFileSync(file).includes(value), file).toBe(false);
    }
    // A new value in the cluster Secret upgrades the release on the next sync.
    await execa(kubectlBinary(), ['delete', 'secret', 'db-admin', '-n', 'default'], { env });
    await createSecret('db-admin', 'key', `${SENTINEL.cluster}-rotated`);
    const rotated = await boutique(['sync', '-o', 'json'], { cwd: dir, env: runEnv });
    expect(
      (JSON.parse(rotated.stdout.split('\n\n')[0]!) as { results: unknown[] }).results,
      rotated.stderr,
    ).toMatchObject([{ id: 'default/vault', result: 'upgraded' }]);
    expect(decoded(cluster.store.get('v1', 'Secret', 'default', 'vault')).cluster).toBe(`${SENTINEL.cluster}-rotated`);
    expect(rotated.stdout + rotated.stderr).not.toContain(SENTINEL.cluster);
    // The run's private values files are gone.
    expect(readdirSync(tmp).filter((name) => name.startsWith('boutique-values-'))).toEqual([]);
  });

  it('runs the worked example of docs/releases-yaml.md#secrets', async () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'releases-yaml.md'), 'utf8');
    const example = /<!-- secrets-example[^>]*-->\n```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toContain('valueFrom: { secret: default/smtp, key: password }');
    const dir = mkdtempSync(join(tmpdir(), 'boutique-sources-docs-'));
    mkdirSync(join(dir, 'charts', 'api', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'charts', 'api', 'Chart.yaml'), 'apiVersion: v2\nname: api\nversion: 0.1.0\n');
    writeFileSync(
      join(dir, 'charts', 'api', 'templates', 'secret.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  db: {{ .Values.db.password | quote }}\n  token: {{ .Values.api.token | quote }}\n  smtp: {{ .Values.smtp.password | quote }}\n',
    );
    writeFileSync(join(dir, 'releases.yaml'), example!);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'api-token'), 'token-from-a-file\n');
    await createSecret('smtp', 'password', 'smtp-from-the-cluster');
    const result = await boutique(['sync'], { cwd: dir, env: { ...env, DB_PASSWORD: 'db-from-the-environment' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(decoded(cluster.store.get('v1', 'Secret', 'default', 'api'))).toEqual({
      db: 'db-from-the-environment',
      token: 'token-from-a-file\n',
      smtp: 'smtp-from-the-cluster',
    });
  });

  it('refuses an unset variable and a missing file at their lines, with exit 2 and nothing contacted', async () => {
    const dir = vault(`      - { name: db.password, valueFrom: { env: BOUTIQUE_TEST_UNSET } }
      - name: api.token
        valueFrom:
          file: secrets/nowhere
`);
    const before = cluster.requests.length;
    const result = await boutique(['sync'], { cwd: dir, env: { ...env, BOUTIQUE_TEST_EMPTY: '' } });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain('releases.yaml:5:');
    expect(result.stderr).toContain(
      'environment variable BOUTIQUE_TEST_UNSET for db.password of release vault is not set',
    );
    expect(result.stderr).toContain('releases.yaml:8:17');
    expect(result.stderr).toContain('file secrets/nowhere for api.token of release vault does not exist');
    expect(cluster.requests.length).toBe(before);

    const empty = system(
      `releases:\n  - name: vault\n    chart: ./chart\n    set:\n      - { name: db.password, valueFrom: { env: BOUTIQUE_TEST_EMPTY } }\n`,
    );
    const emptied = await boutique(['diff'], { cwd: empty, env: { ...env, BOUTIQUE_TEST_EMPTY: '' } });
    expect(emptied.exitCode, emptied.stderr).toBe(2);
    expect(emptied.stderr).toMatch(
      /releases\.yaml:5:\d+.*BOUTIQUE_TEST_EMPTY for db\.password of release vault is empty/,
    );
    expect(cluster.requests.length).toBe(before);
  });

  it('fails the release whose cluster Secret or key is missing, skips what needs it, and finishes the others', async () => {
    await execa(kubectlBinary(), ['create', 'namespace', 'other'], { env });
    const dir = system(`releases:
  - name: lacking
    namespace: other
    chart: ./chart
    set:
      - { name: db.password, valueFrom: { secret: other/missing, key: password } }
  - name: wrong-key
    namespace: other
    chart: ./chart
    set:
      - { name: db.password, valueFrom: { secret: default/db-admin, key: nope } }
  - name: dependent
    namespace: other
    chart: ./chart
    needs: [lacking]
    set:
      - { name: db.password, value: plain }
  - name: independent
    namespace: other
    chart: ./chart
    set:
      - { name: db.password, value: plain }
`);
    const result = await boutique(['sync', '-o', 'json'], { cwd: dir, env });
    expect(result.exitCode, result.stderr).not.toBe(0);
    const document = JSON.parse(result.stdout) as { results: { id: string; result: string }[] };
    const states = Object.fromEntries(document.results.map((release) => [release.id, release.result]));
    expect(states, result.stdout).toEqual({
      'other/lacking': 'failed',
      'other/wrong-key': 'failed',
      'other/dependent': 'skipped',
      'other/independent': 'installed',
    });
    expect(result.stdout).toContain(
      'other/lacking: values from the cluster are missing: db.password: Secret other/missing does not exist',
    );
    expect(result.stdout).toContain('db.password: Secret default/db-admin has no key \\"nope\\" (it has key)');
    expect(cluster.store.get('v1', 'Secret', 'other', 'independent')).toBeDefined();
    expect(cluster.store.get('v1', 'Secret', 'other', 'lacking')).toBeUndefined();
  });
});

describe('diff --base of a release with values from elsewhere', () => {
  it('compares the revisions with stand-ins for the values, reading no variable, file or cluster', async () => {
    const dir = vault(`      - { name: db.password, valueFrom: { env: BOUTIQUE_TEST_NEVER_SET } }
      - { name: api.token, valueFrom: { file: secrets/not-in-git } }
      - { name: cluster.key, valueFrom: { secret: default/db-admin, key: key } }
`);
    const git = (args: string[]) =>
      execa('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: dir });
    await git(['init', '-q']);
    await git(['add', '.']);
    await git(['commit', '-qm', 'base']);
    writeFileSync(
      join(dir, 'chart', 'templates', 'config.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: strict\n',
    );
    const result = await boutique(['diff', '--base', 'HEAD', '-o', 'json'], {
      cwd: dir,
      env: { KUBECONFIG: join(dir, 'no-such-kubeconfig') },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    // The same sources on both sides: the Secret they reach is unchanged, the new ConfigMap added.
    expect(result.stdout).toMatch(/"ref": "ConfigMap\/settings",\s*"action": "add"/);
    expect(result.stdout).toMatch(/"ref": "Secret\/vault",\s*"action": "unchanged"/);
    // The stand-ins are masked like the values they stand for.
    expect(result.stdout).not.toContain('boutique-stand-in');
  });
});

import { execa } from 'execa';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boutique, boutiqueBin, type CliResult } from '../support/cli.js';
import { readyDelayAnnotation, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

/** A folder with a chart named vault, of these objects (and values schema), and a releases.yaml of one release of it with these set entries. */
function vaultSystem(prefix: string, objects: string, set: string, schema?: object): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: vault\nversion: 0.1.0\n');
  if (schema) writeFileSync(join(dir, 'chart', 'values.schema.json'), JSON.stringify(schema));
  writeFileSync(join(dir, 'chart', 'templates', 'objects.yaml'), objects);
  writeFileSync(join(dir, 'releases.yaml'), `releases:\n  - name: vault\n    chart: ./chart\n    set:\n${set}`);
  return dir;
}

/** The Secret the password reaches, up to its first key; and the ConfigMap it reaches carelessly, up to its data. */
const SECRET_HEAD =
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  password: {{ .Values.password | quote }}\n';
const CONFIG_MAP_HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-debug\ndata:\n';

/** A release whose password reaches a Secret and, carelessly, a ConfigMap too. */
function system(password: string): string {
  return vaultSystem(
    'boutique-secrets-',
    `${SECRET_HEAD}  user: admin
---
${CONFIG_MAP_HEAD}  connection: "postgres://admin:{{ .Values.password }}@db"
`,
    `      - { name: password, value: "${password}", secret: true }\n`,
  );
}

describe('secrets in diff', () => {
  let cluster: ControlPlane;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    env = emulatorEnv(cluster);
    expect((await boutique(['sync'], { cwd: system('old-hunter2'), env })).exitCode).toBe(0);
  });
  afterAll(() => cluster.stop());

  it('shows a changed secret key as changed and never prints the old or new value, in any format', async () => {
    const dir = system('new-swordfish');
    const outputs = await Promise.all([
      boutique(['diff', '--context', '1'], { cwd: dir, env }),
      boutique(['diff', '-o', 'json'], { cwd: dir, env }),
      boutique(['diff', '-o', 'markdown'], { cwd: dir, env }),
    ]);
    for (const { stdout, stderr, exitCode } of outputs) {
      expect(exitCode, stderr).toBe(0);
      for (const value of [
        'old-hunter2',
        'new-swordfish',
        Buffer.from('old-hunter2').toString('base64'),
        Buffer.from('new-swordfish').toString('base64'),
      ]) {
        expect(stdout).not.toContain(value);
        expect(stderr).not.toContain(value);
      }
    }
    const text = outputs[0]!.stdout;
    expect(text).toContain('~ Secret/vault (change)');
    expect(text).toMatch(/^-  password: "\*\*\*"\n\+  password: "\*\*\* \(changed\)"$/m);
    expect(text).toContain('~ ConfigMap/vault-debug (change)');
    expect(text).toContain('Plan: 0 to add, 2 to change, 0 to destroy, 0 unchanged.');
  });
});

describe('a secret, given every way, in every output of every command', () => {
  let cluster: ControlPlane;
  afterAll(() => cluster.stop());

  it('never shows the sentinel, plain or base64, in stdout or stderr, in any format', async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    const fileSecret = 'S3NTINEL-file-9f2c';
    const flagSecret = 'S3NTINEL-flag-41d7';
    const dir = system(fileSecret);
    // The second secret reaches the chart through --set-secret, and breaks a required value in the last runs.
    writeFileSync(
      join(dir, 'chart', 'templates', 'token.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: token\ndata:\n  token: {{ required "token is required" .Values.token | quote }}\n',
    );
    const env = emulatorEnv(cluster);
    const flag = ['--set-secret', `token=${flagSecret}`];
    const runs: string[][] = [
      ['lint', ...flag],
      ['lint', ...flag, '-o', 'json'],
      ['template', ...flag],
      ['template', ...flag, '-o', 'json'],
      ['template', ...flag, '--debug'],
      ['diff', ...flag],
      ['diff', ...flag, '-o', 'json'],
      ['diff', ...flag, '-o', 'markdown'],
      ['sync', ...flag, '--dry-run'],
      ['sync', ...flag, '--debug'],
      ['sync', ...flag, '-o', 'json'],
      ['status', ...flag],
      ['status', ...flag, '-o', 'json'],
      ['diff', ...flag, '--debug'],
      // A failure quotes helm's own message; the secret must not ride along.
      ['template', '--set-secret', `token=${flagSecret}`, '--set', 'password=null', '--debug'],
      ['rollback', 'vault', '99', ...flag],
    ];
    const forms = [fileSecret, flagSecret].flatMap((secret) => [secret, Buffer.from(secret).toString('base64')]);
    let printed = 0;
    for (const args of runs) {
      const result = await boutique(args, { cwd: dir, env });
      printed += result.stdout.length + result.stderr.length;
      for (const form of forms)
        expect(`${result.stdout}\n${result.stderr}`, `boutique ${args.join(' ')}`).not.toContain(form);
    }
    expect(printed).toBeGreaterThan(1000);
    // It did reach the cluster: the masking is of outputs, not of what helm applied.
    expect(
      cluster.store.list('v1', 'ConfigMap', 'default').some((map) => JSON.stringify(map.data).includes(flagSecret)),
    ).toBe(true);
    const destroyed = await boutique(['destroy', '--yes', ...flag, '-o', 'json'], { cwd: dir, env });
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    for (const form of forms) expect(`${destroyed.stdout}\n${destroyed.stderr}`).not.toContain(form);
  });
});

describe('secret set values inside lists', () => {
  it('land as helm --set puts them: in the item the values hold, the other items and keys kept, a list grown with null', async () => {
    const cluster = await startControlPlane({ readyDelayMs: 50 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'boutique-secret-lists-'));
      mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
      writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: accounts\nversion: 0.1.0\n');
      writeFileSync(
        join(dir, 'chart', 'templates', 'users.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: users\ndata:\n  users: {{ toJson .Values.users | quote }}\n  db: {{ toJson .Values.db | quote }}\n',
      );
      writeFileSync(
        join(dir, 'values.yaml'),
        'users:\n  - { name: alice, token: layer-token, role: admin }\n  - { name: bob }\ndb: { host: pg, port: 5432 }\n',
      );
      const secrets = [
        ['users[0].token', 'S3CRET-alice'],
        ['users[3].name', 'S3CRET-dave'],
        ['db.password', 'S3CRET-db,with=comma'],
      ];
      writeFileSync(
        join(dir, 'releases.yaml'),
        `releases:\n  - name: accounts\n    chart: ./chart\n    values: [values.yaml]\n    set:\n${secrets.map(([name, value]) => `      - { name: '${name}', value: '${value}', secret: true }\n`).join('')}`,
      );
      const synced = await boutique(['sync'], { cwd: dir, env: emulatorEnv(cluster) });
      expect(synced.exitCode, synced.stderr).toBe(0);
      const applied = cluster.store.list('v1', 'ConfigMap', 'default').find((map) => map.metadata.name === 'users')!
        .data as Record<string, string>;
      expect(JSON.parse(applied.users!)).toEqual([
        { name: 'alice', token: 'S3CRET-alice', role: 'admin' },
        { name: 'bob' },
        null,
        { name: 'S3CRET-dave' },
      ]);
      expect(JSON.parse(applied.db!)).toEqual({ host: 'pg', port: 5432, password: 'S3CRET-db,with=comma' });
      // The same as helm itself gives for these values with --set-string (commas escaped, as --set needs).
      const escaped = secrets.flatMap(([name, value]) => ['--set-string', `${name}=${value!.replace(/,/g, '\\,')}`]);
      const byHelm = await execa(helmBinary(), [
        'template',
        'accounts',
        join(dir, 'chart'),
        '--values',
        join(dir, 'values.yaml'),
        ...escaped,
      ]);
      expect(String(byHelm.stdout)).toContain(`users: ${JSON.stringify(applied.users)}`);
      expect(String(byHelm.stdout)).toContain(`db: ${JSON.stringify(applied.db)}`);
    } finally {
      await cluster.stop();
    }
  });
});

/**
 * Issue 27's done-when: unique sentinels given as secrets every way a chart can print them, and every output, every
 * file under the cache folder and $TMPDIR, and the release records grepped for them in every form.
 */
const SENTINEL = {
  // quotes, a backslash, a newline, a character JSON escapes in Go: a PEM-like value
  pem: 'S3NT1NEL-pem-"q\\u\'ote\nS3NT1NEL-pem-line2 <&>',
  // shorter than the masker's minimum: masked where it lands (a Secret, and where stand-ins show it goes), never by its text
  short: 'Kq7Zx2w',
  flag: 'S3NT1NEL-flag-41d7c0',
  schema: 'S3NT1NEL-schema-8b1e',
};

/** Every form a sentinel could be printed in: plain, each line, JSON- and Go-escaped, URL-encoded, base64 (also of the compound the chart builds). */
function forms(secret: string): string[] {
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [
    ...secret.split('\n'),
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    b64(secret),
    b64(`user:${secret}`).slice(0, 24),
  ];
}

const LONG_FORMS = [SENTINEL.pem, SENTINEL.flag, SENTINEL.schema].flatMap(forms);

function expectNoSentinel(text: string, where: string): void {
  for (const form of [...LONG_FORMS, SENTINEL.short])
    expect(text.includes(form), `${where} holds ${JSON.stringify(form)}`).toBe(false);
}

/** A chart that puts the secrets where charts do: a Secret, a quoted value, a URL, JSON, base64 of a compound. */
function sentinelSystem(): string {
  return vaultSystem(
    'boutique-sentinels-',
    `${SECRET_HEAD}  pin: {{ .Values.pin | quote }}
  tag: {{ .Values.tag | quote }}
data:
  basic: {{ printf "user:%s" .Values.password | b64enc }}
---
${CONFIG_MAP_HEAD}  url: "pg://u:{{ .Values.password | urlquery }}@db"
  json: {{ toJson (dict "pw" .Values.password "token" .Values.token) | quote }}
  auth: {{ printf "user:%s" .Values.password | b64enc }}
  token: {{ .Values.token | default "none" | quote }}
  pin: "PIN {{ .Values.pin }}"
  tag: {{ .Values.tag | quote }}
`,
    `      - { name: password, value: ${JSON.stringify(SENTINEL.pem)}, secret: true }\n      - { name: pin, value: ${SENTINEL.short}, secret: true }\n      - { name: tag, value: v1, secret: true }\n`,
    { type: 'object', properties: { code: { type: 'integer' } } },
  );
}

/** Every file under a folder, recursively (links not followed). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

function expectValidOutput(result: CliResult, args: string[]): void {
  if (args.includes('json')) expect(() => JSON.parse(result.stdout), `boutique ${args.join(' ')}`).not.toThrow();
  else if (args[0] === 'template' && result.exitCode === 0)
    for (const doc of parseAllDocuments(result.stdout)) expect(doc.errors, `boutique ${args.join(' ')}`).toEqual([]);
}

describe('secret sentinels in every output, cache file and temp file', () => {
  let cluster: ControlPlane;
  let env: Record<string, string>;
  let dir: string;
  let tmp: string;
  const cache = process.env.BOUTIQUE_CACHE_DIR!;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    tmp = mkdtempSync(join(tmpdir(), 'boutique-sentinel-tmp-'));
    env = { ...emulatorEnv(cluster), TMPDIR: tmp };
    dir = sentinelSystem();
  });
  afterAll(() => cluster.stop());

  it('never shows a sentinel in any form, in any command or format, and every output stays valid YAML or JSON', async () => {
    const flag = ['--set-secret', `token=${SENTINEL.flag}`];
    const runs: string[][] = [
      ['template', ...flag],
      ['template', ...flag, '-o', 'json'],
      ['template', ...flag, '--debug'],
      ['lint', ...flag],
      ['lint', ...flag, '-o', 'json'],
      ['sync', ...flag, '-o', 'json'],
      ['diff', '--set-secret', `token=${SENTINEL.flag}-2`, '--context', '1'],
      ['diff', ...flag, '-o', 'json'],
      ['diff', ...flag, '-o', 'markdown', '--debug'],
      ['sync', ...flag, '--debug'],
      ['status', ...flag, '-o', 'json'],
      // boutique's own check of the chart's values.schema.json rejects it: the message names the place, not the value
      ['lint', ...flag, '--set-secret', `code=${SENTINEL.schema}`],
      ['template', ...flag, '--set-secret', `code=${SENTINEL.schema}`, '-o', 'json'],
      ['sync', ...flag, '--set-secret', `code=${SENTINEL.schema}`, '--debug'],
    ];
    let printed = 0;
    for (const args of runs) {
      const result = await boutique(args, { cwd: dir, env });
      printed += result.stdout.length + result.stderr.length;
      expectNoSentinel(`${result.stdout}\n${result.stderr}`, `boutique ${args.join(' ')}`);
      expectValidOutput(result, args);
      if (args.includes(`code=${SENTINEL.schema}`)) {
        expect(result.exitCode, result.stderr).not.toBe(0);
        // boutique's check of the chart's schema, or helm lint's own
        expect(`${result.stdout}${result.stderr}`).toMatch(
          /code must be an integer, not the secret value given \(not shown\)|at '\/code': \*\*\* \(a secret value/,
        );
      } else if (args[0] !== 'diff') expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(printed).toBeGreaterThan(5000);

    // The short secret is masked where it lands, and `v1` (also a secret here) leaves apiVersion: v1 alone.
    const template = await boutique(['template', ...flag], { cwd: dir, env });
    const objects = parseAllDocuments(template.stdout).map(
      (doc) => doc.toJS() as Record<string, Record<string, string>>,
    );
    expect(objects.map((obj) => obj.apiVersion)).toEqual(['v1', 'v1']);
    expect(objects[0]!.stringData).toEqual({ password: '***', pin: '***', tag: '***' });
    // Short ones too, where a render with stand-ins put them: in a ConfigMap the chart copies them into.
    expect(objects[1]!.data).toEqual({ url: '***', json: '***', auth: '***', token: '***', pin: '***', tag: '***' });

    // Nothing in clear under the cache folder or $TMPDIR, and boutique's labels on helm's records hold no sentinel.
    const files = [...filesUnder(cache), ...filesUnder(tmp)];
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expectNoSentinel(readFileSync(file).toString('latin1'), file);
    const records = cluster.store
      .list('v1', 'Secret', 'default')
      .filter((secret) => secret.metadata.labels?.owner === 'helm');
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expectNoSentinel(JSON.stringify(record.metadata), `record ${record.metadata.name}`);

    // It did reach the cluster: masking is of outputs, not of what helm applied.
    const live = cluster.store.get('v1', 'Secret', 'default', 'vault')!;
    expect(Buffer.from(String((live.data as Record<string, string>).password), 'base64').toString()).toBe(SENTINEL.pem);
    expect(statSync(tmp).isDirectory()).toBe(true);
  });
});

describe('secret values on disk', () => {
  it('template --output-dir refuses releases with secret values; --include-secrets writes them 0600 and warns', async () => {
    const dir = sentinelSystem();
    const out = join(dir, 'out');
    const refused = await boutique(['template', '--output-dir', out], { cwd: dir });
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      '--output-dir would write secret values in clear: default/vault (password, pin, tag)',
    );
    expect(refused.stderr).toContain('--include-secrets');
    expectNoSentinel(refused.stderr + refused.stdout, 'the refusal');
    expect(filesUnder(out)).toEqual([]);

    const written = await boutique(['template', '--output-dir', out, '--include-secrets'], { cwd: dir });
    expect(written.exitCode, written.stderr).toBe(0);
    expect(written.stderr).toContain(
      `warning: ${join(out, 'default', 'vault')} holds secret values of default/vault in clear (files 0600): never commit it`,
    );
    const files = filesUnder(out);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    expect(statSync(join(out, 'default', 'vault')).mode & 0o777).toBe(0o700);
    expect(files.map((file) => readFileSync(file, 'utf8')).join('')).toContain('S3NT1NEL-pem-line2');
  });

  it('writes nothing through a symbolic link that leads out of the output folder', async () => {
    const dir = sentinelSystem();
    const out = join(dir, 'out');
    const elsewhere = mkdtempSync(join(tmpdir(), 'boutique-elsewhere-'));
    mkdirSync(join(elsewhere, 'vault'));
    writeFileSync(join(elsewhere, 'vault', 'keep.txt'), "not boutique's");
    mkdirSync(out);
    symlinkSync(elsewhere, join(out, 'default'));
    const result = await boutique(['template', '--output-dir', out, '--include-secrets'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(
      `--output-dir: ${join(out, 'default', 'vault')} leads out of ${out} through a symbolic link, to ${join(elsewhere, 'vault')}`,
    );
    expect(readdirSync(join(elsewhere, 'vault'))).toEqual(['keep.txt']);
  });

  it('import, set-image and export write nothing through a symbolic link out of their folder, a dangling one included', async () => {
    const dir = sentinelSystem();
    const elsewhere = mkdtempSync(join(tmpdir(), 'boutique-elsewhere-'));
    writeFileSync(join(dir, 'helmfile.yaml'), 'releases:\n  - name: web\n    chart: ./chart\n');
    symlinkSync(join(elsewhere, 'planted.yaml'), join(dir, 'imported.yaml'));
    const imported = await boutique(['import', 'helmfile.yaml', '-f', 'imported.yaml'], { cwd: dir });
    expect(imported.exitCode, imported.stderr).toBe(2);
    expect(imported.stderr).toContain(
      `import: ${join(dir, 'imported.yaml')} leads out of ${dir} through a symbolic link, to ${join(elsewhere, 'planted.yaml')}`,
    );
    expect(existsSync(join(elsewhere, 'planted.yaml'))).toBe(false);

    writeFileSync(join(elsewhere, 'versions.yaml'), 'vault: "1"\n');
    mkdirSync(join(dir, 'versions'));
    symlinkSync(join(elsewhere, 'versions.yaml'), join(dir, 'versions', 'default.yaml'));
    const pinned = await boutique(['set-image', '-e', 'default', 'vault=2'], { cwd: dir });
    expect(pinned.exitCode, pinned.stderr).toBe(2);
    expect(pinned.stderr).toContain(
      `warning: the versions file ${join(dir, 'versions', 'default.yaml')} (${join(elsewhere, 'versions.yaml')}) is outside the repository ${dir}`,
    );
    expect(pinned.stderr).toContain('leads out of');
    expect(readFileSync(join(elsewhere, 'versions.yaml'), 'utf8')).toBe('vault: "1"\n');

    // export: a file of the folder is a link to a file elsewhere; nothing is removed or written, there or here.
    writeFileSync(join(elsewhere, 'root.yaml'), "not boutique's\n");
    mkdirSync(join(dir, 'gitops'));
    symlinkSync(join(elsewhere, 'root.yaml'), join(dir, 'gitops', 'root.yaml'));
    const exported = await boutique(
      ['export', 'argocd', '--output-dir', 'gitops', '--repo-url', 'https://git.example.com/shop.git'],
      { cwd: dir },
    );
    expect(exported.exitCode, exported.stderr).toBe(2);
    expect(exported.stderr).toContain(
      `export --output-dir: ${join(dir, 'gitops', 'root.yaml')} leads out of ${join(dir, 'gitops')} through a symbolic link`,
    );
    expect(readFileSync(join(elsewhere, 'root.yaml'), 'utf8')).toBe("not boutique's\n");
    expect(readdirSync(join(dir, 'gitops'))).toEqual(['root.yaml']);
  });

  it('leaves no secret in $TMPDIR after SIGKILL mid-sync once the next run starts, nor after a double SIGINT', async () => {
    const cluster = await startControlPlane({ readyDelayMs: 50 });
    try {
      const dir = sentinelSystem();
      // A Deployment that takes its time to be ready keeps helm (and the values files) busy.
      writeFileSync(
        join(dir, 'chart', 'templates', 'slow.yaml'),
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-slow\nspec:\n  selector: { matchLabels: { app: slow } }\n  template:\n    metadata: { labels: { app: slow }, annotations: { ${readyDelayAnnotation}: "20000" } }\n    spec: { containers: [{ name: c, image: busybox }] }\n`,
      );
      const tmp = mkdtempSync(join(tmpdir(), 'boutique-kill-tmp-'));
      const env = { ...emulatorEnv(cluster), TMPDIR: tmp, NO_COLOR: '1', CI: 'true' };
      const valuesFolders = () =>
        readdirSync(tmp).filter(
          (name) => name.startsWith('boutique-values-') && readdirSync(join(tmp, name)).length > 0,
        );
      const midSync = async () => {
        const run = execa(process.execPath, [boutiqueBin, 'sync', '--set-secret', `token=${SENTINEL.flag}`], {
          cwd: dir,
          env,
          reject: false,
        });
        while (valuesFolders().length === 0 && run.exitCode === null)
          await new Promise((resolve) => setTimeout(resolve, 50));
        // helm is applying (or waiting for the Deployment): the values files are in use.
        const writes = () =>
          cluster.requests.filter((request) => request.method === 'POST' || request.method === 'PATCH').length;
        const before = writes();
        while (writes() === before && run.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
        // An execa process is a promise: returned bare, the caller's await would wait for its end.
        return { run };
      };

      const { run: killed } = await midSync();
      killed.kill('SIGKILL');
      await killed;
      expect(valuesFolders().length).toBeGreaterThan(0);
      const leftBehind = filesUnder(tmp)
        .map((file) => readFileSync(file, 'utf8'))
        .join('');
      expect(leftBehind).toContain(SENTINEL.flag);
      // The next run (any that hands values to helm) sweeps what the killed one left.
      const next = await boutique(['template', '--set-secret', `token=${SENTINEL.flag}`], { cwd: dir, env });
      expect(next.exitCode, next.stderr).toBe(0);
      for (const file of filesUnder(tmp)) expectNoSentinel(readFileSync(file, 'latin1'), file);

      // Another release, so the killed run's helm, still waiting for its Deployment, is in nobody's way.
      writeFileSync(
        join(dir, 'releases.yaml'),
        readFileSync(join(dir, 'releases.yaml'), 'utf8').replace('name: vault', 'name: vault-two'),
      );
      const { run: interrupted } = await midSync();
      interrupted.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 200));
      interrupted.kill('SIGINT');
      const ended = await interrupted;
      expect(ended.exitCode).toBe(130);
      for (const file of filesUnder(tmp)) expectNoSentinel(readFileSync(file, 'latin1'), file);
    } finally {
      await cluster.stop();
    }
  });
});

describe('the inputs hash of a release with secret values', () => {
  it('is keyed by the cluster (a Secret beside the lock), stable from run to run: a second sync changes nothing', async () => {
    const cluster = await startControlPlane({ readyDelayMs: 50 });
    try {
      const dir = sentinelSystem();
      const env = emulatorEnv(cluster);
      const first = await boutique(['sync', '-o', 'json'], { cwd: dir, env });
      expect(first.exitCode, first.stderr).toBe(0);
      const key = cluster.store.get('v1', 'Secret', 'default', 'boutique-inputs-key');
      expect(Buffer.from(String((key?.data as Record<string, string>).key), 'base64')).toHaveLength(32);
      const actions = async (args: string[] = []) =>
        JSON.parse((await boutique(['status', '-o', 'json', ...args], { cwd: dir, env })).stdout).results.map(
          (result: { action: string }) => result.action,
        );
      expect(await actions()).toEqual(['unchanged']);
      const second = await boutique(['sync'], { cwd: dir, env });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(await actions()).toEqual(['unchanged']);
      // Another secret value is another hash: the release is upgraded.
      expect(await actions(['--set-secret', `pin=${SENTINEL.short}x`])).toEqual(['upgrade']);
    } finally {
      await cluster.stop();
    }
  });
});

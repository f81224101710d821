import { execa } from 'execa';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique } from '../support/cli.js';
import { emulatorEnv, helmBinary } from '../support/tools.js';

/** A release whose password reaches a Secret and, carelessly, a ConfigMap too. */
function system(password: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-secrets-'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: vault\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'chart', 'templates', 'objects.yaml'),
    `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}
stringData:
  password: {{ .Values.password | quote }}
  user: admin
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-debug
data:
  connection: "postgres://admin:{{ .Values.password }}@db"
`,
  );
  writeFileSync(join(dir, 'releases.yaml'), `releases:\n  - name: vault\n    chart: ./chart\n    set:\n      - { name: password, value: "${password}", secret: true }\n`);
  return dir;
}

describe('secrets in diff', () => {
  let cluster: ControlPlane;
  let env: Record<string, string>;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    env = emulatorEnv(cluster);
    expect((await boutique(['sync'], { cwd: system('old-hunter2'), env })).exitCode).toBe(0);
  });
  afterAll(() => cluster?.stop());

  it('shows a changed secret key as changed and never prints the old or new value, in any format', async () => {
    const dir = system('new-swordfish');
    const outputs = await Promise.all([
      boutique(['diff', '--context', '1'], { cwd: dir, env }),
      boutique(['diff', '-o', 'json'], { cwd: dir, env }),
      boutique(['diff', '-o', 'markdown'], { cwd: dir, env }),
    ]);
    for (const { stdout, stderr, exitCode } of outputs) {
      expect(exitCode, stderr).toBe(0);
      for (const value of ['old-hunter2', 'new-swordfish', Buffer.from('old-hunter2').toString('base64'), Buffer.from('new-swordfish').toString('base64')]) {
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
  afterAll(() => cluster?.stop());

  it('never shows the sentinel, plain or base64, in stdout or stderr, in any format', async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    const fileSecret = 'S3NTINEL-file-9f2c';
    const flagSecret = 'S3NTINEL-flag-41d7';
    const dir = system(fileSecret);
    // The second secret reaches the chart through --set-secret, and breaks a required value in the last runs.
    writeFileSync(join(dir, 'chart', 'templates', 'token.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: token\ndata:\n  token: {{ required "token is required" .Values.token | quote }}\n');
    const env = emulatorEnv(cluster);
    const flag = ['--set-secret', `token=${flagSecret}`];
    const runs: string[][] = [
      ['lint', ...flag], ['lint', ...flag, '-o', 'json'],
      ['template', ...flag], ['template', ...flag, '-o', 'json'], ['template', ...flag, '--debug'],
      ['diff', ...flag], ['diff', ...flag, '-o', 'json'], ['diff', ...flag, '-o', 'markdown'],
      ['sync', ...flag, '--dry-run'], ['sync', ...flag, '--debug'], ['sync', ...flag, '-o', 'json'],
      ['status', ...flag], ['status', ...flag, '-o', 'json'], ['diff', ...flag, '--debug'],
      // A failure quotes helm's own message; the secret must not ride along.
      ['template', '--set-secret', `token=${flagSecret}`, '--set', 'password=null', '--debug'],
      ['rollback', 'vault', '99', ...flag],
    ];
    const forms = [fileSecret, flagSecret].flatMap((secret) => [secret, Buffer.from(secret).toString('base64')]);
    let printed = 0;
    for (const args of runs) {
      const result = await boutique(args, { cwd: dir, env });
      printed += result.stdout.length + result.stderr.length;
      for (const form of forms) expect(`${result.stdout}\n${result.stderr}`, `boutique ${args.join(' ')}`).not.toContain(form);
    }
    expect(printed).toBeGreaterThan(1000);
    // It did reach the cluster: the masking is of outputs, not of what helm applied.
    expect(cluster.store.list('v1', 'ConfigMap', 'default').some((map) => JSON.stringify(map.data).includes(flagSecret))).toBe(true);
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
      writeFileSync(join(dir, 'values.yaml'), 'users:\n  - { name: alice, token: layer-token, role: admin }\n  - { name: bob }\ndb: { host: pg, port: 5432 }\n');
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
      const applied = cluster.store.list('v1', 'ConfigMap', 'default').find((map) => map.metadata.name === 'users')!.data as Record<string, string>;
      expect(JSON.parse(applied.users!)).toEqual([{ name: 'alice', token: 'S3CRET-alice', role: 'admin' }, { name: 'bob' }, null, { name: 'S3CRET-dave' }]);
      expect(JSON.parse(applied.db!)).toEqual({ host: 'pg', port: 5432, password: 'S3CRET-db,with=comma' });
      // The same as helm itself gives for these values with --set-string (commas escaped, as --set needs).
      const escaped = secrets.flatMap(([name, value]) => ['--set-string', `${name}=${value!.replace(/,/g, '\\,')}`]);
      const byHelm = await execa(helmBinary(), ['template', 'accounts', join(dir, 'chart'), '--values', join(dir, 'values.yaml'), ...escaped]);
      expect(String(byHelm.stdout)).toContain(`users: ${JSON.stringify(applied.users)}`);
      expect(String(byHelm.stdout)).toContain(`db: ${JSON.stringify(applied.db)}`);
    } finally {
      await cluster.stop();
    }
  });
});

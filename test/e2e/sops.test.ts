import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { boutique, repoRoot } from '../support/cli.js';
import { newAgeKey, sops, sopsEncrypt } from '../support/sops.js';
import { emulatorEnv } from '../support/tools.js';
import { filesUnder, recordingHelm } from '../support/secret-traces.js';

/**
 * Values files encrypted by sops (issue 31), made by the real sops CLI at test time for an age key. Each secret is a
 * unique sentinel, looked for in every output, every argument list helm was given, every file under the cache
 * folder and $TMPDIR.
 */
const SENTINEL = { password: 'S0PS-SENTINEL-password-41d9', greeting: 'S0PS-SENTINEL-greeting-8c2e' };
const forms = (value: string) => [value, Buffer.from(value).toString('base64')];

const PLAIN = `db:
  password: ${SENTINEL.password}
  port: 5432
greeting: ${SENTINEL.greeting}
`;

/** A folder with a chart that puts db.password in a Secret and the rest in a ConfigMap, and a releases.yaml using `values`. */
function system(values: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-sops-'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'chart', 'values.yaml'), 'db:\n  password: ""\n  port: 0\ngreeting: hello\nreplicas: 1\n');
  writeFileSync(
    join(dir, 'chart', 'templates', 'objects.yaml'),
    `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}
stringData:
  password: {{ .Values.db.password | quote }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
data:
  greeting: {{ .Values.greeting | quote }}
  port: {{ .Values.db.port | quote }}
  replicas: {{ .Values.replicas | quote }}
`,
  );
  writeFileSync(join(dir, 'releases.yaml'), `releases:\n  - name: shop\n    chart: ./chart\n    values:\n${values}`);
  return dir;
}

const decoded = (secret: object | undefined) =>
  Object.fromEntries(
    Object.entries(((secret as { data?: unknown } | undefined)?.data ?? {}) as Record<string, string>).map(
      ([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')],
    ),
  );

describe('sops-encrypted values files', () => {
  let cluster: ControlPlane;
  let env: Record<string, string>;
  let tmp: string;
  let keys: string;
  let key: ReturnType<typeof newAgeKey>;
  beforeAll(async () => {
    cluster = await startControlPlane({ readyDelayMs: 50 });
    tmp = mkdtempSync(join(tmpdir(), 'boutique-sops-tmp-'));
    keys = mkdtempSync(join(tmpdir(), 'boutique-sops-keys-'));
    key = newAgeKey(keys, 'team');
    // No key of the developer's: an empty config folder, no SOPS_AGE_KEY.
    env = {
      ...emulatorEnv(cluster),
      TMPDIR: tmp,
      XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'boutique-sops-config-')),
      SOPS_AGE_KEY: '',
    };
  });
  afterAll(() => cluster.stop());

  it('syncs the decrypted values into the live objects, and shows none in any output, argv, cache file or temp file', async () => {
    const dir = system('      - secrets.enc.yaml\n      - { replicas: 3 }\n');
    sopsEncrypt(dir, 'secrets.enc.yaml', PLAIN, key.recipient);
    const helm = recordingHelm();
    const runEnv = { ...env, SOPS_AGE_KEY_FILE: key.file, BOUTIQUE_HELM: helm.path };
    const planFile = join(dir, 'install.plan');
    const runs = [
      ['diff', '--save-plan', planFile],
      ['sync', '--debug'],
      ['diff', '-o', 'json'],
      ['template'],
      ['lint'],
      ['sync', '-o', 'json'],
      ['export', 'flux', '--repo-url', 'https://example.com/shop.git', '--output-dir', join(dir, 'flux'), '-o', 'json'],
    ];
    const outputs: string[] = [];
    for (const args of runs) {
      const result = await boutique(args, { cwd: dir, env: runEnv });
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      outputs.push(`${result.stdout}\n${result.stderr}`);
    }
    expect(decoded(cluster.store.get('v1', 'Secret', 'default', 'shop'))).toEqual({ password: SENTINEL.password });
    expect(cluster.store.get('v1', 'ConfigMap', 'default', 'shop')?.data).toEqual({
      greeting: SENTINEL.greeting,
      port: '5432',
      replicas: '3',
    });
    // template masks what the file holds: the greeting is shown as ***.
    expect(outputs[3]).toMatch(/greeting: "\*\*\*"/);
    // The second sync found nothing to change: the inputs hash holds the decrypted values (keyed), and they were the same.
    expect((JSON.parse(outputs[5]!.split('\n\n')[0]!) as { results: unknown[] }).results).toMatchObject([
      { id: 'default/shop', result: 'unchanged' },
    ]);
    // export leaves the file to Flux's own sops decryption, and says so.
    const exported = JSON.parse(outputs[6]!.split('\n\n')[0]!) as {
      results: { notes: { feature: string; detail: string }[] };
    };
    expect(JSON.stringify(exported)).toContain('values file secrets.enc.yaml is encrypted with sops and left out');
    const fluxFiles = filesUnder(join(dir, 'flux'));
    expect(fluxFiles.length).toBeGreaterThan(0);
    for (const file of fluxFiles) expect(readFileSync(file, 'utf8'), file).not.toMatch(/ENC\[AES256_GCM|lastmodified/);
    const argv = readFileSync(helm.log, 'utf8');
    // The decrypted file reaches helm as a private file of its own, between the layers around it.
    expect(argv).toMatch(/^upgrade shop .* --values \S+boutique-values-\S+\.0\.yaml --values \S+\.1\.yaml/m);
    expect(existsSync(planFile)).toBe(true);
    const cached = [
      ...filesUnder(process.env.BOUTIQUE_CACHE_DIR!),
      ...filesUnder(tmp),
      ...filesUnder(join(dir, 'flux')),
      planFile,
    ].filter((file) => statSync(file).size < 10_000_000);
    expect(cached.length).toBeGreaterThan(0);
    expect(filesUnder(tmp).filter((file) => file.includes('boutique-values-'))).toEqual([]);
    for (const value of Object.values(SENTINEL).flatMap(forms)) {
      for (const output of outputs) expect(output).not.toContain(value);
      expect(argv).not.toContain(value);
      for (const file of cached) expect(readFileSync(file).includes(value), file).toBe(false);
    }
    // Uninstalling renders nothing: it needs no key.
    const destroyed = await boutique(['destroy', '--yes'], { cwd: dir, env });
    expect(destroyed.exitCode, destroyed.stderr).toBe(0);
    expect(cluster.store.get('v1', 'Secret', 'default', 'shop')).toBeUndefined();
  });

  it('runs the worked example of docs/releases-yaml.md#sops-encrypted-values-files with the real sops', async () => {
    const docs = readFileSync(join(repoRoot, 'docs', 'releases-yaml.md'), 'utf8');
    const [, rules, releases, commands] =
      /<!-- sops-example[^>]*-->\n```yaml\n([\s\S]*?)```\n\n```yaml\n([\s\S]*?)```\n\n```sh\n([\s\S]*?)```/.exec(
        docs,
      ) ?? [];
    expect(rules).toMatch(/^ {4}age: age1\w+$/m);
    const dir = mkdtempSync(join(tmpdir(), 'boutique-sops-docs-'));
    mkdirSync(join(dir, 'charts', 'api', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'charts', 'api', 'Chart.yaml'), 'apiVersion: v2\nname: api\nversion: 0.1.0\n');
    writeFileSync(
      join(dir, 'charts', 'api', 'templates', 'secret.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  password: {{ .Values.db.password | quote }}\n  replicas: {{ .Values.replicas | quote }}\n',
    );
    writeFileSync(join(dir, '.sops.yaml'), rules!.replace(/age1\w+/, key.recipient));
    writeFileSync(join(dir, 'releases.yaml'), releases!);
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'api.yaml'), 'db:\n  password: db-from-the-sops-file\n');
    // The first command, as the docs give it: the real sops, its output to the file named after `>`.
    const [, args, target] = /^sops (.+) > (\S+)$/m.exec(commands!) ?? [];
    writeFileSync(join(dir, target!), sops(args!.split(' '), { cwd: dir }));
    rmSync(join(dir, 'secrets', 'api.yaml'));
    expect(readFileSync(join(dir, target!), 'utf8')).not.toContain('db-from-the-sops-file');
    const result = await boutique(['sync'], { cwd: dir, env: { ...env, SOPS_AGE_KEY_FILE: key.file } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(decoded(cluster.store.get('v1', 'Secret', 'default', 'api'))).toEqual({
      password: 'db-from-the-sops-file',
      replicas: '2',
    });
  });

  it('compares revisions with stand-ins named after the ciphertexts, with no key: only a changed value shows, masked', async () => {
    const dir = system('      - secrets.enc.yaml\n');
    const path = sopsEncrypt(dir, 'secrets.enc.yaml', PLAIN, key.recipient);
    const git = (args: string[]) =>
      execa('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd: dir });
    await git(['init', '-q']);
    await git(['add', '.']);
    await git(['commit', '-qm', 'base']);
    // sops set, as sops edit, keeps the ciphertext of every value it leaves as it was.
    const changed = 'S0PS-SENTINEL-changed-77a0';
    const greeting = /greeting: (ENC\[[^\]]+\])/.exec(readFileSync(path, 'utf8'))![1]!;
    sops(['set', 'secrets.enc.yaml', '["db"]["password"]', JSON.stringify(changed)], {
      cwd: dir,
      env: { SOPS_AGE_KEY_FILE: key.file },
    });
    expect(readFileSync(path, 'utf8')).toContain(greeting);
    const result = await boutique(['diff', '--base', 'HEAD', '-o', 'json'], {
      cwd: dir,
      env: { ...env, KUBECONFIG: join(dir, 'no-such-kubeconfig') },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      results: { changes: { diff: { changes: { ref: string; action: string }[] } }[] }[];
    };
    expect(report.results[0]!.changes[0]!.diff.changes.map(({ ref, action }) => `${ref} ${action}`)).toEqual([
      'ConfigMap/shop unchanged',
      'Secret/shop change',
    ]);
    for (const value of [changed, ...Object.values(SENTINEL), 'boutique-stand-in', 'ENC['])
      expect(result.stdout + result.stderr).not.toContain(value);
  });

  it('refuses a changed value and a file for a key it does not have, with exit 2, the place, and nothing contacted', async () => {
    const dir = system('      - secrets.enc.yaml\n');
    const path = sopsEncrypt(dir, 'secrets.enc.yaml', PLAIN, key.recipient);
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n').findIndex((row) => row.includes('password: ENC[')) + 1;
    const data = /password: ENC\[AES256_GCM,data:([^,]+),/.exec(text)![1]!;
    writeFileSync(path, text.replace(data, `${data[0] === 'A' ? 'B' : 'A'}${data.slice(1)}`));
    const before = cluster.requests.length;
    const tampered = await boutique(['sync'], { cwd: dir, env: { ...env, SOPS_AGE_KEY_FILE: key.file } });
    expect(tampered.exitCode, tampered.stderr).toBe(2);
    expect(tampered.stderr).toContain(
      `secrets.enc.yaml:${line}:15: sops file secrets.enc.yaml: the value at db.password does not decrypt: it was changed, or moved from another key or file`,
    );

    // A value removed changes the MAC.
    writeFileSync(path, text.replace(/^greeting: .*\n/m, ''));
    const removed = await boutique(['diff'], { cwd: dir, env: { ...env, SOPS_AGE_KEY_FILE: key.file } });
    expect(removed.exitCode, removed.stderr).toBe(2);
    expect(removed.stderr).toMatch(
      /secrets\.enc\.yaml:\d+:\d+: sops file secrets\.enc\.yaml: the MAC does not match the values: the file was changed after sops encrypted it/,
    );

    const stranger = newAgeKey(keys, 'stranger');
    sopsEncrypt(dir, 'secrets.enc.yaml', PLAIN, stranger.recipient);
    const foreign = await boutique(['sync'], { cwd: dir, env: { ...env, SOPS_AGE_KEY_FILE: key.file } });
    expect(foreign.exitCode, foreign.stderr).toBe(2);
    expect(foreign.stderr).toContain(
      `none of the age keys (from SOPS_AGE_KEY_FILE (${key.file})) is for a recipient of secrets.enc.yaml`,
    );
    expect(foreign.stderr).toContain(`set SOPS_AGE_KEY_FILE to the age key file for ${stranger.recipient}`);
    const keyless = await boutique(['template'], { cwd: dir, env });
    expect(keyless.exitCode, keyless.stderr).toBe(2);
    expect(keyless.stderr).toMatch(
      /secrets\.enc\.yaml:\d+:\d+: sops file secrets\.enc\.yaml: no age key found to decrypt it \(looked in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, /,
    );
    expect(cluster.requests.length).toBe(before);
  });
});

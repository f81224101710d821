import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseYaml } from '../config/parse.js';
import { parseGoYaml } from '../yaml/go-yaml.js';
import { newAgeKey, sops, sopsEncrypt } from '../../test/support/sops.js';
import { ageKeys, decryptSopsValues, sopsStandIns, type AgeKeys } from './sops.js';

// Every file here is encrypted by the real sops CLI (scripts/build-sops.mjs), so the format is sops's, not ours.
let dir: string;
let key: ReturnType<typeof newAgeKey>;
let other: ReturnType<typeof newAgeKey>;
const keysOf = (...identities: string[]): AgeKeys => ({
  identities: identities.map((identity) => ({ key: identity, from: 'SOPS_AGE_KEY' })),
  looked: ['SOPS_AGE_KEY'],
  issues: [],
});

const plain = [
  '# sops encrypts comments too (type comment): they are no values, and outside the MAC',
  'db:',
  '  password: hunter2-secret',
  '  port: 5432',
  '  ratio: 1.5',
  '  enabled: true',
  '  off: false',
  'users:',
  '  - name: alice',
  '    token: "0042"',
  '  - plain-item',
  'motd: |',
  '  line one',
  '  line two',
  'empty: ""',
  'nothing: null',
  'dotted.key: v',
  '',
].join('\n');

// The first use builds sops and age-keygen from their Go modules (minutes, once per machine: scripts/build-sops.mjs).
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'boutique-sops-'));
  key = newAgeKey(dir, 'key');
  other = newAgeKey(dir, 'other');
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const decrypt = (path: string, keys: AgeKeys = keysOf(key.identity)) =>
  decryptSopsValues(parseYaml(readFileSync(path, 'utf8'), path.replace(`${dir}/`, '')), keys);

async function issueOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).issues).toHaveLength(1);
  return (error as ConfigError).issues[0]!;
}

/** The line (1-based) of the first line of `path` that starts with `prefix` (after indentation). */
const lineOf = (path: string, prefix: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .findIndex((line) => line.trimStart().startsWith(prefix)) + 1;

describe('decryptSopsValues', () => {
  it('decrypts a file the real sops encrypted to the values sops decrypt gives, and names every encrypted leaf', async () => {
    const path = sopsEncrypt(dir, 'values.enc.yaml', plain, key.recipient);
    expect(readFileSync(path, 'utf8')).not.toContain('hunter2');
    expect(readFileSync(path, 'utf8')).toMatch(/^#ENC\[AES256_GCM,.*,type:comment\]$/m);
    const { values, secrets } = await decrypt(path);
    const bySops = parseGoYaml(
      sops(['decrypt', 'values.enc.yaml'], { cwd: dir, env: { SOPS_AGE_KEY_FILE: key.file } }),
    );
    expect(values).toEqual(bySops);
    expect(values).toEqual({
      db: { password: 'hunter2-secret', port: 5432, ratio: 1.5, enabled: true, off: false },
      users: [{ name: 'alice', token: '0042' }, 'plain-item'],
      motd: 'line one\nline two\n',
      empty: '',
      nothing: null,
      'dotted.key': 'v',
    });
    expect(secrets).toEqual([
      { path: 'db.password', value: 'hunter2-secret' },
      { path: 'db.port', value: 5432 },
      { path: 'db.ratio', value: 1.5 },
      { path: 'db.enabled', value: true },
      { path: 'db.off', value: false },
      { path: 'users[0].name', value: 'alice' },
      { path: 'users[0].token', value: '0042' },
      { path: 'users[1]', value: 'plain-item' },
      { path: 'motd', value: 'line one\nline two\n' },
      { path: 'dotted\\.key', value: 'v' },
    ]);
  });

  it('decrypts a values file sops wrote as JSON, which YAML reads', async () => {
    writeFileSync(
      join(dir, 'values.json'),
      JSON.stringify({ db: { password: 'json-secret-value', port: 5432 }, tags: ['a', true] }),
    );
    const path = join(dir, 'values.enc.json');
    writeFileSync(path, sops(['encrypt', '--age', key.recipient, 'values.json'], { cwd: dir }));
    expect(readFileSync(path, 'utf8')).toMatch(/^\s*"sops": \{/m);
    expect(await decrypt(path)).toEqual({
      values: { db: { password: 'json-secret-value', port: 5432 }, tags: ['a', true] },
      secrets: [
        { path: 'db.password', value: 'json-secret-value' },
        { path: 'db.port', value: 5432 },
        { path: 'tags[0]', value: 'a' },
        { path: 'tags[1]', value: true },
      ],
    });
  });

  it('leaves what unencrypted_suffix, encrypted_regex and mac_only_encrypted leave in clear, and checks the MAC all the same', async () => {
    const suffixed = sopsEncrypt(
      dir,
      'suffix.enc.yaml',
      'user_unencrypted: admin\npassword: s3cret-value\n',
      key.recipient,
      ['--unencrypted-suffix', '_unencrypted'],
    );
    expect(await decrypt(suffixed)).toEqual({
      values: { user_unencrypted: 'admin', password: 's3cret-value' },
      secrets: [{ path: 'password', value: 's3cret-value' }],
    });
    // mac_only_encrypted is set by a creation rule of .sops.yaml only.
    const rules = join(dir, 'rules');
    mkdirSync(rules, { recursive: true });
    writeFileSync(
      join(rules, '.sops.yaml'),
      `creation_rules:\n  - age: ${key.recipient}\n    encrypted_regex: ^(auth)$\n    mac_only_encrypted: true\n`,
    );
    writeFileSync(join(rules, 'regex.enc.yaml'), 'image:\n  tag: v1.2.3\nauth:\n  password: s3cret-value\n');
    const regex = join(rules, 'regex.enc.yaml');
    writeFileSync(regex, sops(['encrypt', 'regex.enc.yaml'], { cwd: rules }));
    expect(readFileSync(regex, 'utf8')).toContain('mac_only_encrypted: true');
    expect(readFileSync(regex, 'utf8')).toContain('tag: v1.2.3');
    expect(await decrypt(regex)).toEqual({
      values: { image: { tag: 'v1.2.3' }, auth: { password: 's3cret-value' } },
      secrets: [{ path: 'auth.password', value: 's3cret-value' }],
    });
    // With mac_only_encrypted a value in clear is outside the MAC (as sops has it); without, changing one is refused.
    writeFileSync(regex, readFileSync(regex, 'utf8').replace('tag: v1.2.3', 'tag: v9.9.9'));
    expect((await decrypt(regex)).values).toEqual({ image: { tag: 'v9.9.9' }, auth: { password: 's3cret-value' } });
    writeFileSync(
      suffixed,
      readFileSync(suffixed, 'utf8').replace('user_unencrypted: admin', 'user_unencrypted: root'),
    );
    const issue = await issueOf(decrypt(suffixed));
    expect(issue.message).toMatch(/the MAC does not match the values: the file was changed after sops encrypted it/);
    expect(issue.line).toBe(lineOf(suffixed, 'mac:'));
  });

  it('refuses a changed value at its line, and a removed value by the MAC', async () => {
    const path = sopsEncrypt(dir, 'tampered.enc.yaml', plain, key.recipient);
    const text = readFileSync(path, 'utf8');
    const password = /password: ENC\[AES256_GCM,data:([^,]+),/.exec(text)![1]!;
    const changed = `${password.slice(0, 2)}${password[2] === 'A' ? 'B' : 'A'}${password.slice(3)}`;
    writeFileSync(path, text.replace(password, changed));
    const issue = await issueOf(decrypt(path));
    expect(issue).toMatchObject({ file: 'tampered.enc.yaml', line: lineOf(path, 'password:'), column: 15 });
    expect(issue.message).toBe(
      'sops file tampered.enc.yaml: the value at db.password does not decrypt: it was changed, or moved from another key or file',
    );
    // Swapping two encrypted values between keys breaks their additional data.
    const port = /port: (ENC\[[^\]]+\])/.exec(text)![1]!;
    const ratio = /ratio: (ENC\[[^\]]+\])/.exec(text)![1]!;
    writeFileSync(path, text.replace(port, 'PORT').replace(ratio, port).replace('PORT', ratio));
    expect((await issueOf(decrypt(path))).message).toMatch(/the value at db\.port does not decrypt/);
    writeFileSync(path, text.replace(/^ {4}port: .*\n/m, ''));
    expect((await issueOf(decrypt(path))).message).toMatch(/the MAC does not match/);
  });

  it('refuses a value that is not in sops format where one is expected', async () => {
    const path = sopsEncrypt(dir, 'malformed.enc.yaml', plain, key.recipient);
    writeFileSync(
      path,
      readFileSync(path, 'utf8')
        .replace(/password: ENC\[[^\]]+\]/, 'password: ENC[AES256_GCM,data:abc]')
        .replace(/port: ENC\[[^\]]+\]/, 'port: 5432'),
    );
    const issue = await issueOf(decrypt(path));
    expect(issue.line).toBe(lineOf(path, 'password:'));
    expect(issue.message).toMatch(/the value at db\.password is not in sops's encrypted format/);
  });

  it('says which keys it tried and how to give one when none is for the file', async () => {
    const path = sopsEncrypt(dir, 'other.enc.yaml', plain, other.recipient);
    const wrong = await issueOf(decrypt(path));
    expect(wrong.message).toBe(
      'sops file other.enc.yaml: none of the age keys (from SOPS_AGE_KEY) is for a recipient of other.enc.yaml',
    );
    expect(wrong.hint).toBe(
      `set SOPS_AGE_KEY_FILE to the age key file for ${other.recipient} (or SOPS_AGE_KEY to the key itself)`,
    );
    expect(wrong.line).toBe(lineOf(path, 'age:'));
    const none = await issueOf(
      decrypt(path, {
        identities: [],
        looked: ['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', '/home/u/.config/sops/age/keys.txt'],
        issues: [],
      }),
    );
    expect(none.message).toBe(
      'sops file other.enc.yaml: no age key found to decrypt it (looked in SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, /home/u/.config/sops/age/keys.txt)',
    );
    expect(none.hint).toMatch(/^set SOPS_AGE_KEY_FILE/);
    const malformed = await issueOf(decrypt(path, keysOf('AGE-SECRET-KEY-1NOTAKEY')));
    expect(malformed.message).toBe(
      'sops file other.enc.yaml: none of the age keys (from SOPS_AGE_KEY) is for a recipient of other.enc.yaml; SOPS_AGE_KEY holds a malformed age secret key',
    );
    // Either of two keys opens a file encrypted for both.
    const both = sopsEncrypt(dir, 'both.enc.yaml', 'a: secret-one\n', `${other.recipient},${key.recipient}`);
    expect((await decrypt(both, keysOf(key.identity))).values).toEqual({ a: 'secret-one' });
  });

  it('refuses a file with no age recipient, naming the recipient type', async () => {
    const path = sopsEncrypt(dir, 'pgp.enc.yaml', plain, key.recipient);
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        / {4}age:\n(?: {8}.*\n| {12}.*\n)+/,
        '    pgp:\n        - fp: 85D77543B3D624B63CEA9E6DBC17301B491B3F21\n          enc: x\n',
      ),
    );
    const issue = await issueOf(decrypt(path));
    expect(issue.message).toBe(
      'sops file pgp.enc.yaml: recipient type pgp is not supported yet: boutique decrypts sops files for age recipients',
    );
    expect(issue.line).toBe(lineOf(path, 'pgp:'));
  });
});

describe('sopsStandIns', () => {
  it('stands in for each encrypted value by its ciphertext, typed, so only a value sops set changed differs', () => {
    const path = sopsEncrypt(
      dir,
      'stand-ins.enc.yaml',
      'a: first-secret\nb: second-secret\nn: 7\non: true\nuser_unencrypted: admin\n',
      key.recipient,
    );
    const read = () => sopsStandIns(parseYaml(readFileSync(path, 'utf8'), 'stand-ins.enc.yaml'));
    const before = read();
    expect(before.values).toMatchObject({
      a: expect.stringMatching(/^boutique-stand-in-for-sops-[0-9a-f]{12}$/),
      n: expect.any(Number),
      on: true,
      user_unencrypted: 'admin',
    });
    expect(before.secrets.map((secret) => secret.path)).toEqual(['a', 'b', 'n', 'on']);
    sops(['set', 'stand-ins.enc.yaml', '["b"]', '"changed-secret"'], {
      cwd: dir,
      env: { SOPS_AGE_KEY_FILE: key.file },
    });
    const after = read();
    expect(after.values.a).toBe(before.values.a);
    expect(after.values.n).toBe(before.values.n);
    expect(after.values.b).not.toBe(before.values.b);
    expect(JSON.stringify(after)).not.toMatch(/first-secret|changed-secret/);
  });
});

describe('ageKeys', () => {
  it('reads keys where sops does: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default key file', () => {
    const home = join(dir, 'home');
    mkdirSync(join(home, '.config', 'sops', 'age'), { recursive: true });
    writeFileSync(join(home, '.config', 'sops', 'age', 'keys.txt'), `# a comment\n${other.identity}\n`);
    const read = (path: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    };
    const keys = ageKeys(
      { SOPS_AGE_KEY: `${key.identity} ${other.identity}`, SOPS_AGE_KEY_FILE: key.file },
      home,
      read,
    );
    expect(keys.identities).toEqual([
      { key: key.identity, from: 'SOPS_AGE_KEY' },
      { key: other.identity, from: 'SOPS_AGE_KEY' },
      { key: key.identity, from: `SOPS_AGE_KEY_FILE (${key.file})` },
      { key: other.identity, from: join(home, '.config', 'sops', 'age', 'keys.txt') },
    ]);
    expect(keys.issues).toEqual([]);
    const xdg = ageKeys(
      { XDG_CONFIG_HOME: join(dir, 'nowhere'), SOPS_AGE_KEY_FILE: join(dir, 'missing.txt') },
      home,
      read,
    );
    expect(xdg).toEqual({
      identities: [],
      looked: ['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', join(dir, 'nowhere', 'sops', 'age', 'keys.txt')],
      issues: [`SOPS_AGE_KEY_FILE names ${join(dir, 'missing.txt')}, which cannot be read`],
    });
  });
});

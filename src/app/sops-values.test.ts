import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { ConfigError } from '../errors.js';
import { newAgeKey, sopsEncrypt } from '../../test/support/sops.js';
import { withSopsValues } from './sops-values.js';

let dir: string;
let key: ReturnType<typeof newAgeKey>;
// The first use builds sops and age-keygen from their Go modules (minutes, once per machine: scripts/build-sops.mjs).
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'boutique-sops-values-'));
  key = newAgeKey(dir);
}, 900_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const release = (name: string, files: string[], installed = true) =>
  ({
    id: `shop/${name}`,
    name,
    namespace: 'shop',
    installed,
    values: files.map((path) => ({ kind: 'file', path })),
    set: [],
  }) as unknown as Release;

describe('withSopsValues', () => {
  it("replaces each release's sops files by their decrypted values, in place, with the key from the environment", async () => {
    const sealed = sopsEncrypt(dir, 'shared.enc.yaml', 'db:\n  password: shared-secret-value\n', key.recipient);
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, 'replicas: 2\n');
    const [web, worker, gone] = await withSopsValues(
      [release('web', [plain, sealed]), release('worker', [sealed]), release('gone', [sealed], false)],
      { SOPS_AGE_KEY: key.identity, XDG_CONFIG_HOME: dir },
    );
    expect(web!.values).toEqual([
      { kind: 'file', path: plain },
      {
        kind: 'sops',
        path: sealed,
        values: { db: { password: 'shared-secret-value' } },
        secrets: [{ path: 'db.password', value: 'shared-secret-value' }],
      },
    ]);
    expect(worker!.values).toEqual([web!.values[1]]);
    // A release to uninstall needs no values.
    expect(gone!.values).toEqual([{ kind: 'file', path: sealed }]);
  });

  it('reports every file it cannot decrypt at once, each at its line, and returns releases without one as they were', async () => {
    const other = newAgeKey(dir, 'other');
    const foreign = sopsEncrypt(dir, 'foreign.enc.yaml', 'a: secret-for-another\n', other.recipient);
    const changed = sopsEncrypt(dir, 'changed.enc.yaml', 'b: secret-changed\n', key.recipient);
    writeFileSync(
      changed,
      readFileSync(changed, 'utf8').replace(
        /^b: ENC\[AES256_GCM,data:./m,
        (head) => `${head.slice(0, -1)}${head.endsWith('A') ? 'B' : 'A'}`,
      ),
    );
    const error = await withSopsValues([release('a', [foreign]), release('b', [changed])], {
      SOPS_AGE_KEY: key.identity,
      XDG_CONFIG_HOME: dir,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(
      (error as ConfigError).issues.map(
        (issue) => `${issue.file.split('/').pop()}:${issue.line}: ${issue.message.replace(/^sops file \S+: /, '')}`,
      ),
    ).toEqual([
      'foreign.enc.yaml:3: none of the age keys (from SOPS_AGE_KEY) is for a recipient of ' +
        (error as ConfigError).issues[0]!.file,
      'changed.enc.yaml:1: the value at b does not decrypt: it was changed, or moved from another key or file',
    ]);
    const plain = release('plain', []);
    expect((await withSopsValues([plain], {}))[0]).toBe(plain);
  });
});

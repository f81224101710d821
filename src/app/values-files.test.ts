import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { parseGoYaml } from '../yaml/go-yaml.js';
import { sweepSecretFiles, withValuesFiles } from './values-files.js';

const release = {
  id: 'shop/web',
  name: 'web',
  namespace: 'shop',
  values: [{ kind: 'inline', values: { hsts: 'no', mode: '0755', on: true } }],
  set: [
    { name: 'image.tag', value: 'abc' },
    { name: 'auth.password', value: 's3cr3t', secret: true },
    { name: 'users[1].token', value: 'no', secret: true },
  ],
} as unknown as Release;

/** The files named after each flag, in order. */
const filesOf = (args: readonly string[], flag: string) =>
  args.flatMap((arg, index) => (args[index - 1] === flag ? [arg] : []));

describe('values files', () => {
  it('writes inline values so helm reads back exactly what releases.yaml meant, privately', async () => {
    await withValuesFiles(async (files) => {
      const [inline] = filesOf(files.argsFor(release), '--values');
      expect(parseGoYaml(readFileSync(inline!, 'utf8'))).toEqual({ hsts: 'no', mode: '0755', on: true });
      expect(statSync(inline!).mode & 0o777).toBe(0o600);
    });
  });

  it('gives helm each secret string through --set-file, so it lands as --set puts it, and never in the arguments', async () => {
    await withValuesFiles(async (files) => {
      const args = files.argsFor(release);
      expect(args.join(' ')).not.toMatch(/s3cr3t|=no\b/);
      const setFiles = filesOf(args, '--set-file').map((arg) => arg.split('='));
      expect(setFiles.map(([name]) => name)).toEqual(['auth.password', 'users[1].token']);
      // The file holds the text alone: no newline, no YAML, so `no` stays the string "no".
      expect(setFiles.map(([, file]) => readFileSync(file!, 'utf8'))).toEqual(['s3cr3t', 'no']);
      for (const [, file] of setFiles) expect(statSync(file!).mode & 0o777).toBe(0o600);
      // The layers come first: helm reads --set-file after every --values and --set.
      expect(args.indexOf('--values')).toBeLessThan(args.indexOf('--set-file'));
    });
  });

  it('escapes a comma or a backslash in the file path, which helm --set-file would read as a separator or an escape', async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'with,comma\\and-backslash-'));
    try {
      await withValuesFiles(async (files) => {
        const [setFile] = filesOf(files.argsFor(release), '--set-file');
        expect(setFile).toMatch(/^auth\.password=.*with\\,comma\\\\and-backslash-/);
        expect(readFileSync(setFile!.slice('auth.password='.length).replace(/\\(.)/g, '$1'), 'utf8')).toBe('s3cr3t');
      });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('keeps a secret number or boolean typed, in a values file of its own after the layers', async () => {
    const typed = {
      ...release,
      set: [
        { name: 'db.port', value: 5432, secret: true },
        { name: 'tls.on', value: true, secret: true },
      ],
    } as unknown as Release;
    await withValuesFiles(async (files) => {
      const args = files.argsFor(typed);
      expect(args).not.toContain('--set-file');
      const [, secrets] = filesOf(args, '--values');
      expect(parseGoYaml(readFileSync(secrets!, 'utf8'))).toEqual({ db: { port: 5432 }, tls: { on: true } });
      expect(statSync(secrets!).mode & 0o777).toBe(0o600);
    });
  });

  it("gives helm a decrypted sops file as a private values file in the file's place, and refuses one not decrypted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-sops-layer-'));
    const plain = join(dir, 'plain.yaml');
    writeFileSync(plain, 'a: 1\n');
    const sealedPath = join(dir, 'secrets.enc.yaml');
    writeFileSync(
      sealedPath,
      'db:\n  password: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\nsops:\n  lastmodified: "2026-01-01T00:00:00Z"\n  mac: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\n',
    );
    const decrypted = {
      ...release,
      set: [],
      values: [
        {
          kind: 'sops',
          path: sealedPath,
          values: { db: { password: 'no' } },
          secrets: [{ path: 'db.password', value: 'no' }],
        },
        { kind: 'file', path: plain },
      ],
    } as unknown as Release;
    await withValuesFiles(async (files) => {
      const args = files.argsFor(decrypted);
      expect(args).not.toContain(sealedPath);
      const [layer, after] = filesOf(args, '--values');
      expect(after).toBe(plain);
      expect(parseGoYaml(readFileSync(layer!, 'utf8'))).toEqual({ db: { password: 'no' } });
      expect(statSync(layer!).mode & 0o777).toBe(0o600);
      const sealed = { ...decrypted, values: [{ kind: 'file', path: sealedPath }] } as unknown as Release;
      expect(() => files.argsFor(sealed)).toThrow(
        `shop/web: ${sealedPath} is encrypted with sops, decrypted only by template, lint, diff and sync`,
      );
    });
  });

  it('removes the folder however the work ends', async () => {
    let path = '';
    await expect(
      withValuesFiles(async (files) => {
        path = filesOf(files.argsFor(release), '--values')[0]!;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(() => statSync(path)).toThrow();
  });
});

describe('values folders left behind', () => {
  it("are swept by the next run: a gone process's, and an unnamed one older than a day; a live one's stay", () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = mkdtempSync(join(tmpdir(), 'boutique-sweep-'));
    try {
      const folder = (name: string) => {
        const dir = join(tmpdir(), name);
        mkdirSync(dir);
        writeFileSync(join(dir, 'shop.web.secret-0'), 'S3NT1NEL');
        return dir;
      };
      // A pid no process has: the kernel's limit is far below it.
      const gone = folder('boutique-values-99999999-abc123');
      const live = folder(`boutique-values-${process.pid}-def456`);
      const oldUnnamed = folder('boutique-values-Xy12Zq');
      const day = 24 * 60 * 60 * 1000;
      utimesSync(oldUnnamed, new Date(Date.now() - 2 * day), new Date(Date.now() - 2 * day));
      const freshUnnamed = folder('boutique-values-Ab34Cd');
      expect(sweepSecretFiles()).toBe(2);
      expect([gone, live, oldUnnamed, freshUnnamed].map((dir) => existsSync(dir))).toEqual([false, true, false, true]);
    } finally {
      process.env.TMPDIR = saved;
      if (saved === undefined) delete process.env.TMPDIR;
    }
  });
});

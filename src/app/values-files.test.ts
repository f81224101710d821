import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { parseGoYaml } from '../yaml/go-yaml.js';
import { withValuesFiles } from './values-files.js';

const release = {
  id: 'shop/web', name: 'web', namespace: 'shop', values: [{ kind: 'inline', values: { hsts: 'no', mode: '0755', on: true } }],
  set: [{ name: 'image.tag', value: 'abc' }, { name: 'auth.password', value: 's3cr3t', secret: true }, { name: 'users[1].token', value: 'no', secret: true }],
} as unknown as Release;

describe('values files', () => {
  it('writes inline values so helm reads back exactly what releases.yaml meant, privately', async () => {
    await withValuesFiles(async (files) => {
      const [inline, secrets] = files.for(release);
      expect(parseGoYaml(readFileSync(inline!, 'utf8'))).toEqual({ hsts: 'no', mode: '0755', on: true });
      expect(statSync(inline!).mode & 0o777).toBe(0o600);
      expect(parseGoYaml(readFileSync(secrets!, 'utf8'))).toEqual({ auth: { password: 's3cr3t' }, users: [null, { token: 'no' }] });
      expect(statSync(secrets!).mode & 0o777).toBe(0o600);
    });
  });

  it('removes the folder however the work ends', async () => {
    let path = '';
    await expect(withValuesFiles(async (files) => {
      path = files.for(release)[0]!;
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(() => statSync(path)).toThrow();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeAccess } from './kubeconfig.js';

const files = (contents: Record<string, string>) => (path: string) => {
  if (!(path in contents)) throw new Error(`ENOENT: ${path}`);
  return contents[path]!;
};

const config = (user: string, cluster = 'server: https://10.0.0.1:6443\n    certificate-authority-data: Q0EtUEVN') => `
apiVersion: v1
kind: Config
current-context: one
contexts:
- name: one
  context: {cluster: c, user: u}
clusters:
- name: c
  cluster:
    ${cluster}
users:
- name: u
  user:
    ${user}
`;

describe('kubeAccess: when boutique reads the API server itself', () => {
  it('takes the server, the certificate authority and a client certificate of the current context', () => {
    const access = kubeAccess(
      ['/k'],
      undefined,
      {},
      files({ '/k': config('client-certificate-data: Q0VSVA==\n    client-key-data: S0VZ') }),
    );
    expect('direct' in access && access.direct).toMatchObject({
      server: 'https://10.0.0.1:6443',
      insecureSkipTlsVerify: false,
    });
    if (!('direct' in access)) throw new Error('expected direct access');
    expect([access.direct.ca?.toString(), access.direct.cert?.toString(), access.direct.key?.toString()]).toEqual([
      'CA-PEM',
      'CERT',
      'KEY',
    ]);
  });

  it('reads a token, and a tokenFile on every request, relative to the kubeconfig that names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-kubeconfig-'));
    writeFileSync(join(dir, 'token'), 'first\n');
    writeFileSync(
      join(dir, 'config'),
      config('tokenFile: token', 'server: https://10.0.0.1:6443\n    certificate-authority: ca.pem'),
    );
    writeFileSync(join(dir, 'ca.pem'), 'FROM-FILE');
    const access = kubeAccess([join(dir, 'config')], undefined, {});
    if (!('direct' in access)) throw new Error(`expected direct access, got ${access.viaKubectl}`);
    expect(access.direct.ca?.toString()).toBe('FROM-FILE');
    expect(access.direct.token?.()).toBe('first');
    writeFileSync(join(dir, 'token'), 'rotated');
    expect(access.direct.token?.()).toBe('rotated');
    const inline = kubeAccess(['/k'], undefined, {}, files({ '/k': config('token: abc') }));
    expect('direct' in inline && inline.direct.token?.()).toBe('abc');
    // Both: the file wins, as client-go's BearerTokenFile takes precedence over BearerToken.
    writeFileSync(join(dir, 'both'), config(`token: stale\n    tokenFile: ${join(dir, 'token')}`));
    const both = kubeAccess([join(dir, 'both')], undefined, {});
    expect('direct' in both && both.direct.token?.()).toBe('rotated');
  });

  it('merges a KUBECONFIG list as client-go does: the first file to name a context, cluster or user wins', () => {
    const second = config('token: second').replace('current-context: one', 'current-context: two');
    const first = `current-context: one\nusers:\n- name: u\n  user: {token: first}\n`;
    const access = kubeAccess(
      ['/missing', '/first', '/second'],
      undefined,
      {},
      files({ '/first': first, '/second': second }),
    );
    expect('direct' in access && access.direct.token?.()).toBe('first');
  });

  it('leaves to kubectl what only client-go does: exec plugins, auth providers, passwords, impersonation, proxies', () => {
    const via = (kubeconfig: string, env: NodeJS.ProcessEnv = {}, context?: string) => {
      const access = kubeAccess(['/k'], context, env, files({ '/k': kubeconfig }));
      return 'viaKubectl' in access ? access.viaKubectl : 'direct';
    };
    expect(via(config('exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}'))).toBe(
      'the kubeconfig uses exec',
    );
    expect(via(config('auth-provider: {name: oidc}'))).toBe('the kubeconfig uses auth-provider');
    expect(via(config('username: admin\n    password: secret'))).toBe('the kubeconfig uses username, password');
    expect(via(config('as: someone\n    token: t'))).toBe('the kubeconfig uses as');
    expect(via(config('token: t', 'server: https://10.0.0.1:6443\n    proxy-url: http://proxy:3128'))).toBe(
      'the kubeconfig uses proxy-url',
    );
    expect(via(config('token: t'), { HTTPS_PROXY: 'http://proxy:3128' })).toBe('HTTPS_PROXY is set');
    // Go never sends loopback requests through a proxy.
    expect(via(config('token: t', 'server: https://127.0.0.1:6443'), { HTTPS_PROXY: 'http://proxy:3128' })).toBe(
      'direct',
    );
    expect(via(config('token: t'), {}, 'other')).toBe('no context "other" in the kubeconfig');
    expect(via(config('token: t').replace('user: u}', 'user: nobody}'))).toBe('no user "nobody" in the kubeconfig');
    expect(via(config('token: t', 'server: unix:///run/k8s.sock'))).toBe(
      'the server unix:///run/k8s.sock is not http or https',
    );
    expect(
      via(config('token: t', 'server: https://10.0.0.1:6443\n    certificate-authority: /no/such/ca.pem')),
    ).toMatch(/^a file the kubeconfig names cannot be read/);
  });

  it('reads the kubeconfig as client-go does (YAML 1.1), and leaves a quoted "true", which kubectl refuses, to kubectl', () => {
    const quoted = kubeAccess(
      ['/k'],
      undefined,
      {},
      files({ '/k': config('token: t', 'server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: "true"') }),
    );
    expect(quoted).toEqual({ viaKubectl: 'insecure-skip-tls-verify is not true or false' });
    const plain = kubeAccess(
      ['/k'],
      undefined,
      {},
      files({ '/k': config('token: t', 'server: https://10.0.0.1:6443\n    insecure-skip-tls-verify: yes') }),
    );
    expect('direct' in plain && plain.direct.insecureSkipTlsVerify).toBe(true);
    const withCa = kubeAccess(
      ['/k'],
      undefined,
      {},
      files({
        '/k': config(
          'token: t',
          'server: https://10.0.0.1:6443\n    certificate-authority-data: Q0EK\n    insecure-skip-tls-verify: true',
        ),
      }),
    );
    expect(withCa).toEqual({ viaKubectl: 'insecure-skip-tls-verify is set with a certificate authority' });
  });
});

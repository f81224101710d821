import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { maskError, Masker, MIN_MATCHED_LENGTH, secretPlaces, secretValuesOf, standInsFor } from './mask.js';

const PEM = 'S3NT-"quo\\te\'\nline-2-of-the-key <&>\n';
const masker = new Masker([
  { path: 'db.password', value: PEM },
  { path: 'pin', value: 'Kq7Zx2w' },
]);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const goQuoted = JSON.stringify(PEM).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

describe('Masker.text', () => {
  it('masks a secret as charts and diffs print it: plain, escaped, JSON, URL-encoded, base64 of a compound', () => {
    const printed = [
      PEM,
      JSON.stringify(PEM),
      goQuoted,
      encodeURIComponent(PEM),
      encodeURIComponent(PEM).replace(/%20/g, '+').replace(/'/g, '%27'),
      b64(`user:${PEM}`),
      `Basic ${b64(`admin:${PEM}:tail`)}`,
    ];
    for (const text of printed) {
      const masked = masker.text(`x ${text} y`);
      expect(masked, text).toContain('***');
      expect(masked).not.toContain('S3NT');
      expect(masked).not.toContain('line-2-of-the-key');
      expect(masker.holds(text), text).toBe(true);
    }
  });

  it(`leaves a secret shorter than ${MIN_MATCHED_LENGTH} characters to its known places, so unrelated text stays`, () => {
    const short = new Masker([{ path: 'version', value: 'v1' }]);
    expect(short.text('apiVersion: v1')).toBe('apiVersion: v1');
    expect(short.holds('v1')).toBe(false);
    expect(short.active).toBe(true);
  });

  it('masks nothing, and touches nothing, without secrets', () => {
    expect(new Masker([]).text('abc')).toBe('abc');
    expect(new Masker([{ path: 'a', value: '' }]).text('abc')).toBe('abc');
  });
});

describe('Masker.manifest', () => {
  const manifest = [
    '---',
    '# Source: vault/templates/secret.yaml',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: vault',
    'stringData:',
    `  password: ${JSON.stringify(PEM)}`,
    '  pin: "Kq7Zx2w"',
    'data:',
    `  basic: ${b64(`user:${PEM}`)}`,
    '---',
    '# Source: vault/templates/cm.yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: cfg',
    'data:',
    `  url: "pg://u:${encodeURIComponent(PEM)}@db"`,
    '  key: |',
    ...PEM.trimEnd()
      .split('\n')
      .map((line) => `    ${line}`),
    `  json: ${JSON.stringify(JSON.stringify({ pw: PEM }))}`,
    '  version: v1',
    '  plain: keep me',
    '',
  ].join('\n');

  it('replaces each scalar that holds a secret, and every Secret value, in place; the rest is byte for byte', () => {
    const masked = masker.manifest(manifest);
    for (const leak of ['S3NT', 'line-2-of-the-key', 'Kq7Zx2w', b64('user:S3NT').slice(0, 12)])
      expect(masked).not.toContain(leak);
    const objects = parseAllDocuments(masked).map((doc) => doc.toJS());
    expect(objects[0]).toMatchObject({
      apiVersion: 'v1',
      stringData: { password: '***', pin: '***' },
      data: { basic: '***' },
    });
    expect(objects[1]).toMatchObject({
      apiVersion: 'v1',
      data: { url: '***', key: '***', json: '***', version: 'v1', plain: 'keep me' },
    });
    expect(masked.split('\n').filter((line) => !line.includes('***'))).toEqual(
      manifest
        .split('\n')
        .filter(
          (line, index, lines) =>
            !/password|pin:|basic|url|json|key: \|/.test(line) &&
            !(index > 0 && lines.slice(0, index).some((l) => l.includes('key: |')) && line.startsWith('    ')),
        ),
    );
  });

  it('leaves a release without secrets byte for byte', () => {
    expect(new Masker([]).manifest(manifest)).toBe(manifest);
  });
});

describe('Masker.helmMessage', () => {
  it("says nothing of a schema error at a secret's values path, or inside it, however short the value", () => {
    const short = new Masker([{ path: 'db.password', value: 'ab' }]);
    const message =
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvault:\n- at '/db/password': 'ab' does not match pattern '^[0-9]+$'\n- at '/replicas': got string, want integer\n";
    expect(short.helmMessage(message)).toBe(
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvault:\n- at '/db/password': *** (a secret value: helm's message about it is not shown)\n- at '/replicas': got string, want integer\n",
    );
  });
});

describe('secretValuesOf', () => {
  it('takes every set entry marked secret, with its values path, whatever brought it in', () => {
    expect(
      secretValuesOf({
        set: [
          { name: 'a', value: 'x' },
          { name: 'b.c', value: 'y', secret: true },
        ],
      }),
    ).toEqual([{ path: 'b.c', value: 'y' }]);
  });

  it("takes the encrypted leaves of a release's decrypted sops files too", () => {
    const values = [{ kind: 'inline' }, { kind: 'sops', secrets: [{ path: 'db.password', value: 'from-sops-file' }] }];
    expect(secretValuesOf({ set: [{ name: 'b', value: 'y', secret: true }], values })).toEqual([
      { path: 'db.password', value: 'from-sops-file' },
      { path: 'b', value: 'y' },
    ]);
  });
});

describe('maskError', () => {
  it("masks an error's message, stack and stderr, and keeps the error itself", () => {
    class ToolFailure extends Error {
      readonly stderr = `Secret "vault" is invalid: data[password]: Invalid value: ${JSON.stringify(PEM)}`;
    }
    const error = new ToolFailure(`apply failed: ${PEM}`);
    expect(maskError(masker, error)).toBe(error);
    for (const text of [error.message, error.stack!, error.stderr]) expect(text).not.toMatch(/S3NT|line-2-of-the-key/);
    expect(error.stderr).toBe('Secret "vault" is invalid: data[password]: Invalid value: "***"');
  });
});

describe('short secret values, by their places', () => {
  const chart = (pin: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  pin: "PIN ${pin}"\n  version: v1\n  list: ["${pin}", keep]\n`;

  it('are found where a render with stand-ins puts them, and masked there in the real render, nowhere else', () => {
    const release = {
      set: [
        { name: 'pin', value: 'v1', secret: true },
        { name: 'port', value: 80, secret: true },
        { name: 'on', value: true, secret: true },
        { name: 'plain', value: 'x' },
      ],
    };
    const standIns = standInsFor(release, () => 'a1b2c3d4e5f6')!;
    expect(standIns.map((entry) => entry.value)).toEqual(['boutique-stand-in-a1b2c3d4e5f6', 123456777777, true, 'x']);
    const places = secretPlaces(chart(String(standIns[0]!.value)), secretValuesOf({ set: standIns }), 'shop');
    expect(places.size).toBe(2);
    const masked = new Masker(secretValuesOf(release), { places, namespace: 'shop' }).manifest(chart('v1'));
    expect(masked).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  pin: "***"\n  version: v1\n  list: ["***", keep]\n',
    );
  });

  it("stand in for a sops file's short leaves with set entries at their paths, which win over every layer", () => {
    const release = {
      set: [{ name: 'plain', value: 'x' }],
      values: [
        {
          kind: 'sops' as const,
          secrets: [
            { path: 'pin', value: 'v1' },
            { path: 'token', value: 'long-enough-secret' },
          ],
        },
      ],
    };
    expect(standInsFor(release, () => 'a1b2c3d4e5f6')).toEqual([
      { name: 'pin', value: 'boutique-stand-in-a1b2c3d4e5f6', secret: true },
      { name: 'plain', value: 'x' },
    ]);
  });

  it('need no stand-ins when every secret value is long enough to be found by its text', () => {
    expect(standInsFor({ set: [{ name: 'a', value: 'long-enough-secret', secret: true }] }, () => 'x')).toBeUndefined();
  });
});

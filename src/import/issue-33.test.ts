import { describe, expect, it } from 'vitest';
import { convertHelmfile, type ConvertOptions } from './helmfile.js';
import { typeOfSetText } from './set-value.js';
import { resolvePlain } from './yaml-model.js';

// Issue 33: each class of silent change, with its minimal helmfile. Every test states what helmfile gives.
const convert = (text: string, options: Partial<ConvertOptions> = {}) =>
  convertHelmfile(text, { file: 'helmfile.yaml', isDirectory: () => true, ...options });
const gotmpl = (text: string) => convert(text, { file: 'helmfile.yaml.gotmpl' });
/** A helmfile of one release `app` of ./charts/app, its other keys as given (line 5 is the first of them). */
const app = (rest: string) => `\nreleases:\n  - name: app\n    chart: ./charts/app\n${rest}`;
/** The start of a .gotmpl helmfile with environments dev and prod (its releases start on line 6). */
const devAndProd = '\nenvironments:\n  dev: {}\n  prod: {}\n---\n';
const messages = (result: { notes: { line: number; message: string }[] }) =>
  result.notes.map(({ line, message }) => `${line}: ${message}`);

describe('issue 33, class 1: aliases are resolved as go-yaml resolves them', () => {
  it('follows an alias as the values list, as a list item, as a whole release and as installed', () => {
    const result = convert(`
x-values: &values
  - values/common.yaml
x-inline: &inline
  replicaCount: 3
x-off: &off false
x-release: &release
  name: copy
  chart: ./charts/app
  installed: *off
releases:
  - name: a
    chart: ./charts/app
    values: *values
  - name: b
    chart: ./charts/app
    values:
      - *inline
  - *release
  - name: c
    chart: ./charts/app
    installed: *off
`);
    expect(result.releasesFile.releases).toEqual([
      { name: 'a', chart: './charts/app', values: ['values/common.yaml'] },
      { name: 'b', chart: './charts/app', values: [{ replicaCount: 3 }] },
      { name: 'copy', chart: './charts/app', installed: false },
      { name: 'c', chart: './charts/app', installed: false },
    ]);
    // The anchors' holders are top-level keys helmfile itself refuses: each is named, nothing else.
    expect(messages(result)).toEqual([
      '2: x-values: not converted',
      '4: x-inline: not converted',
      '6: x-off: not converted',
      '7: x-release: not converted',
    ]);
  });
});

describe('issue 33, class 2: merge keys are applied as go-yaml v3 applies them', () => {
  it('merges namespace and labels in; a key of the map wins wherever it stands; of several merged maps the first wins', () => {
    const result = convert(`
templates:
  common: &common
    namespace: shop
    labels: { team: shop, tier: app }
    wait: true
  infra: &infra
    namespace: infra
    timeout: 600
releases:
  - name: cart
    wait: false
    <<: [*common, *infra]
    chart: ./charts/cart
  - <<: *infra
    name: redis
    chart: ./charts/redis
`);
    expect(result.releasesFile.releases).toEqual([
      {
        name: 'cart',
        chart: './charts/cart',
        namespace: 'shop',
        labels: { team: 'shop', tier: 'app' },
        wait: false,
        timeout: 600,
      },
      { name: 'redis', chart: './charts/redis', namespace: 'infra', timeout: 600 },
    ]);
    // templates: only feeds inherit:, which no release uses; its anchors are resolved.
    expect(result.notes).toEqual([]);
  });
});

describe('issue 33, class 3: values layers keep helmfile order', () => {
  it('writes an inline map that comes before a values file to a file of its own, in its place', () => {
    const result = convert(
      app(`    values:
      - replicaCount: 5
      - values/app.yaml
      - image: { tag: "1.10" }
`),
    );
    expect(result.releasesFile.releases[0]!.values).toEqual([
      './imported-values/app-1.yaml',
      'values/app.yaml',
      { image: { tag: '1.10' } },
    ]);
    expect(result.files).toEqual([
      {
        path: 'imported-values/app-1.yaml',
        text: '# values[0] of release app in helmfile.yaml, kept in its place among the values files.\nreplicaCount: 5\n',
      },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('reads a per-environment values path as the overlay <valuesDir>/<release>.yaml, only where the order stays', () => {
    const result = gotmpl(`${devAndProd}releases:
  - name: app
    chart: ./charts/app
    values:
      - values/app.yaml
      - envs/{{ .Environment.Name }}/app.yaml
      - replicaCount: 2
  - name: other
    chart: ./charts/app
    values:
      - envs/{{ .Environment.Name }}/shared.yaml
      - values/other.yaml
`);
    expect(result.releasesFile.environments).toEqual({
      dev: { valuesDir: 'envs/dev' },
      prod: { valuesDir: 'envs/prod' },
    });
    expect(result.releasesFile.releases[0]!.values).toEqual(['values/app.yaml', { replicaCount: 2 }]);
    expect(result.releasesFile.releases[1]!.values).toEqual(['values/other.yaml']);
    expect(messages(result)).toEqual([
      "16: release other: values[0] (envs/<environment>/shared.yaml) differs per environment and comes before other values files; boutique applies one per-environment file (<valuesDir>/<release>.yaml) after the release's files: left out",
    ]);
  });
});

describe('issue 33, class 3: a per-environment file boutique would apply on its own', () => {
  it('names values/<env>/<release>.yaml that exists but the helmfile never used', () => {
    const result = convert('environments:\n  dev: {}\nreleases:\n  - name: web\n    chart: ./charts/web\n', {
      isOutputFile: (path) => ['values/dev/web.yaml', 'versions/dev.yaml'].includes(path),
    });
    expect(messages(result)).toEqual([
      '1: versions/dev.yaml exists, and boutique sets the image tags it lists in environment dev (its versions file); helmfile did not: move it, or leave it if it says what is deployed',
      "4: release web: values/dev/web.yaml exists, and boutique applies it in environment dev (its per-environment values file); helmfile did not: move it, or name it in the release's values and import again",
    ]);
  });
});

describe('issue 33, class 4: one templated line leaves out that line, not the map', () => {
  it('keeps the untemplated keys of an inline map and names the one it left out', () => {
    const result = gotmpl(
      app(`    values:
      - replicaCount: 2
        image:
          repository: example/app
          tag: {{ requiredEnv "TAG" }}
        podAnnotations:
          checksum: "{{ .Values.checksum }}"
`),
    );
    expect(result.releasesFile.releases[0]!.values).toEqual([
      { replicaCount: 2, image: { repository: 'example/app' } },
    ]);
    expect(messages(result)).toEqual([
      '9: release app: values[0].image.tag reads an environment variable ({{ requiredEnv "TAG" }}); pass it in CI with --set: left out',
      '11: release app: values[0].podAnnotations.checksum is templated ({{ .Values.checksum }}); write what it renders: left out',
    ]);
  });
});

describe('issue 33, class 6: a .gotmpl values file', () => {
  it('is used as it stands without actions, rendered when its actions are constants, and named with its first action otherwise', () => {
    const files: Record<string, string> = {
      'plain.yaml.gotmpl': 'replicaCount: 2\n',
      'escaped.yaml.gotmpl': 'host: "{{`{{ .Release.Name }}`}}.example.com"\n',
      'env.yaml.gotmpl': 'replicaCount: 1\nimage:\n  tag: {{ .Values.tag }}\n',
    };
    const result = convert(
      app(`    values:
      - plain.yaml.gotmpl
      - escaped.yaml.gotmpl
      - env.yaml.gotmpl
`),
      { readText: (path) => files[path] },
    );
    expect(result.releasesFile.releases[0]!.values).toEqual(['plain.yaml.gotmpl', './imported-values/app-1.yaml']);
    expect(result.files).toEqual([
      {
        path: 'imported-values/app-1.yaml',
        text: '# escaped.yaml.gotmpl, rendered by boutique import: its only template actions were constants.\nhost: "{{ .Release.Name }}.example.com"\n',
      },
    ]);
    expect(messages(result)).toEqual([
      '8: release app: values[2]: values file env.yaml.gotmpl is a template (line 3: {{ .Values.tag }}): left out; render it once per environment into plain values files',
    ]);
  });
});

describe('issue 33, class 4: keys a template writes', () => {
  it('names an action that writes keys on its own line, and keeps what is around it', () => {
    const result = gotmpl(
      app(`{{ toYaml .Values.common | indent 4 }}
    values:
      - replicaCount: 1
        resources:
          {{- toYaml .Values.resources | nindent 10 }}
`),
    );
    expect(result.releasesFile.releases).toEqual([
      { name: 'app', chart: './charts/app', values: [{ replicaCount: 1 }] },
    ]);
    expect(messages(result)).toEqual([
      '5: release app: {{ toYaml .Values.common | indent 4 }} writes keys here: left out; write what it renders',
      '9: release app: values[0].resources: {{- toYaml .Values.resources | nindent 10 }} writes keys here: left out; write what it renders',
    ]);
  });
});

describe('issue 33, class 5: what a template decides is never kept as if it always held', () => {
  it('turns values in a block on the environment name into the per-environment file where the block holds: a map is written there, a path named for the release read from there', () => {
    const result = gotmpl(`${devAndProd}releases:
  - name: api
    chart: ./charts/api
    values:
      - values/api.yaml
{{ if eq .Environment.Name "prod" }}
      - replicaCount: 3
{{ end }}
  - name: web
    chart: ./charts/web
    values:
{{ if ne .Environment.Name "dev" }}
      - values/{{ .Environment.Name }}/web.yaml
{{ end }}
`);
    expect(result.releasesFile.releases).toEqual([
      { name: 'api', chart: './charts/api', values: ['values/api.yaml'] },
      { name: 'web', chart: './charts/web' },
    ]);
    expect(result.files).toEqual([
      {
        path: 'values/prod/api.yaml',
        text: '# values[1] of release api in helmfile.yaml.gotmpl, for environment prod.\nreplicaCount: 3\n',
      },
    ]);
    // values/<env> is boutique's default folder for them: nothing to set.
    expect(result.releasesFile.environments).toEqual({ dev: {}, prod: {} });
    expect(result.notes).toEqual([]);
  });

  it('moves keys of an inline map that stand in a block on the environment name into the per-environment file', () => {
    const result = gotmpl(`${devAndProd}releases:
  - name: api
    chart: ./charts/api
    values:
      - replicaCount: 1
        image:
          repository: example/api
{{ if eq .Environment.Name "prod" }}
          pullPolicy: Always
{{ end }}
{{ if eq .Environment.Name "prod" }}
        resources: { limits: { cpu: "1" } }
{{ else }}
        resources: { limits: { cpu: 250m } }
{{ end }}
`);
    expect(result.releasesFile.releases[0]!.values).toEqual(['./imported-values/api-1.yaml']);
    expect(result.files.map((file) => [file.path, file.text.split('\n').slice(1).join('\n')])).toEqual([
      ['imported-values/api-1.yaml', 'replicaCount: 1\nimage:\n  repository: example/api\n'],
      ['values/default/api.yaml', 'resources:\n  limits:\n    cpu: 250m\n'],
      ['values/dev/api.yaml', 'resources:\n  limits:\n    cpu: 250m\n'],
      ['values/prod/api.yaml', 'image:\n  pullPolicy: Always\nresources:\n  limits:\n    cpu: "1"\n'],
    ]);
    expect(result.notes).toEqual([]);
  });

  it('leaves out, named, values in such a block that the per-environment file cannot hold', () => {
    const result = gotmpl(`
environments:
  prod: {}
---
releases:
  - name: api
    chart: ./charts/api
    values:
{{ if eq .Environment.Name "prod" }}
      - replicaCount: 3
{{ end }}
      - values/api.yaml
`);
    expect(result.files).toEqual([]);
    expect(messages(result)).toEqual([
      '10: release api: values[0] (under {{ if eq .Environment.Name "prod" }}) differs per environment and comes before other values files; boutique applies one per-environment file (<valuesDir>/<release>.yaml) after the release\'s files: left out',
    ]);
    const taken = convert(
      'environments:\n  prod: {}\n---\nreleases:\n  - name: api\n    chart: ./charts/api\n    values:\n{{ if eq .Environment.Name "prod" }}\n      - replicaCount: 3\n{{ end }}\n',
      { file: 'helmfile.yaml.gotmpl', isOutputFile: (path) => path === 'values/prod/api.yaml' },
    );
    expect(messages(taken)).toEqual([
      "5: release api: values/prod/api.yaml exists, and boutique applies it in environment prod (its per-environment values file); helmfile did not: move it, or name it in the release's values and import again",
      '9: release api: values[0] (under {{ if eq .Environment.Name "prod" }}): boutique\'s per-environment file values/prod/api.yaml exists already: left out; merge these values into it',
    ]);
  });

  it('turns a block on the environment name around installed into installed per environment', () => {
    const result = gotmpl(`
environments:
  dev: {}
  staging: {}
  prod: {}
---
releases:
  - name: debug-tools
    chart: ./charts/tools
{{ if eq .Environment.Name "prod" }}
    installed: false
{{ end }}
  - name: canary
    chart: ./charts/app
    installed: false
{{- if or (eq .Environment.Name "dev") (eq .Environment.Name "staging") }}
    installed: true
{{- end }}
{{ if ne .Environment.Name "dev" }}
  - name: backup
    chart: ./charts/backup
{{ end }}
`);
    expect(result.releasesFile.releases).toEqual([
      { name: 'debug-tools', chart: './charts/tools', installed: { prod: false } },
      { name: 'canary', chart: './charts/app', installed: { default: false, prod: false } },
      { name: 'backup', chart: './charts/backup', installed: { dev: false } },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('reads installed: {{ … .Environment.Name … }} as installed per environment', () => {
    const result = gotmpl(`${devAndProd}releases:
  - name: a
    chart: ./charts/a
    installed: {{ eq .Environment.Name "prod" | toYaml }}
  - name: b
    chart: ./charts/b
    installed: {{ if eq .Environment.Name "dev" }}false{{ else }}true{{ end }}
`);
    expect(result.releasesFile.releases).toEqual([
      { name: 'a', chart: './charts/a', installed: { default: false, dev: false } },
      { name: 'b', chart: './charts/b', installed: { dev: false } },
    ]);
    expect(result.notes).toEqual([]);
  });

  it("reads condition: from each environment's values, and leaves the release out when one cannot say", () => {
    const helmfile = (prod: string) =>
      `environments:\n  dev:\n    values: [{ db: { enabled: true } }]\n  prod:\n    values: [${prod}]\nreleases:\n  - name: db\n    chart: ./charts/db\n    condition: db.enabled\n`;
    expect(convert(helmfile('{ db: { enabled: false } }')).releasesFile.releases).toEqual([
      { name: 'db', chart: './charts/db', installed: { default: false, prod: false } },
    ]);
    const unknown = convert(helmfile('env/prod.yaml'), { readText: () => undefined });
    expect(unknown.releasesFile.releases).toEqual([]);
    expect(messages(unknown)).toEqual([
      '9: release db: condition db.enabled is not a boolean in the values of environment prod that boutique can read: the release is left out; write installed: per environment',
    ]);
  });

  it("turns a namespace with the environment's name into the environments' namespace", () => {
    const result = gotmpl(`${devAndProd}releases:
  - name: api
    namespace: shop-{{ .Environment.Name }}
    chart: ./charts/api
  - name: web
    namespace: shop-{{ .Environment.Name }}
    chart: ./charts/web
  - name: ingress
    chart: ./charts/ingress
  - name: odd
    namespace: {{ .Environment.Name }}-odd
    chart: ./charts/odd
  - name: secret-ns
    namespace: {{ requiredEnv "NS" }}
    chart: ./charts/odd
`);
    expect(result.releasesFile.environments).toEqual({
      default: { namespace: 'shop-default' },
      dev: { namespace: 'shop-dev' },
      prod: { namespace: 'shop-prod' },
    });
    expect(result.releasesFile.releases).toEqual([
      { name: 'api', chart: './charts/api' },
      { name: 'web', chart: './charts/web' },
      { name: 'ingress', chart: './charts/ingress', namespace: 'default' },
    ]);
    expect(messages(result)).toEqual([
      "15: release odd: its namespace is default-odd in environment default, release api's shop-default; boutique has one namespace per environment for releases without their own: left out",
      '18: release secret-ns: left out, its namespace is not known',
      '19: release secret-ns: namespace: template {{ requiredEnv "NS" }}: not converted; write what it renders',
    ]);
  });

  it('leaves out a release whose installation another condition decides, and a key a template fills, never keeping the default', () => {
    const result = gotmpl(`
releases:
  - name: redis
    chart: ./charts/redis
{{ if .Values.redis.external }}
    installed: false
{{ end }}
  - name: app
    chart: ./charts/app
    values:
      - resources: {{ toYaml .Values.resources | nindent 10 }}
        replicaCount: 2
{{ if .Values.debug }}
        logLevel: debug
{{ else }}
        logLevel: info
{{ end }}
`);
    expect(result.releasesFile.releases).toEqual([
      { name: 'app', chart: './charts/app', values: [{ replicaCount: 2 }] },
    ]);
    expect(messages(result)).toEqual([
      '6: release redis: installed applies only under {{ if .Values.redis.external }}: the release is left out, since whether it is installed is not known',
      '11: release app: values[0].resources is templated ({{ toYaml .Values.resources | nindent 10 }}); write what it renders: left out',
      '14: release app: values[0].logLevel (lines 14–14) applies only under {{ if .Values.debug }}: left out',
      '16: release app: values[0].logLevel (lines 16–16) applies only under {{ else }} of {{ if .Values.debug }}: left out',
    ]);
  });
});

describe('issue 33, class 6: escapes and literal braces mean what helmfile makes of them', () => {
  // One helmfile, read as helmfile v1 reads it under each name.
  const escapes = `
releases:
  - name: app
    chart: ./charts/app
    values:
      - ingress:
          host: "{{\`{{ .Release.Name }}\`}}.example.com"
        open: '{{ "{{" }}'
`;

  it('keeps the text of a plain .yaml helmfile as written: helmfile v1 templates only .gotmpl files', () => {
    const result = convert(escapes);
    expect(result.releasesFile.releases[0]!.values).toEqual([
      { ingress: { host: '{{`{{ .Release.Name }}`}}.example.com' }, open: '{{ "{{" }}' },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('unescapes constants in a .gotmpl helmfile to the text its template renders', () => {
    const result = gotmpl(escapes);
    expect(result.releasesFile.releases[0]!.values).toEqual([
      { ingress: { host: '{{ .Release.Name }}.example.com' }, open: '{{' },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('renders what helmfile renders per release in a values path, in either kind of file', () => {
    const result = convert(`
releases:
  - name: app
    namespace: shop
    chart: ./charts/app
    values:
      - values/{{ .Release.Namespace }}/{{ .Release.Name }}.yaml
`);
    expect(result.releasesFile.releases[0]!.values).toEqual(['values/shop/app.yaml']);
  });
});

describe('issue 33, class 7: scalars keep their text, set keeps the types helm gives helmfile --set', () => {
  it('keeps 1.10 in versions and labels, and types set values as helm types the text helmfile passes', () => {
    const result = convert(`
repositories:
  - name: stable
    url: https://charts.example.com
releases:
  - name: app
    chart: stable/app
    version: 1.10
    labels: { release: 1.10, enabled: true }
    set:
      - { name: image.tag, value: 1.10 }
      - { name: replicaCount, value: "3" }
      - { name: debug, value: "true" }
      - { name: mode, value: 0755 }
      - { name: port, value: 8080 }
    setString:
      - { name: build, value: 3 }
`);
    const [release] = result.releasesFile.releases;
    expect(release!.version).toBe('1.10');
    expect(release!.labels).toEqual({ release: '1.10', enabled: 'true' });
    expect(release!.set).toEqual([
      { name: 'image.tag', value: '1.10' },
      { name: 'replicaCount', value: 3 },
      { name: 'debug', value: true },
      { name: 'mode', value: '0755' },
      { name: 'port', value: 8080 },
      { name: 'build', value: '3' },
    ]);
    expect(result.notes).toEqual([]);
  });

  it('reads bool fields as go-yaml v3 decodes them: plain YAML 1.1 words yes, a quoted word no', () => {
    const result = convert(
      'releases:\n  - { name: a, chart: ./charts/a, installed: off, wait: yes }\n  - { name: b, chart: ./charts/b, installed: "false" }\n',
    );
    expect(result.releasesFile.releases).toEqual([{ name: 'a', chart: './charts/a', installed: false, wait: true }]);
    expect(messages(result)).toEqual([
      '3: release b: installed is not a boolean: left out with its release, whose installation it decides',
    ]);
  });

  it('names set values helm would read otherwise than releases.yaml can say', () => {
    const result = convert(
      app(`    set:
      - { name: a, value: "null" }
      - { name: b, value: "x,y" }
`),
    );
    expect(result.releasesFile.releases[0]!.set).toBeUndefined();
    expect(messages(result)).toEqual([
      '6: release app: set a=null: helm removes the key, which set in releases.yaml cannot say: not converted; put it in an inline values map',
      '7: release app: set b: the value "x,y" holds , { } or \\, which boutique hands to helm unescaped: not converted; put it in an inline values map',
    ]);
  });
});

describe('issue 33, class 7: the typing rules themselves', () => {
  it('types --set text as helm does', () => {
    const typed = [
      'true',
      'FALSE',
      'null',
      '0',
      '007',
      '-3',
      '+5',
      '1.10',
      '1e3',
      '9223372036854775807',
      '9223372036854775808',
      '12345678901234567',
      '',
    ].map(typeOfSetText);
    expect(typed).toEqual([
      { kind: 'boolean', value: true },
      { kind: 'boolean', value: false },
      { kind: 'null' },
      { kind: 'integer', value: 0 },
      { kind: 'string', value: '007' },
      { kind: 'integer', value: -3 },
      { kind: 'integer', value: 5 },
      { kind: 'string', value: '1.10' },
      { kind: 'string', value: '1e3' },
      { kind: 'unsafe-integer', text: '9223372036854775807' },
      { kind: 'string', value: '9223372036854775808' },
      { kind: 'unsafe-integer', text: '12345678901234567' },
      { kind: 'string', value: '' },
    ]);
  });

  it('resolves untyped plain scalars as go-yaml v3 does', () => {
    expect(
      [
        'yes',
        'on',
        'True',
        '~',
        '0755',
        '0o17',
        '0x1F',
        '1_000',
        '1.10',
        '.inf',
        '2024-01-02',
        '+12',
        'null',
        '0b101',
      ].map(resolvePlain),
    ).toEqual(['yes', 'on', true, null, 493, 15, 31, 1000, 1.1, Infinity, '2024-01-02', 12, null, 5]);
  });
});

describe("issue 33, class 8: helmfile's defaults and keys that have a counterpart", () => {
  it('writes wait: false, converts rollbackOnFailure, drops a local chart version, keeps git:: charts remote', () => {
    const result = convert(`
helmDefaults:
  rollbackOnFailure: true
  verify: false
releases:
  - name: local
    chart: charts/app
    version: 1.2.3
  - name: from-git
    chart: git::https://github.com/example/charts.git@charts/app?ref=v1.0.0
  - name: waits
    chart: ./charts/app
    wait: true
    rollbackOnFailure: false
`);
    expect(result.releasesFile.defaults).toEqual({ atomic: true, wait: false });
    expect(result.releasesFile.releases).toEqual([
      { name: 'local', chart: './charts/app' },
      { name: 'waits', chart: './charts/app', wait: true, atomic: false },
    ]);
    expect(messages(result)).toEqual([
      '10: release from-git: chart git::https://github.com/example/charts.git@charts/app?ref=v1.0.0 is fetched by a getter (go-getter, helm-git): not converted, and the release left out; vendor the chart into the repository (chart: ./charts/…) or publish it to a chart repository',
    ]);
  });

  it('leaves out a release whose chart version a template decides, rather than install the newest', () => {
    const result = gotmpl(
      'repositories:\n  - { name: stable, url: https://charts.example.com }\nreleases:\n  - name: db\n    chart: stable/db\n    version: {{ .Values.dbVersion }}\n',
    );
    expect(result.releasesFile.releases).toEqual([]);
    expect(messages(result)).toEqual([
      '6: release db: version: template {{ .Values.dbVersion }}: not converted; write what it renders',
      '6: release db: left out, its chart version is not known',
    ]);
  });

  it('keeps an explicit helmDefaults.wait', () => {
    expect(convert('helmDefaults:\n  wait: true\nreleases: []\n').releasesFile.defaults).toEqual({ wait: true });
  });
});

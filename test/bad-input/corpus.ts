/**
 * Broken inputs a new user writes, one row each: the files of a project folder, boutique's arguments, and exactly
 * what boutique must print for them (every problem as FILE:LINE:COL: what is wrong, then the hint; for a bad flag,
 * `Error:` and its hints). Every row must exit 2 and contact nothing. `<dir>` stands for the project folder;
 * `REPOSITORY_URL` is replaced by a fake chart repository that counts connections.
 */
export interface BadInput {
  name: string;
  /** Files written over the base project (a local chart with a values.schema.json, values/web.yaml). */
  files: Record<string, string>;
  /** boutique's command line after the program name; default `sync`, the command that would contact the most. */
  args?: string[];
  /** stderr, without the summary line `Error: N problems in …; nothing was sent to helm or the cluster`. */
  expected: string;
  /** Also run through the built CLI against a fake helm, cluster and repository. */
  cli?: boolean;
}

/** A chart of this project's own, strict about its values as charts/microservice is. */
export const baseFiles: Record<string, string> = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'charts/web/values.yaml': 'replicaCount: 1\nimage:\n  tag: "1.0"\nservice:\n  type: ClusterIP\n',
  'charts/web/values.schema.json': JSON.stringify({
    type: 'object',
    additionalProperties: false,
    properties: {
      replicaCount: { type: 'integer', minimum: 0 },
      image: { type: 'object', additionalProperties: false, properties: { tag: { type: 'string' } } },
      service: {
        type: 'object',
        additionalProperties: false,
        properties: { type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] } },
      },
      env: { type: 'object' },
    },
  }),
  'charts/web/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n',
  'values/web.yaml': 'replicaCount: 2\n',
  'values/dev/.keep': '',
};

/** releases.yaml with one good release before the text under test, so line numbers stay readable. */
const withWeb = (rest: string) => `releases:\n  - name: web\n    chart: ./charts/web\n${rest}`;

const aliasBomb = [
  'a: &a [x, x, x, x, x, x, x, x, x, x]',
  ...'bcdefgh'
    .split('')
    .map((name, index) => `${name}: &${name} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`),
].join('\n');
const nested = (depth: number) => `${'{ a: '.repeat(depth)}1${' }'.repeat(depth)}`;

export const corpus: BadInput[] = [
  // YAML syntax and the shape of the file.
  {
    name: 'an unclosed flow list',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: [unclosed\n' },
    expected:
      'releases.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n  hint: check the indentation and the quotes on this line and the one before; quote strings that contain ": " or start with one of {}[]&*!|>%@`',
    cli: true,
  },
  {
    name: 'a tab as indentation',
    files: { 'releases.yaml': 'releases:\n\t- name: web\n' },
    expected:
      'releases.yaml:2:1: invalid YAML: Tabs are not allowed as indentation\n  hint: indent with spaces: YAML does not allow tabs for indentation',
  },
  {
    name: 'a duplicate top-level key',
    files: { 'releases.yaml': 'releases: []\nreleases: []\n' },
    expected:
      'releases.yaml:2:1: invalid YAML: the key "releases" appears twice in the same map\n  hint: remove one of the two, or merge their contents: the second would silently replace the first',
  },
  {
    name: 'a key given twice in one release',
    files: { 'releases.yaml': withWeb('    chart: ./charts/other\n') },
    expected:
      'releases.yaml:4:5: invalid YAML: the key "chart" appears twice in the same map\n  hint: remove one of the two, or merge their contents: the second would silently replace the first',
  },
  {
    name: 'an empty file',
    files: { 'releases.yaml': '' },
    expected:
      'releases.yaml:1:1: releases.yaml must be a map with a releases: list, but it is empty\n  hint: start the file with "releases:" and list each release under it with name: and chart: (see docs/releases-yaml.md)',
  },
  {
    name: 'a file that is a list',
    files: { 'releases.yaml': '- name: web\n  chart: ./charts/web\n' },
    expected:
      'releases.yaml:1:1: releases.yaml must be a map with a releases: list, but it is a list\n  hint: start the file with "releases:" and list each release under it with name: and chart: (see docs/releases-yaml.md)',
  },
  {
    name: 'a file that is one string',
    files: { 'releases.yaml': 'releases\n' },
    expected:
      'releases.yaml:1:1: releases.yaml must be a map with a releases: list, but it is string "releases"\n  hint: start the file with "releases:" and list each release under it with name: and chart: (see docs/releases-yaml.md)',
  },
  {
    name: 'binary garbage',
    files: { 'releases.yaml': 'releases:\n  - name: web\u0000\u0001\u0002\n' },
    expected:
      'releases.yaml:2:14: invalid YAML: control character U+0000 is not allowed\n  hint: this is not a text file, or it was saved with a binary editor: write it as plain UTF-8 text',
  },
  {
    name: 'an alias bomb',
    files: { 'releases.yaml': `${aliasBomb}\nreleases: []\n` },
    expected:
      'releases.yaml:2:8: aliases expand into more than 10000 values (a "billion laughs" document)\n  hint: write the values out, or use fewer aliases of anchors that themselves hold aliases',
    cli: true,
  },
  {
    name: 'an alias naming no anchor',
    files: { 'releases.yaml': withWeb('    labels: *labels\n') },
    expected:
      'releases.yaml:4:13: invalid YAML: the alias *labels names no anchor\n  hint: set the anchor &labels on a value before this line, or fix the alias name',
  },
  {
    name: 'inline values nested 150 deep',
    files: { 'releases.yaml': withWeb(`    values:\n      - ${nested(150)}\n`) },
    expected:
      'releases.yaml:5:489: maps and lists nest more than 100 levels deep\n  hint: flatten the structure: no chart needs values nested this deep',
  },
  {
    name: 'inline values nested 20,000 deep',
    files: { 'releases.yaml': withWeb(`    values:\n      - ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`) },
    expected:
      'releases.yaml:5:105: maps and lists nest more than 100 levels deep\n  hint: flatten the structure: no chart needs values nested this deep',
  },
  {
    name: 'two YAML documents',
    files: { 'releases.yaml': withWeb('---\nreleases: []\n') },
    expected:
      'releases.yaml:4:1: invalid YAML: the file holds more than one document\n  hint: keep one document: remove the "---" line and what follows, or merge the two',
  },
  {
    name: 'merge keys are read as helm reads them: only the real problem is reported',
    files: {
      'releases.yaml':
        'releases:\n  - &web\n    name: web\n    chart: ./charts/web\n    labels: { tier: app }\n  - <<: *web\n    name: api\n    wait: sure\n',
    },
    expected:
      'releases.yaml:8:11: releases[1].wait must be a boolean, not string "sure"\n  hint: write true or false, without quotes',
  },
  {
    name: 'a version that YAML reads as a number',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/web\n    version: 1.10\n',
    },
    expected:
      'releases.yaml:5:14: releases[0].version must be a string, not number 1.1\n  hint: quote it, e.g. "1.1": YAML reads it as a number',
  },

  // The schema: keys, types, required keys.
  {
    name: 'a misspelt top-level key',
    files: { 'releases.yaml': 'release:\n  - name: web\n    chart: ./charts/web\n' },
    expected:
      'releases.yaml:1:1: the file is missing the required key "releases"\n  hint: add releases: with a list of releases, each with name: and chart: (releases: [] for none)\nreleases.yaml:1:1: unknown key "release" in the file\n  hint: did you mean "releases"?',
  },
  {
    name: 'a misspelt release key',
    files: { 'releases.yaml': withWeb('    neds: [db]\n') },
    expected: 'releases.yaml:4:5: unknown key "neds" in releases[0]\n  hint: did you mean "needs"?',
  },
  {
    name: 'a release without a name',
    files: { 'releases.yaml': 'releases:\n  - chart: ./charts/web\n' },
    expected: 'releases.yaml:2:5: releases[0] is missing the required key "name"\n  hint: add name:',
  },
  {
    name: 'a release without a chart',
    files: { 'releases.yaml': 'releases:\n  - name: web\n' },
    expected:
      'releases.yaml:2:5: releases[0] is missing the required key "chart"\n  hint: add chart: with a local path (./charts/web), repo/chart@version or oci://registry/path/chart@version',
  },
  {
    name: 'no releases key',
    files: { 'releases.yaml': 'defaults:\n  wait: true\n' },
    expected:
      'releases.yaml:1:1: the file is missing the required key "releases"\n  hint: add releases: with a list of releases, each with name: and chart: (releases: [] for none)',
  },
  {
    name: 'releases as a map',
    files: { 'releases.yaml': 'releases:\n  web: { chart: ./charts/web }\n' },
    expected:
      'releases.yaml:1:1: releases must be a list, not a map\n  hint: write it as a list, e.g. releases:\n    - { name: web, chart: ./charts/web }',
  },
  {
    name: 'an empty release entry',
    files: { 'releases.yaml': withWeb('  -\n') },
    expected:
      'releases.yaml:4:4: releases[1] must be a map, not null\n  hint: remove the empty "-" entry, or write the release under it: "- name: web" with chart: on the next line',
  },
  {
    name: 'needs that is not a list',
    files: { 'releases.yaml': withWeb('  - name: api\n    chart: ./charts/web\n    needs: web\n') },
    expected:
      'releases.yaml:6:12: releases[1].needs must be a list, not string "web"\n  hint: write it as a list, e.g. needs: [redis-cart]',
  },
  {
    name: 'a quoted boolean',
    files: { 'releases.yaml': withWeb('    wait: "yes"\n') },
    expected:
      'releases.yaml:4:11: releases[0].wait must be a boolean, not string "yes"\n  hint: write true or false, without quotes',
  },
  {
    name: 'a timeout in words',
    files: { 'releases.yaml': withWeb('    timeout: soon\n') },
    expected:
      'releases.yaml:4:14: releases[0].timeout must be a number of seconds or a duration such as 90s, 5m or 1h30m\n  hint: write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
  },
  {
    name: 'a timeout with a space',
    files: { 'releases.yaml': withWeb('    timeout: 5 m\n') },
    expected:
      'releases.yaml:4:14: releases[0].timeout must be a number of seconds or a duration such as 90s, 5m or 1h30m\n  hint: write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
  },
  {
    name: 'a timeout of zero',
    files: { 'releases.yaml': 'defaults:\n  timeout: 0\n' + withWeb('') },
    expected:
      'releases.yaml:2:12: defaults.timeout must be a number of seconds or a duration such as 90s, 5m or 1h30m\n  hint: write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
  },
  {
    name: 'a negative historyMax',
    files: { 'releases.yaml': withWeb('    historyMax: -1\n') },
    expected: 'releases.yaml:4:17: releases[0].historyMax must be at least 0\n  hint: write 0 to keep every revision',
  },
  {
    name: 'a set entry without a value',
    files: { 'releases.yaml': withWeb('    set:\n      - name: image.tag\n') },
    expected:
      'releases.yaml:5:9: releases[0].set[0] is missing the required key "value"\n  hint: add value:, or valueFrom: { env: VARIABLE } to bring a secret in from elsewhere (docs/releases-yaml.md#secrets), or pass the value with --set NAME=VALUE on the command line',
  },
  {
    name: 'a set entry with both value and valueFrom, and secret beside valueFrom',
    files: {
      'releases.yaml': withWeb(
        '    set:\n      - { name: db.password, value: x, secret: true, valueFrom: { file: pw } }\n',
      ),
    },
    expected:
      'releases.yaml:5:40: releases[0].set[0]: a value from valueFrom is always secret\n  hint: remove secret:\nreleases.yaml:5:54: releases[0].set[0] gives both value and valueFrom\n  hint: keep one: valueFrom brings the value in from elsewhere',
  },
  {
    name: 'a valueFrom of an unknown kind',
    files: { 'releases.yaml': withWeb('    set:\n      - { name: db.password, valueFrom: { vault: kv/db } }\n') },
    expected:
      'releases.yaml:5:30: releases[0].set[0].valueFrom must be one of { env: VARIABLE }, { file: path }, { secret: namespace/name, key: key }\n  hint: write valueFrom: { env: DB_PASSWORD }, { file: secrets/db-password } or { secret: shop/db, key: password }',
  },
  {
    name: 'a valueFrom file that does not exist',
    files: { 'releases.yaml': withWeb('    set:\n      - { name: db.password, valueFrom: { file: secrets/db } }\n') },
    expected:
      'releases.yaml:5:49: file secrets/db for db.password of release web does not exist\n  hint: write the value to secrets/db (relative to the folder of releases.yaml), and keep it out of git',
  },
  {
    name: 'a set value that is a map',
    files: { 'releases.yaml': withWeb('    set:\n      - { name: image, value: { tag: "1" } }\n') },
    expected:
      'releases.yaml:5:24: releases[0].set[0].value must be a string, a number or a boolean, not a map\n  hint: write releases[0].set[0].value as a string, a number or a boolean',
  },
  {
    name: 'a label that is a number',
    files: { 'releases.yaml': withWeb('    labels: { tier: 1 }\n') },
    expected:
      'releases.yaml:4:21: releases[0].labels.tier must be a string, not number 1\n  hint: quote it, e.g. "1": YAML reads it as a number',
  },
  {
    name: 'installed as a word',
    files: { 'releases.yaml': withWeb('    installed: maybe\n') },
    expected:
      'releases.yaml:4:16: releases[0].installed must be true, false, or a map of environment name to true/false\n  hint: write installed: false, or installed: { prod: false }',
  },
  {
    name: 'a values entry that is a number',
    files: { 'releases.yaml': withWeb('    values: [42]\n') },
    expected:
      'releases.yaml:4:14: releases[0].values[0] must be a values file path or an inline map\n  hint: write a path such as values/web.yaml or a map such as { replicaCount: 2 }',
  },
  {
    name: 'a repository URL with the wrong scheme',
    files: { 'releases.yaml': 'repositories:\n  - { name: shared, url: "ftp://charts.example.com" }\n' + withWeb('') },
    expected:
      'releases.yaml:2:26: repositories[0].url "ftp://charts.example.com" is not an http:// or https:// URL with a host\n  hint: write the address of the repository\'s index.yaml folder, e.g. https://charts.bitnami.com/bitnami; OCI charts need no repository: write chart: oci://…',
    cli: true,
  },
  {
    name: 'a repository URL without a host',
    files: { 'releases.yaml': 'repositories:\n  - { name: shared, url: "https://" }\n' + withWeb('') },
    expected:
      'releases.yaml:2:26: repositories[0].url "https://" is not an http:// or https:// URL with a host\n  hint: write the address of the repository\'s index.yaml folder, e.g. https://charts.bitnami.com/bitnami; OCI charts need no repository: write chart: oci://…',
  },
  {
    name: 'a repository without a URL',
    files: { 'releases.yaml': 'repositories:\n  - name: shared\n' + withWeb('') },
    expected:
      'releases.yaml:2:5: repositories[0] is missing the required key "url"\n  hint: add url: with the repository\'s http(s) address',
  },
  {
    name: 'an environment named Dev',
    files: { 'releases.yaml': 'environments:\n  Dev: { namespace: shop-dev }\n' + withWeb('') },
    args: ['sync', '-e', 'Dev'],
    expected:
      'releases.yaml:2:3: environment name "Dev" is not a valid DNS-1123 label\n  hint: write "dev": use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  },
  {
    name: 'a namespace in capitals',
    files: { 'releases.yaml': withWeb('    namespace: Shop\n') },
    expected:
      'releases.yaml:4:16: releases[0].namespace "Shop" is not a valid DNS-1123 label\n  hint: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  },
  {
    name: 'a release name with an underscore',
    files: { 'releases.yaml': 'releases:\n  - name: web_app\n    chart: ./charts/web\n' },
    expected:
      'releases.yaml:2:11: release name "web_app" is not a valid DNS-1123 name\n  hint: use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most 53 characters',
  },
  {
    name: 'a lint rule set to an unknown severity',
    files: { 'releases.yaml': 'lint:\n  rules:\n    readiness-probe: fatal\n' + withWeb('') },
    expected:
      'releases.yaml:3:22: lint.rules.readiness-probe must be one of error, warning, info, off, not "fatal"\n  hint: write one of error, warning, info, off',
  },
  {
    name: 'a kubeVersion with a v',
    files: { 'releases.yaml': 'lint:\n  kubeVersion: v1.35\n' + withWeb('') },
    expected:
      'releases.yaml:2:16: lint.kubeVersion "v1.35" has the wrong format\n  hint: write a Kubernetes minor version such as "1.35"',
  },
  {
    name: 'an unknown lint rule',
    files: { 'releases.yaml': 'lint:\n  rules:\n    probe-prot: off\n' + withWeb('') },
    expected: 'releases.yaml:3:5: unknown lint rule "probe-prot"\n  hint: did you mean "probe-port"?',
  },
  {
    name: 'a health rule whose CEL expression does not parse',
    files: {
      'releases.yaml':
        "defaults:\n  health:\n    - apiVersion: cert-manager.io/v1\n      kind: Certificate\n      current: status.conditions.exists(c, c.type == 'Ready' &&)\n" +
        withWeb(''),
    },
    expected:
      "releases.yaml:5:33: the current expression of the health rule for Certificate is not valid CEL: its parser stopped here (found . but expecting end of input)\n  hint: write a CEL expression over the object (self, or its fields: status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')); quote it when it contains \": \" or starts with one of {}[]!&*",
    cli: true,
  },
  {
    name: 'a health rule without current',
    files: {
      'releases.yaml':
        "defaults:\n  health:\n    - { apiVersion: cert-manager.io/v1, kind: Certificate, ready: 'true' }\n" +
        withWeb(''),
    },
    expected:
      'releases.yaml:3:7: defaults.health[0] is missing the required key "current"\n  hint: add current:\nreleases.yaml:3:60: unknown key "ready" in defaults.health[0]\n  hint: allowed keys: apiVersion, kind, current, inProgress, failed',
  },

  // Chart references and versions.
  {
    name: 'a chart ending in @',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/redis@\n',
    },
    expected:
      'releases.yaml:4:12: chart "shared/redis@" ends in "@" without a version\n  hint: write shared/redis@1.2.3, or remove the "@" and set version:',
    cli: true,
  },
  {
    name: 'a chart with two versions',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/redis@1.0@2\n',
    },
    expected:
      'releases.yaml:4:12: chart "shared/redis@1.0@2" has more than one "@"\n  hint: write one version after the chart: chart@1.2.3',
  },
  {
    name: 'a version with a space',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/redis\n    version: 1.0 beta\n',
    },
    expected:
      'releases.yaml:5:14: version "1.0 beta" is not a chart version\n  hint: write a semantic version such as 1.2.3 (or a constraint such as ^1.2), without spaces',
  },
  {
    name: 'a chart version that is a word',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/redis@latest\n',
    },
    expected:
      'releases.yaml:4:12: chart "shared/redis@latest": "latest" is not a chart version\n  hint: write a semantic version such as 1.2.3 (or a constraint such as ^1.2), without spaces',
  },
  {
    name: 'oci:// alone',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: oci://\n' },
    expected:
      'releases.yaml:3:12: chart "oci://" names no registry\n  hint: write oci://registry.example.com/path/chart@1.2.3',
    cli: true,
  },
  {
    name: 'an OCI registry without a chart',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: oci://registry.example.com\n' },
    expected:
      'releases.yaml:3:12: chart "oci://registry.example.com" names a registry but no chart\n  hint: write oci://registry.example.com/path/chart@1.2.3: the last part of the path is the chart\'s name',
  },
  {
    name: 'an OCI chart with an empty version',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: oci://registry.example.com/charts/redis@\n' },
    expected:
      'releases.yaml:3:12: chart "oci://registry.example.com/charts/redis@" ends in "@" without a version\n  hint: write oci://registry.example.com/charts/redis@1.2.3, or remove the "@" and set version:',
  },
  {
    name: 'an OCI path in capitals',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: oci://registry.example.com/Charts/redis@1.0.0\n' },
    expected:
      'releases.yaml:3:12: chart "oci://registry.example.com/Charts/redis@1.0.0": "Charts" is not a valid OCI repository name\n  hint: use lowercase letters, digits and single ".", "_" or "-" between them',
  },
  {
    name: 'a chart that is an https URL',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: https://charts.example.com/web-1.0.0.tgz\n' },
    expected:
      'releases.yaml:3:12: chart "https://charts.example.com/web-1.0.0.tgz" is a URL\n  hint: declare the repository under repositories: and write repo/chart, or write oci:// for an OCI registry',
  },
  {
    name: 'a chart of an undeclared repository',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shard/web@1.0.0\n',
    },
    expected:
      'releases.yaml:4:12: chart shard/web names repository "shard", which is not declared\n  hint: did you mean "shared"?',
  },
  {
    name: 'a chart name alone',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: postgresql\n' },
    expected:
      'releases.yaml:3:12: chart "postgresql" is neither a local path, repo/chart nor oci://\n  hint: write ./path for a chart in this repository, repo/chart for a declared repository, or oci://registry/path/chart',
  },
  {
    name: 'a local chart folder that does not exist',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: ./charts/wbe\n' },
    expected: 'releases.yaml:3:12: chart directory ./charts/wbe does not exist\n  hint: paths are relative to <dir>',
  },
  {
    name: 'a local folder without Chart.yaml',
    files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: ./values\n' },
    expected:
      'releases.yaml:3:12: ./values is not a chart: it has no Chart.yaml\n  hint: point chart: at the folder that holds Chart.yaml',
  },
  {
    name: 'a version on a local chart',
    files: { 'releases.yaml': withWeb('    version: 1.0.0\n') },
    expected:
      'releases.yaml:4:14: a local chart has no version to choose\n  hint: remove version:, or point chart: at a repository or OCI chart',
  },
  {
    name: 'a version given twice',
    files: {
      'releases.yaml':
        'repositories: [{ name: shared, url: "REPOSITORY_URL" }]\nreleases:\n  - name: web\n    chart: shared/web@1.0.0\n    version: 1.0.1\n',
    },
    expected:
      'releases.yaml:5:14: the version is given twice: shared/web@1.0.0 and version: 1.0.1\n  hint: keep one of them',
  },

  // Values files and valuesDir.
  {
    name: 'a values file that does not exist',
    files: { 'releases.yaml': withWeb('    values: [values/wbe.yaml]\n') },
    expected: 'releases.yaml:4:14: values file values/wbe.yaml does not exist\n  hint: paths are relative to <dir>',
  },
  {
    name: 'a values path that is a folder',
    files: { 'releases.yaml': withWeb('    values: [values/dev]\n') },
    expected: 'releases.yaml:4:14: values file values/dev is a folder\n  hint: paths are relative to <dir>',
  },
  {
    name: 'an environment values file that does not exist',
    files: { 'releases.yaml': 'environments:\n  dev:\n    values: [values/dev/common.yaml]\n' + withWeb('') },
    args: ['sync', '-e', 'dev'],
    expected:
      'releases.yaml:3:14: values file values/dev/common.yaml does not exist\n  hint: paths are relative to <dir>',
  },
  {
    name: 'a valuesDir that does not exist',
    files: {
      'releases.yaml': 'environments:\n  dev:\n    valuesDir: values/dve\n' + withWeb(''),
      'values/dev/web.yaml': 'service:\n  type: NodePort\n',
    },
    args: ['sync', '-e', 'dev'],
    expected:
      'releases.yaml:3:16: valuesDir values/dve of environment dev does not exist\n  hint: paths are relative to <dir>; fix the path, or remove valuesDir: to read overlays from values/dev',
    cli: true,
  },
  {
    name: 'a valuesDir that is a file',
    files: { 'releases.yaml': 'environments:\n  dev:\n    valuesDir: values/web.yaml\n' + withWeb('') },
    args: ['sync', '-e', 'dev'],
    expected:
      'releases.yaml:3:16: valuesDir values/web.yaml of environment dev is a file, not a folder\n  hint: paths are relative to <dir>; fix the path, or remove valuesDir: to read overlays from values/dev',
  },
  {
    name: 'a values file with a YAML error',
    files: {
      'releases.yaml': withWeb('    values: [values/web.yaml]\n'),
      'values/web.yaml': 'replicaCount: 2\nimage:\n  tag: "1.0\n',
    },
    expected:
      'values/web.yaml:4:1: invalid YAML: Missing closing "quote\n  hint: check the indentation and the quotes on this line and the one before; quote strings that contain ": " or start with one of {}[]&*!|>%@`',
  },
  {
    name: 'a values file that is a list',
    files: { 'releases.yaml': withWeb('    values: [values/web.yaml]\n'), 'values/web.yaml': '- replicaCount: 2\n' },
    expected:
      'values/web.yaml:1:1: values file values/web.yaml must be a map of values, not a list\n  hint: write keys the chart reads, e.g. "replicaCount: 2"; a list needs a key above it',
  },
  {
    name: 'a values file indented with a tab',
    files: { 'releases.yaml': withWeb('    values: [values/web.yaml]\n'), 'values/web.yaml': 'image:\n\ttag: "2"\n' },
    expected:
      'values/web.yaml:2:1: invalid YAML: Tabs are not allowed as indentation\n  hint: indent with spaces: YAML does not allow tabs for indentation',
  },
  {
    name: 'a values file with a duplicate key, named by two releases',
    files: {
      'releases.yaml': withWeb(
        '    values: [values/web.yaml]\n  - name: api\n    chart: ./charts/web\n    values: [values/web.yaml]\n',
      ),
      'values/web.yaml': 'replicaCount: 2\nreplicaCount: 3\n',
    },
    expected:
      'values/web.yaml:2:1: invalid YAML: the key "replicaCount" appears twice in the same map\n  hint: remove one of the two, or merge their contents: helm silently takes the second. To accept that while migrating, add the line "# boutique: allow-duplicate-keys" to values/web.yaml, or pass --allow-duplicate-keys',
  },
  {
    name: 'a values file that is an alias bomb',
    files: { 'releases.yaml': withWeb('    values: [values/web.yaml]\n'), 'values/web.yaml': `${aliasBomb}\n` },
    expected:
      'values/web.yaml:2:8: aliases expand into more than 10000 values (a "billion laughs" document)\n  hint: write the values out, or use fewer aliases of anchors that themselves hold aliases',
  },
  {
    name: 'a key the chart schema rejects, in a values file',
    files: { 'releases.yaml': withWeb('    values: [values/web.yaml]\n'), 'values/web.yaml': 'replicaCont: 2\n' },
    expected:
      'values/web.yaml:1:1: unknown key "replicaCont": charts/web/values.schema.json does not allow it (release default/web)\n  hint: did you mean "replicaCount"?',
    cli: true,
  },
  {
    name: 'a key the chart schema rejects, in inline values',
    files: { 'releases.yaml': withWeb('    values:\n      - image:\n          tga: "2.0"\n') },
    expected:
      'releases.yaml:6:11: unknown key "tga": charts/web/values.schema.json does not allow it (release default/web)\n  hint: did you mean "tag"?',
    cli: true,
  },
  {
    name: 'a value of the wrong type for the chart schema, in set',
    files: { 'releases.yaml': withWeb('    set:\n      - { name: replicaCount, value: two }\n') },
    expected:
      'releases.yaml:5:38: replicaCount must be an integer, not "two" (release default/web)\n  hint: write an integer, as charts/web/values.schema.json declares',
  },
  {
    name: 'a value outside the chart schema enum, in an environment overlay',
    files: {
      'releases.yaml': 'environments:\n  dev: {}\n' + withWeb(''),
      'values/dev/web.yaml': 'service:\n  type: LoadBalancr\n',
    },
    args: ['sync', '-e', 'dev'],
    expected:
      'values/dev/web.yaml:2:9: service.type must be one of "ClusterIP", "NodePort", "LoadBalancer", not "LoadBalancr" (release default/web)\n  hint: did you mean "LoadBalancer"?',
  },
  {
    name: 'a chart schema error in a later layer wins over the earlier one',
    files: {
      'releases.yaml': withWeb('    values: [values/web.yaml, { replicaCount: "3" }]\n'),
      'values/web.yaml': 'replicaCount: "2"\n',
    },
    expected:
      'releases.yaml:4:47: replicaCount must be an integer, not "3" (release default/web)\n  hint: write the number without quotes',
  },

  // needs.
  {
    name: 'a need with a typo',
    files: { 'releases.yaml': withWeb('  - name: api\n    chart: ./charts/web\n    needs: [wbe]\n') },
    expected:
      'releases.yaml:6:13: release default/api needs "wbe", but no release has that name\n  hint: did you mean "web"? Perhaps you made a typo in needs or forgot to declare the release',
  },
  {
    name: 'a need of a release in another namespace, misspelt',
    files: {
      'releases.yaml':
        'releases:\n  - name: redis-cart\n    namespace: infra\n    chart: ./charts/web\n  - name: cartservice\n    chart: ./charts/web\n    needs: [redis-crt]\n',
    },
    expected:
      'releases.yaml:7:13: release default/cartservice needs "redis-crt", but no release has that name\n  hint: did you mean "infra/redis-cart"? Perhaps you made a typo in needs or forgot to declare the release',
  },
  {
    name: 'a need written with the wrong namespace',
    files: {
      'releases.yaml':
        'releases:\n  - name: redis-cart\n    namespace: infra\n    chart: ./charts/web\n  - name: cartservice\n    chart: ./charts/web\n    needs: [default/redis-cart]\n',
    },
    expected:
      'releases.yaml:7:13: release default/cartservice needs "default/redis-cart", but no release has that id\n  hint: did you mean "infra/redis-cart"?',
  },
  {
    name: 'a need that names releases in two namespaces',
    files: {
      'releases.yaml':
        'releases:\n  - { name: redis-cart, namespace: infra, chart: ./charts/web }\n  - { name: redis-cart, namespace: cache, chart: ./charts/web }\n  - { name: cartservice, namespace: shop, chart: ./charts/web, needs: [redis-cart] }\n',
    },
    expected:
      'releases.yaml:4:72: release shop/cartservice needs "redis-cart", which names releases in several namespaces (infra/redis-cart, cache/redis-cart)\n  hint: write it as namespace/name: infra/redis-cart or cache/redis-cart',
  },
  {
    name: 'a release that needs itself',
    files: { 'releases.yaml': withWeb('    needs: [web]\n') },
    expected: 'releases.yaml:4:13: release default/web needs itself\n  hint: remove this need',
  },
  {
    name: 'two cycles',
    files: {
      'releases.yaml':
        'releases:\n  - { name: a, chart: ./charts/web, needs: [b] }\n  - { name: b, chart: ./charts/web, needs: [a] }\n  - { name: c, chart: ./charts/web, needs: [d] }\n  - { name: d, chart: ./charts/web, needs: [e] }\n  - { name: e, chart: ./charts/web, needs: [c] }\n',
    },
    expected:
      'releases.yaml:2:37: needs form a cycle: default/a -> default/b -> default/a\n  hint: remove one of these needs: a release cannot wait for itself\nreleases.yaml:4:37: needs form a cycle: default/c -> default/d -> default/e -> default/c\n  hint: remove one of these needs: a release cannot wait for itself',
    cli: true,
  },
  {
    name: 'a release declared twice',
    files: { 'releases.yaml': withWeb('  - name: web\n    chart: ./charts/web\n') },
    expected:
      'releases.yaml:4:11: duplicate release default/web (first declared on line 2)\n  hint: rename one of them or put them in different namespaces',
  },
  {
    name: 'installed naming an undeclared environment',
    files: { 'releases.yaml': 'environments:\n  prod: {}\n' + withWeb('    installed: { prd: false }\n') },
    expected:
      'releases.yaml:6:18: installed names environment "prd", which is not declared\n  hint: did you mean "prod"?',
  },
  {
    name: 'every problem of a file at once',
    files: {
      'releases.yaml':
        'releases:\n  - name: web\n    chart: ./charts/wbe\n    wait: 1\n  - name: api\n    chart: ./charts/web\n    needs: [wbe]\n    timeout: later\n',
    },
    expected:
      'releases.yaml:3:12: chart directory ./charts/wbe does not exist\n  hint: paths are relative to <dir>\nreleases.yaml:4:11: releases[0].wait must be a boolean, not number 1\n  hint: write true or false, without quotes\nreleases.yaml:7:13: release default/api needs "wbe", but no release has that name\n  hint: did you mean "web"? Perhaps you made a typo in needs or forgot to declare the release\nreleases.yaml:8:14: releases[1].timeout must be a number of seconds or a duration such as 90s, 5m or 1h30m\n  hint: write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
  },

  // Command-line arguments.
  {
    name: 'a selector without a value',
    files: { 'releases.yaml': withWeb('    labels: { tier: app }\n') },
    args: ['sync', '-l', 'tier='],
    expected:
      'Error: -l tier=: "tier=" has no value\n  hint: write tier=VALUE; every label of releases.yaml has a value',
    cli: true,
  },
  {
    name: 'a selector with ==',
    files: { 'releases.yaml': withWeb('    labels: { tier: app }\n') },
    args: ['sync', '-l', 'a==b'],
    expected: 'Error: -l a==b: "a==b": "==" is not an operator\n  hint: write a=b: one "=" (or "!=")',
  },
  {
    name: 'a selector that selects no release',
    files: {
      'releases.yaml': withWeb(
        '    labels: { tier: app }\n  - name: redis\n    chart: ./charts/web\n    labels: { tier: infra }\n',
      ),
    },
    args: ['sync', '-l', 'tier=ap'],
    expected:
      'Error: -l tier=ap selects no release\n  hint: did you mean tier=app? (labels in use: tier=app|infra; name, namespace and chart of every release)',
  },
  {
    name: 'a selector on a label no release has',
    files: { 'releases.yaml': withWeb('    labels: { tier: app }\n') },
    args: ['sync', '-l', 'team=web'],
    expected:
      'Error: -l team=web selects no release\n  hint: no release has a label "team" (labels in use: tier=app; name, namespace and chart of every release)',
  },
  {
    name: 'an undeclared environment',
    files: { 'releases.yaml': 'environments:\n  prod: {}\n' + withWeb('') },
    args: ['sync', '-e', 'prood'],
    expected: 'releases.yaml:1:1: environment "prood" is not declared\n  hint: did you mean "prod"?',
  },
  {
    name: 'a rollback revision that is a word',
    files: { 'releases.yaml': withWeb('') },
    args: ['rollback', 'web', 'abc'],
    expected:
      'Error: revision "abc" is not a revision number\n  hint: write a whole number from 1 up, as helm history lists them (or leave it out to roll back to the revision before the current one)',
    cli: true,
  },
  {
    name: 'rollback to revision 0',
    files: { 'releases.yaml': withWeb('') },
    args: ['rollback', 'web', '0'],
    expected:
      'Error: revision "0" is not a revision number\n  hint: write a whole number from 1 up, as helm history lists them (or leave it out to roll back to the revision before the current one)',
  },
  {
    name: 'an output dir below a file',
    files: { 'releases.yaml': withWeb('') },
    args: ['template', '--output-dir', '<dir>/releases.yaml/out'],
    expected:
      'Error: --output-dir <dir>/releases.yaml/out: <dir>/releases.yaml is a file, not a folder\n  hint: pass a folder (it is created when missing)',
    cli: true,
  },
];

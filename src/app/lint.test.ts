import { describe, expect, it } from 'vitest';
import type { Release, ReleasesConfig } from '../config/types.js';
import type { Helm } from '../helm/helm.js';
import { configFindings, lintReleases, parseHelmLint } from './lint.js';

// As helm 4.1.4 prints it for values that break the chart's values.schema.json.
const schemaFailure = `==> Linting charts/microservice
[INFO] Chart.yaml: icon is recommended
[ERROR] values.yaml: - at '': additional properties 'replicaCont' not allowed

[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):
microservice:
- at '': additional properties 'replicaCont' not allowed

[WARNING] templates/deployment.yaml: object name does not conform to Kubernetes naming requirements

Error: 1 chart(s) linted, 1 chart(s) failed
`;

describe('parseHelmLint', () => {
  it("keeps helm's words, its continuation lines, and leaves out [INFO]", () => {
    expect(parseHelmLint(schemaFailure, 'shop/web')).toEqual([
      {
        ruleId: 'helm-lint',
        layer: 'helm',
        severity: 'error',
        release: 'shop/web',
        message: "values.yaml: - at '': additional properties 'replicaCont' not allowed",
      },
      {
        ruleId: 'helm-lint',
        layer: 'helm',
        severity: 'error',
        release: 'shop/web',
        message:
          "templates/: values don't meet the specifications of the schema(s) in the following chart(s):\nmicroservice:\n- at '': additional properties 'replicaCont' not allowed",
      },
      {
        ruleId: 'helm-lint',
        layer: 'helm',
        severity: 'warning',
        release: 'shop/web',
        message: 'templates/deployment.yaml: object name does not conform to Kubernetes naming requirements',
      },
    ]);
  });

  it('finds nothing in a clean run', () => {
    expect(
      parseHelmLint(
        '==> Linting charts/redis\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n',
        'shop/redis',
      ),
    ).toEqual([]);
  });
});

describe('configFindings', () => {
  it('turns releases.yaml issues into layer-1 findings grouped under the file', () => {
    expect(
      configFindings([
        {
          file: 'releases.yaml',
          line: 3,
          column: 5,
          path: '/releases/0/neds',
          message: 'unknown key "neds"',
          hint: 'did you mean "needs"?',
        },
      ]),
    ).toEqual([
      {
        ruleId: 'config',
        layer: 'config',
        severity: 'error',
        release: 'releases.yaml',
        file: 'releases.yaml',
        line: 3,
        column: 5,
        message: 'unknown key "neds"',
        fix: 'did you mean "needs"?',
      },
    ]);
  });
});

// As helm 4.1.4 prints them: a CRD-only chart, without and with --strict.
const noTemplates =
  '==> Linting charts/dial-crds\n[INFO] Chart.yaml: icon is recommended\n[WARNING] templates/: directory does not exist\n\n1 chart(s) linted, 0 chart(s) failed\n';
const noTemplatesStrict =
  '==> Linting charts/dial-crds\n[INFO] Chart.yaml: icon is recommended\n[WARNING] templates/: directory does not exist\n\nError: 1 chart(s) linted, 1 chart(s) failed\n';

/** A helm whose lint answers by --strict, recording each run; every render is empty. */
function lintingHelm() {
  const runs: boolean[] = [];
  const helm = {
    lint: async (_release: Release, _values: readonly string[], { strict }: { strict: boolean }) => {
      runs.push(strict);
      return strict ? { passed: false, output: noTemplatesStrict } : { passed: true, output: noTemplates };
    },
    templateWithCrds: async () => '',
    checkDependencies: () => undefined,
  } as unknown as Helm;
  return { helm, runs };
}

const releaseWith = (rules: Record<string, string> = {}) =>
  ({
    id: 'shop/dial',
    name: 'dial',
    namespace: 'shop',
    chart: { kind: 'local', path: '/charts/dial-crds' },
    values: [],
    set: [],
    needs: [],
    lintRules: rules,
  }) as unknown as Release;

async function helmFindings(rules: Record<string, string> = {}, strict = false) {
  const { helm, runs } = lintingHelm();
  const release = releaseWith(rules);
  const config = {
    file: 'releases.yaml',
    baseDir: '/',
    environment: { name: 'default', production: false },
    releases: [release],
  } as unknown as ReleasesConfig;
  const findings = await lintReleases(config, [release], helm, { concurrency: 1, kubeVersion: '1.35', strict });
  return { findings: findings.map(({ ruleId, severity, message }) => `${severity} ${ruleId} ${message}`), runs };
}

describe('helm lint, strict on request', () => {
  it('lints without --strict by default, and says as a warning what --strict would fail on', async () => {
    expect(await helmFindings()).toEqual({
      findings: [
        'warning helm-lint templates/: directory does not exist',
        'warning helm-lint-strict helm lint --strict would fail on the warning above',
      ],
      runs: [false],
    });
  });

  it('fails on the warnings with --strict when a release or the command asks for it', async () => {
    const failed = {
      findings: [
        'warning helm-lint templates/: directory does not exist',
        'error helm-lint helm lint --strict fails on the warnings above',
      ],
      runs: [true],
    };
    expect(await helmFindings({ 'helm-lint-strict': 'error' })).toEqual(failed);
    expect(await helmFindings({}, true)).toEqual(failed);
  });

  it('says nothing of --strict with helm-lint-strict: off', async () => {
    expect(await helmFindings({ 'helm-lint-strict': 'off' })).toEqual({
      findings: ['warning helm-lint templates/: directory does not exist'],
      runs: [false],
    });
  });
});

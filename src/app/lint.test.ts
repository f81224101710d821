import { describe, expect, it } from 'vitest';
import { configFindings, parseHelmLint } from './lint.js';

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
  it('keeps helm\'s words, its continuation lines, and leaves out [INFO]', () => {
    expect(parseHelmLint(schemaFailure, 'shop/web')).toEqual([
      { ruleId: 'helm-lint', layer: 'helm', severity: 'error', release: 'shop/web', message: "values.yaml: - at '': additional properties 'replicaCont' not allowed" },
      {
        ruleId: 'helm-lint', layer: 'helm', severity: 'error', release: 'shop/web',
        message: "templates/: values don't meet the specifications of the schema(s) in the following chart(s):\nmicroservice:\n- at '': additional properties 'replicaCont' not allowed",
      },
      { ruleId: 'helm-lint', layer: 'helm', severity: 'warning', release: 'shop/web', message: 'templates/deployment.yaml: object name does not conform to Kubernetes naming requirements' },
    ]);
  });

  it('finds nothing in a clean run', () => {
    expect(parseHelmLint('==> Linting charts/redis\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n', 'shop/redis')).toEqual([]);
  });
});

describe('configFindings', () => {
  it('turns releases.yaml issues into layer-1 findings grouped under the file', () => {
    expect(configFindings([{ file: 'releases.yaml', line: 3, column: 5, path: '/releases/0/neds', message: 'unknown key "neds"', hint: 'did you mean "needs"?' }])).toEqual([
      { ruleId: 'config', layer: 'config', severity: 'error', release: 'releases.yaml', file: 'releases.yaml', line: 3, column: 5, message: 'unknown key "neds"', fix: 'did you mean "needs"?' },
    ]);
  });
});

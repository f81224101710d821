import { beforeAll, describe, expect, it } from 'vitest';
import { environments, systemReleases, valuesKey } from './boutique-system.js';
import { helmLintStrict, inBatches } from './helm.js';

// Releases without an overlay lint exactly like the default environment, so each combination lints once.
const cases = environments.flatMap((environment) => systemReleases(environment).map((release) => ({ environment, ...release, key: valuesKey(release) })));
const distinct = [...new Map(cases.map((c) => [c.key, c])).values()];
const results = new Map<string, { exitCode: number; output: string }>();

beforeAll(async () => {
  const outcomes = await inBatches(distinct.map((c) => () => helmLintStrict(c.chart, c.valuesFiles, c.namespace)));
  distinct.forEach((c, index) => results.set(c.key, outcomes[index]!));
});

describe('helm lint --strict', () => {
  it.each(cases)('$name in $environment', ({ key }) => {
    const result = results.get(key)!;
    expect(result.output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.exitCode).toBe(0);
  });
});

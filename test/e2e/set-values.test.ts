import { describe, expect, it } from 'vitest';
import { boutique } from '../support/cli.js';
import { helmBinary } from '../support/tools.js';

const env = { BOUTIQUE_HELM: helmBinary() };

describe('--set on the command line', () => {
  it('is checked against the chart values schema of the selected releases, before helm runs', async () => {
    const refused = await boutique(['template', '-l', 'name=frontend', '--set', 'replicaCount=abc', '--debug'], {
      env,
    });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      'Error: --set replicaCount=abc: replicaCount must be an integer, not "abc" (release boutique/frontend)\n  hint: write an integer, as charts/microservice/values.schema.json declares\n',
    );
    expect(refused.stderr).not.toContain('$ ');
    // redis-cart's schema allows no replicaCount, but it is not selected: its chart never sees the value.
    const accepted = await boutique(['template', '-l', 'name=frontend', '--set', 'replicaCount=3'], { env });
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('  replicas: 3\n');
  });

  it('is shown as given; a --set-secret value never is', async () => {
    const secret = 's3cr3t-token-value';
    const result = await boutique(
      [
        'template',
        '-l',
        'name=frontend',
        '--set',
        'replicaCount=2',
        '--set-secret',
        `podAnnotations.token=${secret}`,
        '--debug',
        '--no-cache',
      ],
      { env },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^\$ \S+helm template frontend .* --set replicaCount=2( |$)/m);
    expect(result.stderr).toMatch(/--set-file podAnnotations\.token=\S+/);
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
  });
});

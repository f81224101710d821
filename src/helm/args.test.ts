import { describe, expect, it } from 'vitest';
import { aRelease } from '../../test/fixtures/release.js';
import { templateArgs, uninstallArgs, upgradeArgs } from './args.js';

const release = aRelease({
  chart: {
    kind: 'repository',
    name: 'bitnami/nginx',
    version: '18.1.0',
    repository: { name: 'bitnami', url: 'https://charts.bitnami.com/bitnami' },
  },
  chartSource: 'bitnami/nginx',
  set: [
    { name: 'image.tag', value: 'abc' },
    { name: 'replicaCount', value: 2 },
    { name: 'auth.password', value: 's3cr3t', secret: true },
  ],
  atomic: true,
  historyMax: 5,
});

describe('helm arguments', () => {
  it('renders with the values arguments in layer order, strings as --set-string, other values as --set, and no secret in argv', () => {
    expect(
      templateArgs(release, [
        '--values',
        '/v/a.yaml',
        '--values',
        '/v/b.yaml',
        '--set-file',
        'auth.password=/v/secret-0',
      ]),
    ).toEqual([
      'template',
      'web',
      'bitnami/nginx',
      '--version',
      '18.1.0',
      '--namespace',
      'shop',
      '--values',
      '/v/a.yaml',
      '--values',
      '/v/b.yaml',
      '--set-file',
      'auth.password=/v/secret-0',
      '--set-string',
      'image.tag=abc',
      '--set',
      'replicaCount=2',
    ]);
  });

  it('spells waiting and rolling back as the helm major expects', () => {
    const helm4 = upgradeArgs(
      release,
      [],
      { kubeContext: 'kind' },
      { helmMajor: 4, labels: { 'boutique.dev/inputs': 'h' } },
    );
    expect(helm4).toEqual([
      'upgrade',
      'web',
      'bitnami/nginx',
      '--version',
      '18.1.0',
      '--install',
      '--namespace',
      'shop',
      '--create-namespace',
      '--set-string',
      'image.tag=abc',
      '--set',
      'replicaCount=2',
      '--reset-values',
      '--history-max',
      '5',
      '--timeout',
      '300s',
      '--wait=watcher',
      '--rollback-on-failure',
      '--force-conflicts',
      '--labels',
      'boutique.dev/inputs=h',
      '--kube-context',
      'kind',
    ]);
    const helm3 = upgradeArgs(release, [], {}, { helmMajor: 3 });
    expect(helm3).toContain('--wait');
    expect(helm3).toContain('--atomic');
    expect(helm3).not.toContain('--force-conflicts');
    expect(helm3).not.toContain('--wait=watcher');
  });

  it('leaves custom resources to boutique: helm 4 waits for the built-in kinds only, as helm 3 always did', () => {
    expect(upgradeArgs(release, [], {}, { helmMajor: 4, builtInKindsOnly: true })).toContain('--wait=legacy');
    expect(upgradeArgs(release, [], {}, { helmMajor: 3, builtInKindsOnly: true })).toContain('--wait');
    expect(
      upgradeArgs({ ...release, wait: false }, [], {}, { helmMajor: 4, builtInKindsOnly: true }).filter((arg) =>
        arg.startsWith('--wait'),
      ),
    ).toEqual([]);
  });

  it('uninstalls with a wait bounded by the release timeout', () => {
    expect(uninstallArgs(release, {}, true)).toEqual([
      'uninstall',
      'web',
      '--namespace',
      'shop',
      '--wait',
      '--timeout',
      '300s',
    ]);
  });
});

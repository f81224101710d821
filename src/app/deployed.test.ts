import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { Release } from '../config/types.js';
import { readDeployed } from './deployed.js';

const release = {
  id: 'shop/certs',
  name: 'certs',
  namespace: 'shop',
  health: [],
  versionKeys: { tag: 'image.tag', digest: 'image.digest' },
} as unknown as Release;
const manifest =
  '---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: tls\nspec:\n  secretName: tls\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n';
const certificate = (status: string, reason: string) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'tls', namespace: 'shop', generation: 1 },
  status: { conditions: [{ type: 'Ready', status, reason }] },
});

describe('readDeployed', () => {
  it('reads the custom resources a health rule covers, and names one that is not current', async () => {
    const issuing = createFakeCluster({
      releases: { 'shop/certs': { manifest } },
      live: [certificate('False', 'Issuing')],
    });
    expect((await readDeployed(release, issuing.deps)).notReady).toEqual(['Certificate/tls: Ready=False (Issuing)']);
    expect(issuing.calls).toEqual(['read live shop']);
    const issued = createFakeCluster({
      releases: { 'shop/certs': { manifest } },
      live: [certificate('True', 'Ready')],
    });
    expect((await readDeployed(release, issued.deps)).notReady).toEqual([]);
  });
});

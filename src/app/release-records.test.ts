import { describe, expect, it } from 'vitest';
import { createFakeCluster } from '../../test/support/fake-deps.js';
import type { Release } from '../config/types.js';
import { releaseRecords } from './release-records.js';

const web = { id: 'shop/web', name: 'web', namespace: 'shop' } as Release;

describe('releaseRecords', () => {
  it('confirms a write from the watched record change, with no read of its own', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/web': { revision: 3 } } });
    const records = await releaseRecords(deps, ['shop']);
    await deps.helm.upgrade(web, [], {});
    expect(await records.deployedAfter(web, 3)).toEqual({ deployed: true });
    expect(calls.filter((call) => call.startsWith('read '))).toEqual([]);
    records.stop();
  });

  it('reads the record when no deployed change past the previous revision shows, and says what it is', async () => {
    // helm's record update was refused: it stays pending-install, and no change to deployed is ever seen.
    const { deps, calls } = createFakeCluster({ releases: { 'shop/web': { status: 'pending-install', revision: 1 } } });
    const records = await releaseRecords(deps, ['shop']);
    expect(await records.deployedAfter(web, undefined)).toEqual({
      deployed: false,
      seen: 'pending-install at revision 1',
    });
    expect(calls).toEqual(['read storage shop']);
    records.stop();
  });

  it('reads the record of a release in a namespace it does not watch, or once the watch has ended', async () => {
    const { deps, calls } = createFakeCluster({ releases: { 'shop/web': { revision: 2 } } });
    const unwatched = await releaseRecords(deps);
    expect(await unwatched.deployedAfter(web, 1)).toEqual({ deployed: true });
    const ended = await releaseRecords(deps, ['shop']);
    ended.stop();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await ended.deployedAfter(web, 2)).toEqual({ deployed: false, seen: 'deployed at revision 2' });
    expect(calls).toEqual(['read storage shop', 'read storage shop']);
  });
});

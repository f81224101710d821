import { describe, expect, it } from 'vitest';
import type { SyncResult } from '../app/sync.js';
import type { Release } from '../config/types.js';
import { createProgress, progressMode, renderTotals } from './progress.js';
import { describeState } from './release-state.js';

const release = (id: string) => ({ id }) as Release;
const web = release('shop/web');
const db = release('shop/db');
const cache = release('shop/cache');
const withoutTime = (lines: string[]) =>
  lines.map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /gm, ''));

describe('progress', () => {
  it('draws the interactive list only on a terminal outside CI, and folds on GitHub Actions', () => {
    expect(progressMode({ isTTY: true, ci: false })).toBe('interactive');
    expect(progressMode({ isTTY: true, ci: true })).toBe('plain');
    expect(progressMode({ isTTY: false, ci: false })).toBe('plain');
    expect(progressMode({ isTTY: false, ci: true, github: true })).toBe('github');
    expect(progressMode({ isTTY: true, ci: false, silent: true })).toBe('silent');
  });

  it('prints one timestamped line per state change in plain mode', () => {
    const lines: string[] = [];
    const progress = createProgress('plain', [web], { write: (line) => lines.push(line) });
    progress.update(web, 'waiting', 'waiting on shop/db');
    progress.update(web, 'applying');
    progress.update(web, 'upgraded', 'repairing drift in Deployment/web', 2345);
    expect(withoutTime(lines)).toEqual([
      'shop/web: waiting on shop/db\n',
      'shop/web: applying and waiting for readiness\n',
      'shop/web: upgraded in 2.3s (repairing drift in Deployment/web)\n',
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  it('names only the needs not done yet, and calls a release with none left queued', () => {
    const lines: string[] = [];
    const needs = new Map([['shop/web', ['shop/db', 'shop/cache']]]);
    const progress = createProgress('plain', [cache, db, web], { needs, write: (line) => lines.push(line) });
    progress.update(web, 'waiting', 'waiting on shop/db, shop/cache');
    progress.update(cache, 'unchanged');
    progress.update(web, 'waiting', 'waiting on shop/db, shop/cache');
    progress.update(db, 'upgraded', undefined, 1000);
    progress.update(web, 'waiting', 'waiting on shop/db, shop/cache');
    expect(withoutTime(lines).filter((line) => line.startsWith('shop/web'))).toEqual([
      'shop/web: waiting on shop/db, shop/cache\n',
      'shop/web: waiting on shop/db\n',
      'shop/web: queued\n',
    ]);
  });

  it('folds each release into one GitHub group titled with its outcome, once it ends', () => {
    const written: string[] = [];
    const progress = createProgress('github', [db, web], { write: (text) => written.push(text) });
    progress.update(db, 'applying');
    progress.update(web, 'applying');
    expect(written).toEqual([]);
    progress.update(web, 'failed', 'boom', 1500);
    progress.update(db, 'installed', undefined, 2000);
    expect(withoutTime(written)).toEqual([
      '::group::shop/web: failed in 1.5s\nshop/web: applying and waiting for readiness\nshop/web: failed in 1.5s\n::endgroup::\n',
      '::group::shop/db: installed in 2.0s\nshop/db: applying and waiting for readiness\nshop/db: installed in 2.0s\n::endgroup::\n',
    ]);
  });

  it('ends with one line of totals in the order states are reached', () => {
    const results = (['upgraded', 'unchanged', 'failed', 'unchanged', 'upgraded', 'unchanged'] as const).map(
      (state, index): SyncResult => ({ release: release(`shop/r${index}`), state, durationMs: 0 }),
    );
    expect(renderTotals(results, 42_000)).toBe('2 upgraded, 3 unchanged, 1 failed in 42.0s\n');
    expect(renderTotals([], 10)).toBe('no releases in 0.0s\n');
    expect(renderTotals(results, 42_000, 3)).toBe(
      '2 upgraded, 3 unchanged, 1 failed in 42.0s (3 commands retried after transient API errors)\n',
    );
  });

  it('says why a release was skipped and how long a failure took', () => {
    expect(describeState('skipped', 'needs shop/db, which failed')).toBe('skipped: needs shop/db, which failed');
    expect(describeState('failed', 'boom', 1500)).toBe('failed in 1.5s');
    expect(describeState('unchanged')).toBe('unchanged');
  });
});

import { describe, expect, it } from 'vitest';
import type { Release } from '../config/types.js';
import { createProgress, describeState, progressMode } from './progress.js';

const release = { id: 'shop/web' } as Release;

describe('progress', () => {
  it('draws the interactive list only on a terminal outside CI', () => {
    expect(progressMode({ isTTY: true, ci: false })).toBe('interactive');
    expect(progressMode({ isTTY: true, ci: true })).toBe('plain');
    expect(progressMode({ isTTY: false, ci: false })).toBe('plain');
    expect(progressMode({ isTTY: true, ci: false, silent: true })).toBe('silent');
  });

  it('prints one timestamped line per state change in plain mode', async () => {
    const lines: string[] = [];
    const progress = await createProgress('plain', [release], (line) => lines.push(line));
    progress.update(release, 'waiting', 'waiting on shop/db');
    progress.update(release, 'applying');
    progress.update(release, 'upgraded', 'repairing drift in Deployment/web', 2345);
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'shop/web: waiting on shop/db\n',
      'shop/web: applying and waiting for readiness\n',
      'shop/web: upgraded in 2.3s (repairing drift in Deployment/web)\n',
    ]);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  it('says why a release was skipped and how long a failure took', () => {
    expect(describeState('skipped', 'needs shop/db, which failed')).toBe('skipped: needs shop/db, which failed');
    expect(describeState('failed', 'boom', 1500)).toBe('failed in 1.5s');
    expect(describeState('unchanged')).toBe('unchanged');
  });
});

import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import type { Release } from '../config/types.js';
import { createProgress, whileReading } from './progress.js';

/** A terminal that keeps what is drawn on it: listr2 redraws the whole list each time, so the last frame is the screen. */
class FakeTerminal extends Writable {
  isTTY = true;
  columns = 120;
  rows = 40;
  private readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.writes.push(String(chunk));
    done();
  }
  get written(): string {
    return this.writes.join('');
  }
  /** The list as last drawn, without colours and cursor moves: each redraw is one write. */
  screen(): string[] {
    const frames = this.writes.map((write) =>
      stripVTControlCharacters(write)
        .split('\n')
        .map((line) => line.trimEnd())
        .filter(Boolean),
    );
    return frames.findLast((frame) => frame.length > 0) ?? [];
  }
  line(id: string): string | undefined {
    return this.screen().find((line) => line.includes(` ${id}: `) || line.startsWith(`${id}: `));
  }
}

const release = (id: string) => ({ id }) as Release;
const db = release('shop/db');
const cache = release('shop/cache');
const web = release('shop/web');
const ads = release('shop/ads');
const mail = release('shop/mail');
const asTerminal = (terminal: FakeTerminal) => terminal as unknown as NodeJS.WriteStream;

describe('the interactive progress list', () => {
  it('spins only active releases, names the needs still to finish and gives each outcome its own mark', async () => {
    const terminal = new FakeTerminal();
    const needs = new Map([['shop/web', ['shop/db', 'shop/cache']]]);
    const progress = createProgress('interactive', [db, cache, web, ads, mail], {
      needs,
      stream: asTerminal(terminal),
    });
    // Every release is checked before the run; one that then waits for its needs stops spinning.
    progress.update(web, 'checking', 'rendering');
    await vi.waitFor(() =>
      expect(terminal.line('shop/web')).toMatch(/^[^·…=○✔✖↷ ] shop\/web: checking the deployed release \d+s$/),
    );
    progress.update(web, 'waiting', 'waiting on shop/db, shop/cache');
    progress.update(db, 'applying');
    await vi.waitFor(() =>
      expect(terminal.line('shop/db')).toMatch(/^[^·…=○✔✖↷ ] shop\/db: applying and waiting for readiness \d+s$/),
    );
    expect(terminal.line('shop/ads')).toBe('· shop/ads: queued');
    await vi.waitFor(() => expect(terminal.line('shop/web')).toBe('… shop/web: waiting on shop/db, shop/cache'));

    progress.update(cache, 'unchanged');
    await vi.waitFor(() => expect(terminal.line('shop/web')).toBe('… shop/web: waiting on shop/db'));
    progress.update(db, 'upgraded', undefined, 1200);
    progress.update(ads, 'failed', 'boom', 300);
    progress.update(mail, 'skipped', 'needs shop/ads, which failed');
    progress.update(web, 'installed', undefined, 2000);
    await progress.finish();
    expect(terminal.screen()).toEqual([
      '✔ shop/db: upgraded in 1.2s',
      '= shop/cache: unchanged',
      '✔ shop/web: installed in 2.0s',
      '✖ shop/ads: failed in 0.3s',
      '↷ shop/mail: skipped: needs shop/ads, which failed',
    ]);
  });

  it('says that the cluster is being read, and clears the line once it is', async () => {
    const terminal = new FakeTerminal();
    let seenWhileReading = '';
    const answer = await whileReading(
      'interactive',
      'reading the cluster…',
      async () => {
        await vi.waitFor(() => expect(stripVTControlCharacters(terminal.written)).toContain('reading the cluster…'));
        seenWhileReading = stripVTControlCharacters(terminal.written);
        return 42;
      },
      asTerminal(terminal),
    );
    expect(answer).toBe(42);
    expect(seenWhileReading).toContain('reading the cluster…');
    expect(terminal.written.endsWith('reading the cluster…\n')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { diffRelease, type ReleaseDiff } from '../diff/release-diff.js';
import { frontendUpgrade, NEW_SESSION_KEY, SESSION_KEY, unchangedRelease } from '../../test/fixtures/diff/scenario.js';
import { diffSummary, planSummary, renderDiffMarkdown, renderDiffText } from './diff-view.js';

const diffs = [diffRelease(frontendUpgrade()), diffRelease(unchangedRelease())];
const plainText = renderDiffText(diffs, { color: false, context: 3 });
const markdown = renderDiffMarkdown(diffs);
const json = JSON.stringify(diffs, null, 2);

const configMapChange = (value: string): ReleaseDiff => ({
  hooks: [],
  release: 'app',
  namespace: 'shop',
  changes: [
    {
      key: 'core/ConfigMap/shop/settings',
      ref: 'ConfigMap/settings',
      action: 'change',
      before: 'data:\n  motd: hello\n',
      after: `data:\n  motd: ${value}\n`,
      impacts: [],
    },
  ],
  drift: [],
  summary: { add: 0, change: 1, destroy: 0, unchanged: 0 },
});

describe('diff views', () => {
  it('renders the golden text diff', async () => {
    await expect(plainText).toMatchFileSnapshot('../../test/fixtures/diff/expected-diff.txt');
  });

  it('renders the golden markdown diff', async () => {
    await expect(markdown).toMatchFileSnapshot('../../test/fixtures/diff/expected-diff.md');
  });

  it('leaves out release sections past the size limit of a GitHub comment, and names them', () => {
    const many = Array.from({ length: 40 }, (_, index) => ({
      ...configMapChange('x'.repeat(3000)),
      release: `shop/app-${index}`,
    }));
    const limited = renderDiffMarkdown(many, { context: 3, maxLength: 20_000 });
    expect(limited.length).toBeLessThanOrEqual(20_000);
    expect(limited).toContain('<summary><b>shop/app-0</b>');
    expect(limited).not.toContain('<summary><b>shop/app-39</b>');
    expect(limited).toMatch(
      /_Left out to stay within 20000 characters: shop\/app-\d+, .*shop\/app-39\. Run `boutique diff` for the full diff\._\n$/,
    );
    expect(renderDiffMarkdown(many.slice(0, 2))).not.toContain('Left out');
  });

  it('never prints Secret values, plain or base64, in any output', () => {
    const forms = [SESSION_KEY, NEW_SESSION_KEY].flatMap((value) => [value, Buffer.from(value).toString('base64')]);
    for (const output of [plainText, markdown, json]) {
      for (const form of forms) expect(output).not.toContain(form);
    }
    expect(plainText).toContain('-  SESSION_KEY: "***"\n+  SESSION_KEY: "*** (changed)"');
  });

  it('colours only when asked, with the same text underneath', () => {
    const coloured = renderDiffText(diffs, { color: true, context: 3 });
    expect(coloured).toContain('\u001b[31m-  ENV_PLATFORM: local\u001b[39m\n\u001b[32m+  ENV_PLATFORM: gcp\u001b[39m');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plainText);
    expect(plainText).not.toContain('\u001b[');
  });

  it('shows as many context lines as asked', () => {
    const lines = (context: number) => renderDiffText([configMapChange('bye')], { color: false, context }).split('\n');
    expect(lines(0)).toContain('@@ -2,1 +2,1 @@');
    expect(lines(1)).toContain('@@ -1,2 +1,2 @@');
  });

  it('says so when a change is only in masked values', () => {
    expect(renderDiffText([configMapChange('hello')], { color: false, context: 3 })).toContain(
      '~ ConfigMap/settings (change)\n--- ConfigMap/settings (live)\n+++ ConfigMap/settings (after sync)\n(only masked values differ)\n',
    );
  });

  it('fences markdown diffs longer than any backtick run in them', () => {
    expect(renderDiffMarkdown([configMapChange('```oops```')])).toContain(
      '````diff\n@@ -1,2 +1,2 @@\n data:\n-  motd: hello\n+  motd: ```oops```\n````\n',
    );
  });

  it('sums every release into one plan line', () => {
    expect(planSummary(diffs)).toBe('Plan: 1 to add, 3 to change, 1 to destroy, 3 unchanged.');
    expect(plainText.trimEnd().split('\n').at(-1)).toBe(planSummary(diffs));
  });

  it('never reads as clean when a release could not be diffed, in text and markdown', () => {
    const scope = { releases: '1 to upgrade, 10 unchanged', failed: ['shop/cart'] };
    const line =
      'Plan INCOMPLETE (could not diff 1 release: shop/cart): 0 to add, 0 to change, 0 to destroy, 0 unchanged. Releases: 1 to upgrade, 10 unchanged.';
    expect(planSummary([], scope)).toBe(line);
    expect(renderDiffText([], { color: false, context: 3, scope })).toBe(`${line}\n`);
    expect(renderDiffMarkdown([], { context: 3, scope })).toContain(`:x: **${line}**`);
    expect(diffSummary([], scope).complete).toBe(0);
  });

  it('sums objects over every release for the JSON summary', () => {
    expect(diffSummary(diffs)).toEqual({
      add: 1,
      change: 3,
      destroy: 1,
      unchanged: 3,
      drifted: 1,
      hasChanges: 1,
      complete: 1,
    });
    expect(diffSummary([diffRelease(unchangedRelease())]).hasChanges).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { BaseDiffOutcome, BaseReleaseChange } from '../app/base-diff.js';
import type { Release } from '../config/types.js';
import { diffRelease } from '../diff/release-diff.js';
import type { KubeObject } from '../kube/objects.js';
import {
  basePlanCounts,
  basePlanSummary,
  commentMarker,
  renderBaseDiffMarkdown,
  renderBaseDiffText,
} from './base-diff-view.js';

const configMap = (name: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});
const deployment = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
  },
});

/** A release whose base and head renders differ: `size` lines of config in each of its ConfigMaps. */
function changed(environment: string, name: string, size = 3): BaseReleaseChange {
  const lines = (tag: string) =>
    Object.fromEntries(Array.from({ length: size }, (_, index) => [`key${index}`, `${tag}-${index}`]));
  const before = [
    deployment(name, 'shop:1'),
    configMap(`${name}-a`, lines('old')),
    configMap(`${name}-b`, lines('old')),
  ];
  const after = [
    deployment(name, 'shop:2'),
    configMap(`${name}-a`, lines('new')),
    configMap(`${name}-b`, lines('new')),
    configMap(`${name}-c`, { k: 'v' }),
  ];
  return {
    environment,
    release: `shop/${name}`,
    kind: 'changed',
    diff: diffRelease({ release: `shop/${name}`, namespace: 'shop', desired: after, live: before, deployed: before }),
  };
}

function outcome(changes: BaseReleaseChange[], extra: Partial<BaseDiffOutcome> = {}): BaseDiffOutcome {
  return {
    base: { ref: 'main', commit: '3f2a1c9d0e1b2a3c4d5e6f708192a3b4c5d6e7f8' },
    head: {},
    environments: ['dev', 'prod'],
    releaseCount: 36,
    rendered: changes.length,
    changes,
    failed: [],
    ...extra,
  };
}

describe('diff --base views', () => {
  it('starts with one plan line, Terraform-style, and gives the same counts to JSON', () => {
    const result = outcome([
      changed('dev', 'web'),
      changed('prod', 'web'),
      { environment: 'dev', release: 'shop/old', kind: 'removed' },
      {
        environment: 'dev',
        release: 'shop/api',
        kind: 'needs',
        needs: { base: ['shop/cache', 'shop/auth'], head: ['shop/auth', 'shop/db'] },
      },
      // Rendered, the same on both sides: not counted, not shown.
      {
        environment: 'dev',
        release: 'shop/same',
        kind: 'changed',
        diff: diffRelease({
          release: 'shop/same',
          namespace: 'shop',
          desired: [configMap('x', {})],
          live: [configMap('x', {})],
          deployed: [configMap('x', {})],
        }),
      },
    ]);
    expect(basePlanSummary(result)).toBe(
      'Plan: 2 to add, 6 to change, 0 to destroy in 4 of 36 releases (2 environments)',
    );
    expect(basePlanCounts(result)).toEqual({
      add: 2,
      change: 6,
      destroy: 0,
      releases: 4,
      ofReleases: 36,
      environments: 2,
      rendered: 5,
      hasChanges: 1,
      complete: 1,
    });
    const text = renderBaseDiffText(result, { color: false, context: 3 });
    expect(text.split('\n').slice(0, 2)).toEqual([
      'Plan: 2 to add, 6 to change, 0 to destroy in 4 of 36 releases (2 environments)',
      'Compared main (3f2a1c9d0e1b) → working tree, without a cluster; 5 releases rendered.',
    ]);
    expect(text).toContain('--- Deployment/web (main)\n+++ Deployment/web (working tree)');
    expect(text).toContain('! rolls 2 pods of Deployment/web');
    expect(text).toContain('Release shop/old\n! no longer in releases.yaml: a sync leaves it deployed');
    expect(text).toContain('Release shop/api\n! needs shop/db now, no longer shop/cache');
    expect(text).not.toContain('shop/same');
  });

  it('says a plan is incomplete when a release did not render', () => {
    const result = outcome([changed('dev', 'web')], {
      failed: [
        { environment: 'dev', release: { id: 'shop/api' } as Release, side: 'main', error: new Error('parse error') },
      ],
    });
    expect(basePlanSummary(result)).toMatch(
      /^Plan INCOMPLETE \(could not render 1 release: shop\/api at main in dev\): /,
    );
    expect(basePlanCounts(result).complete).toBe(0);
  });

  it('fits one pull-request comment: every release listed object by object, full diffs in order while they fit, never an object cut', () => {
    const changes = Array.from({ length: 30 }, (_, index) => changed('dev', `app-${index}`, 60));
    const marker = commentMarker('releases.yaml base dev');
    const maxLength = 40_000;
    const markdown = renderBaseDiffMarkdown(outcome(changes, { environments: ['dev'] }), {
      context: 3,
      maxLength,
      marker,
    });
    expect(markdown.length).toBeLessThanOrEqual(maxLength);
    expect(markdown.split('\n')[0]).toBe('<!-- boutique-diff releases.yaml base dev -->');
    // Every release is in the table, whatever else fits.
    for (let index = 0; index < 30; index++) expect(markdown).toContain(`| \`shop/app-${index}\` |`);
    const full = [...markdown.matchAll(/<summary><b>(shop\/app-\d+)<\/b>: [^<(]*<\/summary>/g)].map(
      (match) => match[1],
    );
    const brief = [
      ...markdown.matchAll(
        /<summary><b>(shop\/app-\d+)<\/b>: .*\(objects only: the full diff did not fit\)<\/summary>/g,
      ),
    ].map((match) => match[1]);
    expect(full.length).toBeGreaterThan(0);
    expect(brief.length).toBeGreaterThan(0);
    expect(full.length + brief.length).toBe(30);
    expect(markdown).not.toContain('Left out');
    // Too many even as lists: those past the limit are named at the end.
    const many = Array.from({ length: 300 }, (_, index) => changed('dev', `app-${index}`, 60));
    const crowded = renderBaseDiffMarkdown(outcome(many, { environments: ['dev'] }), {
      context: 3,
      maxLength: 65_536,
      marker,
    });
    expect(crowded.length).toBeLessThanOrEqual(65_536);
    expect(crowded).toMatch(
      /_Left out to stay within 65536 characters: shop\/app-\d+.*, shop\/app-299\. Run `boutique diff --base main` for the full diff\._\n$/,
    );
    // Each full section holds every object whole: as many diff blocks as objects changed, each fence closed.
    const sections = markdown.split('<details>').slice(1);
    for (const section of sections.filter((text) => !text.includes('objects only'))) {
      expect(section.match(/^#### /gm)).toHaveLength(4);
      expect(section.match(/^```diff$/gm)).toHaveLength(4);
      expect(section.match(/^```$/gm)).toHaveLength(4);
    }
    for (const section of sections.filter((text) => text.includes('objects only'))) {
      expect(section.match(/^- [+~-] `/gm)).toHaveLength(4);
      expect(section).toContain('**rollout**: rolls 2 pods of Deployment/');
    }
  });

  it('collapses each release in its own details, names the environment when there are several', () => {
    const markdown = renderBaseDiffMarkdown(
      outcome([
        changed('dev', 'web'),
        {
          environment: 'prod',
          release: 'shop/new',
          kind: 'renamed',
          renamedFrom: 'shop/old',
          diff: diffRelease({
            release: 'shop/new',
            namespace: 'shop',
            desired: [configMap('new', {})],
            live: [],
            deployed: [],
          }),
        },
      ]),
      { context: 3 },
    );
    expect(markdown).toContain(
      '<summary><b>shop/web (dev)</b>: 1 to add, 3 to change, 0 to destroy, 0 unchanged</summary>',
    );
    expect(markdown).toContain(
      '<summary><b>shop/new (prod)</b>: 1 to add, 0 to change, 0 to destroy, 0 unchanged</summary>\n\n> renamed from shop/old',
    );
    expect(markdown).toContain('| `shop/new` | prod | 1 | 0 | 0 | renamed |');
    expect(markdown.match(/<details>/g)).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import type { Release, ReleasesConfig } from '../config/types.js';
import { renderGraph } from '../report/plan-view.js';
import { findCycles } from '../graph/dag.js';
import { buildPlan } from './plan.js';
import { parseSelectors } from './select.js';
import { aRelease } from '../../test/fixtures/release.js';

function release(name: string, needs: string[] = [], labels: Record<string, string> = {}): Release {
  return aRelease({ name, needs: needs.map((need) => `shop/${need}`), labels });
}

const config: ReleasesConfig = {
  file: 'releases.yaml',
  baseDir: '/',
  environment: { name: 'default', production: false, lockNamespace: 'default' },
  releases: [
    release('frontend', ['cart', 'catalog'], { tier: 'app' }),
    release('catalog', [], { tier: 'app' }),
    release('redis', [], { tier: 'infra' }),
    release('cart', ['redis'], { tier: 'app' }),
    release('loadgen', ['frontend'], { tier: 'tools' }),
  ],
};

const ids = (releases: Release[]) => releases.map((r) => r.name);

describe('buildPlan', () => {
  it('orders by needs and breaks ties by declaration order', () => {
    const plan = buildPlan(config, { selectors: [], includeNeeds: false });
    expect(plan.levels.map(ids)).toEqual([['catalog', 'redis'], ['cart'], ['frontend'], ['loadgen']]);
    expect(ids(plan.releases)).toEqual(['catalog', 'redis', 'cart', 'frontend', 'loadgen']);
  });

  it('selects by label with AND inside a selector and OR across selectors', () => {
    const plan = buildPlan(config, {
      selectors: parseSelectors(['tier=app,name!=frontend', 'name=loadgen']),
      includeNeeds: false,
    });
    expect(ids(plan.releases)).toEqual(['catalog', 'cart', 'loadgen']);
    expect(plan.unselectedNeeds.map(({ release: r, need }) => `${r.name}->${need.name}`)).toEqual([
      'cart->redis',
      'loadgen->frontend',
    ]);
  });

  it('pulls in needs transitively with includeNeeds and says which', () => {
    const plan = buildPlan(config, { selectors: parseSelectors(['name=frontend']), includeNeeds: true });
    expect(ids(plan.releases)).toEqual(['catalog', 'redis', 'cart', 'frontend']);
    expect(ids(plan.addedByNeeds)).toEqual(['catalog', 'redis', 'cart']);
    expect(plan.unselectedNeeds).toEqual([]);
  });

  it('computes needs within the selection, dependents and chain lengths once', () => {
    const plan = buildPlan(config, { selectors: parseSelectors(['tier=app', 'tier=tools']), includeNeeds: false });
    expect(Object.fromEntries(plan.needs)).toEqual({
      'shop/frontend': ['shop/cart', 'shop/catalog'],
      'shop/catalog': [],
      'shop/cart': [],
      'shop/loadgen': ['shop/frontend'],
    });
    expect(Object.fromEntries(plan.dependents)).toEqual({
      'shop/frontend': ['shop/loadgen'],
      'shop/catalog': ['shop/frontend'],
      'shop/cart': ['shop/frontend'],
      'shop/loadgen': [],
    });
    expect(Object.fromEntries(plan.chainLength)).toEqual({
      'shop/catalog': 3,
      'shop/cart': 3,
      'shop/frontend': 2,
      'shop/loadgen': 1,
    });
  });

  it('draws the graph of the selection only, in every format', () => {
    const plan = buildPlan(config, { selectors: parseSelectors(['name=frontend']), includeNeeds: false });
    expect(renderGraph(plan, 'text')).toBe('LEVEL   RELEASE         NEEDS\n0       shop/frontend   -\n');
    expect(plan.needs.get('shop/frontend')).toEqual([]);
  });

  it('rejects a malformed selector', () => {
    expect(() => parseSelectors(['tier'])).toThrow('-l tier: "tier" is not key=value or key!=value');
  });

  it('renders the graph as mermaid, dot and text', () => {
    const plan = buildPlan(config, { selectors: parseSelectors(['name=cart']), includeNeeds: true });
    expect(renderGraph(plan, 'mermaid')).toBe('graph LR\n  r0["shop/redis"]\n  r1["shop/cart"]\n  r0 --> r1\n');
    expect(renderGraph(plan, 'dot')).toBe(
      'digraph releases {\n  rankdir=LR;\n  "shop/redis";\n  "shop/cart";\n  "shop/redis" -> "shop/cart";\n}\n',
    );
    expect(renderGraph(plan, 'text')).toBe(
      'LEVEL   RELEASE      NEEDS\n0       shop/redis   -\n1       shop/cart    shop/redis\n',
    );
  });
});

describe('findCycles', () => {
  it('returns every cycle as a closed path from its first declared node, or nothing', () => {
    expect(
      findCycles([
        { id: 'a', needs: ['b'] },
        { id: 'b', needs: ['a'] },
      ]),
    ).toEqual([['a', 'b', 'a']]);
    expect(
      findCycles([
        { id: 'a', needs: ['b'] },
        { id: 'b', needs: [] },
      ]),
    ).toEqual([]);
    const two = [
      { id: 'x', needs: ['y'] },
      { id: 'c', needs: ['a'] },
      { id: 'a', needs: ['b'] },
      { id: 'b', needs: ['c'] },
      { id: 'y', needs: ['x'] },
    ];
    expect(findCycles(two)).toEqual([
      ['x', 'y', 'x'],
      ['c', 'a', 'b', 'c'],
    ]);
  });

  it('walks a chain of 20,000 needs without overflowing the stack', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => ({
      id: `r${i}`,
      needs: i === 0 ? ['r19999'] : [`r${i - 1}`],
    }));
    expect(findCycles(chain)[0]).toHaveLength(20_001);
  });
});

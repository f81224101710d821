/** A node of the needs graph: an id and the ids it needs (all of which are nodes of the graph). */
export interface GraphNode {
  id: string;
  needs: readonly string[];
}

/**
 * The first cycle found, as a closed path `[a, b, a]`, or undefined. Search starts from nodes in declaration
 * order so the reported cycle is the same on every run.
 */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const needsOf = new Map(nodes.map((node) => [node.id, node.needs]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of needsOf.get(id) ?? []) {
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };

  for (const node of nodes) {
    const cycle = visit(node.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Dependency levels: level 0 needs nothing, level n needs something at level n-1. Within a level, declaration
 * order. The graph must be acyclic (check with findCycle first).
 */
export function dependencyLevels(nodes: readonly GraphNode[]): string[][] {
  const needsOf = new Map(nodes.map((node) => [node.id, node.needs]));
  const levelOf = new Map<string, number>();
  const level = (id: string): number => {
    const known = levelOf.get(id);
    if (known !== undefined) return known;
    const needs = (needsOf.get(id) ?? []).filter((need) => needsOf.has(need));
    const value = needs.length === 0 ? 0 : 1 + Math.max(...needs.map(level));
    levelOf.set(id, value);
    return value;
  };
  const levels: string[][] = [];
  for (const node of nodes) (levels[level(node.id)] ??= []).push(node.id);
  return levels;
}

/** Every id reachable through needs from `start` (excluding the start ids themselves). */
export function transitiveNeeds(nodes: readonly GraphNode[], start: Iterable<string>): Set<string> {
  const needsOf = new Map(nodes.map((node) => [node.id, node.needs]));
  const startIds = new Set(start);
  const found = new Set<string>();
  const pending = [...startIds];
  while (pending.length > 0) {
    for (const need of needsOf.get(pending.pop()!) ?? []) {
      if (!found.has(need) && !startIds.has(need)) {
        found.add(need);
        pending.push(need);
      }
    }
  }
  return found;
}

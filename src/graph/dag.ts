/** A node of the needs graph: an id and the ids it needs (all of which are nodes of the graph). */
export interface GraphNode {
  id: string;
  needs: readonly string[];
}

/**
 * One cycle per strongly connected group of needs, each as a closed path `[a, b, a]` that starts at the group's
 * first declared node; groups in declaration order, so the report is the same on every run. Tarjan's algorithm
 * with an explicit stack: linear, and a chain of 20,000 needs cannot overflow the call stack.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const needsOf = new Map(nodes.map((node) => [node.id, node.needs.filter((need) => need !== node.id)]));
  const order = new Map(nodes.map((node, index) => [node.id, index]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  for (const root of nodes) {
    if (index.has(root.id)) continue;
    const frames: { id: string; next: number }[] = [];
    const enter = (id: string) => {
      index.set(id, index.size);
      low.set(id, index.get(id)!);
      stack.push(id);
      onStack.add(id);
      frames.push({ id, next: 0 });
    };
    enter(root.id);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      const needs = needsOf.get(frame.id) ?? [];
      if (frame.next < needs.length) {
        const need = needs[frame.next++]!;
        if (!index.has(need)) enter(need);
        else if (onStack.has(need)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(need)!));
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== frame.id);
      if (group.length > 1) groups.push(group);
    }
  }
  return groups
    .map((group) => group.sort((a, b) => order.get(a)! - order.get(b)!))
    .sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!)
    .map((group) => cycleThrough(group, needsOf));
}

/** The shortest closed path from the group's first node back to it, through the group only (breadth first). */
function cycleThrough(group: readonly string[], needsOf: ReadonlyMap<string, readonly string[]>): string[] {
  const start = group[0]!;
  const members = new Set(group);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head]!;
    for (const need of needsOf.get(id) ?? []) {
      if (need === start) {
        const path = [start];
        for (let at = id; at !== start; at = cameFrom.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (members.has(need) && !cameFrom.has(need)) {
        cameFrom.set(need, id);
        queue.push(need);
      }
    }
  }
  return [start, start];
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

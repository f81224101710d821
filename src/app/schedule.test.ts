import { describe, expect, it, vi } from 'vitest';
import { runInDependencyOrder, type DagTask, type TaskOutcome } from './schedule.js';

/** A task run whose completion the test controls, to observe what starts when. */
function controlledRun() {
  const started: string[] = [];
  const finishers = new Map<string, (outcome: TaskOutcome) => void>();
  const execute = (task: DagTask) =>
    new Promise<TaskOutcome>((resolve) => {
      started.push(task.id);
      finishers.set(task.id, resolve);
    });
  const finish = async (id: string, outcome: TaskOutcome = 'succeeded') => {
    finishers.get(id)!(outcome);
    // Let the scheduler observe the completion and start what became ready.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, execute, finish };
}

const tasks: DagTask[] = [
  { id: 'redis', needs: [], priority: 3 },
  { id: 'catalog', needs: [], priority: 3 },
  { id: 'cart', needs: ['redis'], priority: 2 },
  { id: 'recommend', needs: ['catalog'], priority: 2 },
  { id: 'frontend', needs: ['cart', 'recommend'], priority: 1 },
];

describe('runInDependencyOrder', () => {
  it('starts each task as soon as its own needs succeeded, not level by level', async () => {
    const { started, execute, finish } = controlledRun();
    const done = runInDependencyOrder(tasks, 4, execute);
    await finish('redis');
    expect(started).toEqual(['redis', 'catalog', 'cart']);
    await finish('catalog');
    expect(started).toEqual(['redis', 'catalog', 'cart', 'recommend']);
    await finish('recommend');
    expect(started).not.toContain('frontend');
    await finish('cart');
    expect(started.at(-1)).toBe('frontend');
    await finish('frontend');
    expect([...(await done).values()]).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('respects the concurrency bound', async () => {
    const { started, execute, finish } = controlledRun();
    const independent = ['a', 'b', 'c'].map((id) => ({ id, needs: [], priority: 1 }));
    const done = runInDependencyOrder(independent, 2, execute);
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    await finish('b');
    expect(started).toEqual(['a', 'b', 'c']);
    await finish('a');
    await finish('c');
    await done;
  });

  it('skips what needs a failed task, transitively, and finishes the rest', async () => {
    const skipped: string[] = [];
    const outcomes = await runInDependencyOrder(
      tasks,
      2,
      async (task) => (task.id === 'redis' ? 'failed' : 'succeeded'),
      {
        onSkipped: (task, blockedBy) => skipped.push(`${task.id} (needs ${blockedBy})`),
      },
    );
    expect(Object.fromEntries(outcomes)).toEqual({
      redis: 'failed',
      catalog: 'succeeded',
      cart: 'skipped',
      recommend: 'succeeded',
      frontend: 'skipped',
    });
    expect(skipped).toEqual(['cart (needs redis)', 'frontend (needs cart)']);
  });

  it('starts the head of the longest chain before leaves declared earlier', async () => {
    const { started, execute, finish } = controlledRun();
    const graph: DagTask[] = [
      { id: 'leaf-1', needs: [], priority: 1 },
      { id: 'leaf-2', needs: [], priority: 1 },
      { id: 'head', needs: [], priority: 3 },
      { id: 'middle', needs: ['head'], priority: 2 },
      { id: 'tail', needs: ['middle'], priority: 1 },
    ];
    const done = runInDependencyOrder(graph, 1, execute);
    await Promise.resolve();
    expect(started).toEqual(['head']);
    await finish('head');
    expect(started).toEqual(['head', 'middle']);
    // With one slot the rest run one by one: equal chains keep list order.
    while (started.length < graph.length) await finish(started.at(-1)!);
    await finish('tail');
    expect(started).toEqual(['head', 'middle', 'leaf-1', 'leaf-2', 'tail']);
    await done;
  });

  it('starts nothing more once mayStart says no, and leaves those tasks without an outcome', async () => {
    let open = true;
    const outcomes = await runInDependencyOrder(
      tasks,
      1,
      async () => {
        open = false;
        return 'succeeded';
      },
      { mayStart: () => open },
    );
    expect(Object.fromEntries(outcomes)).toEqual({ redis: 'succeeded' });
  });

  it('gives the head of the longest chain a head start over ready tasks with slack; idle tasks neither wait nor hold', async () => {
    vi.useFakeTimers();
    try {
      const { started, execute, finish } = controlledRun();
      const graph: DagTask[] = [
        { id: 'leaf', needs: [], priority: 2 },
        { id: 'unchanged', needs: [], priority: 1, idle: true },
        { id: 'head', needs: [], priority: 3 },
        { id: 'twin', needs: [], priority: 3 },
        { id: 'next', needs: ['head', 'leaf'], priority: 1 },
      ];
      const done = runInDependencyOrder(graph, 4, execute, { headStartMs: 250 });
      await Promise.resolve();
      expect(started).toEqual(['head', 'twin', 'unchanged']);
      await vi.advanceTimersByTimeAsync(249);
      expect(started).toEqual(['head', 'twin', 'unchanged']);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toEqual(['head', 'twin', 'unchanged', 'leaf']);
      for (const id of ['head', 'twin', 'unchanged', 'leaf']) await finish(id);
      await vi.advanceTimersByTimeAsync(0);
      expect(started.at(-1)).toBe('next');
      await finish('next');
      expect(Object.fromEntries(await done)).toEqual({
        head: 'succeeded',
        twin: 'succeeded',
        unchanged: 'succeeded',
        leaf: 'succeeded',
        next: 'succeeded',
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('treats a thrown error as a failure', async () => {
    const outcomes = await runInDependencyOrder([{ id: 'a', needs: [], priority: 1 }], 1, async () => {
      throw new Error('boom');
    });
    expect(outcomes.get('a')).toBe('failed');
  });
});

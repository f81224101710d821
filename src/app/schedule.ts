export interface DagTask {
  id: string;
  /** Ids of tasks that must succeed first, all of them in the task list (the plan has cut needs to the selection). */
  needs: readonly string[];
  /** Among ready tasks, the highest starts first: the plan's chain length, so the critical chain never waits for leaves. */
  priority: number;
  /** Does no work (an unchanged release): never waits for a head start, and gives none. */
  idle?: boolean;
}

export type TaskOutcome = 'succeeded' | 'failed';
export type FinalOutcome = TaskOutcome | 'skipped';

export interface ScheduleOptions<T extends DagTask> {
  /** A task was skipped because `blockedBy`, which it needs, failed or was skipped. */
  onSkipped?(task: T, blockedBy: string): void;
  /** Asked before each start: false stops starting tasks (an interrupted run); running ones finish. */
  mayStart?(): boolean;
  /**
   * When tasks become ready together, the one with the longest chain starts this long before those with shorter
   * ones. They have slack, a release at least, so waiting costs the run nothing, while the head of the chain gets
   * the machine and the API server to itself for its start-up (a helm process is CPU-bound as it starts).
   */
  headStartMs?: number;
  now?(): number;
}

/**
 * Runs each task as soon as everything it needs has succeeded, at most `concurrency` at a time, starting the ready
 * task with the highest priority first (list order breaks ties), with a head start when `headStartMs` is given. Not level by level: a slow release holds back only
 * the releases that need it. Tasks never started (see mayStart) are missing from the outcomes.
 */
export async function runInDependencyOrder<T extends DagTask>(
  tasks: readonly T[],
  concurrency: number,
  execute: (task: T) => Promise<TaskOutcome>,
  options: ScheduleOptions<T> = {},
): Promise<Map<string, FinalOutcome>> {
  const byPriority = [...tasks].sort((a, b) => b.priority - a.priority);
  const outcomes = new Map<string, FinalOutcome>();
  const running = new Map<string, Promise<void>>();
  const now = options.now ?? Date.now;
  const headStartMs = options.headStartMs ?? 0;
  // Tasks that became ready with a leader of a longer chain, and the moment their wait for it ends.
  const heldUntil = new Map<string, number>();

  while (outcomes.size < tasks.length) {
    let held = false;
    let progressed = true;
    while (progressed) {
      progressed = false;
      let leader: number | undefined;
      for (const task of byPriority) {
        if (outcomes.has(task.id) || running.has(task.id)) continue;
        const blockedBy = task.needs.find(
          (need) => outcomes.get(need) === 'failed' || outcomes.get(need) === 'skipped',
        );
        if (blockedBy) {
          outcomes.set(task.id, 'skipped');
          options.onSkipped?.(task, blockedBy);
          progressed = true;
          continue;
        }
        if (running.size >= concurrency || !(options.mayStart?.() ?? true)) continue;
        if (!task.needs.every((need) => outcomes.get(need) === 'succeeded')) continue;
        if (!task.idle && headStartMs > 0 && !heldUntil.has(task.id) && leader !== undefined && task.priority < leader)
          heldUntil.set(task.id, now() + headStartMs);
        if ((heldUntil.get(task.id) ?? 0) > now()) {
          held = true;
          continue;
        }
        if (!task.idle) leader ??= task.priority;
        running.set(
          task.id,
          execute(task)
            .catch((): TaskOutcome => 'failed')
            .then((outcome) => {
              outcomes.set(task.id, outcome);
              running.delete(task.id);
            }),
        );
        progressed = true;
      }
    }
    if (running.size === 0 && !held) break;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Held tasks wake the loop when the first of their head starts is over, if nothing running ends before.
    const firstHeadStartOver = Math.min(
      ...[...heldUntil.values()].map((until) => until - now()).filter((ms) => ms > 0),
    );
    const headStartOver = held
      ? [new Promise<void>((resolve) => (timer = setTimeout(resolve, firstHeadStartOver)))]
      : [];
    await Promise.race([...running.values(), ...headStartOver]);
    clearTimeout(timer);
  }
  return outcomes;
}

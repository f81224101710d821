export interface DagTask {
  id: string;
  /** Ids of tasks that must succeed first, all of them in the task list (the plan has cut needs to the selection). */
  needs: readonly string[];
  /** Among ready tasks, the highest starts first: the plan's chain length, so the critical chain never waits for leaves. */
  priority: number;
}

export type TaskOutcome = 'succeeded' | 'failed';
export type FinalOutcome = TaskOutcome | 'skipped';

export interface ScheduleEvents<T extends DagTask> {
  /** A task was skipped because `blockedBy`, which it needs, failed or was skipped. */
  onSkipped?(task: T, blockedBy: string): void;
  /** Asked before each start: false stops starting tasks (an interrupted run); running ones finish. */
  mayStart?(): boolean;
}

/**
 * Runs each task as soon as everything it needs has succeeded, at most `concurrency` at a time, starting the ready
 * task with the highest priority first (list order breaks ties). Not level by level: a slow release holds back only
 * the releases that need it. Tasks never started (see mayStart) are missing from the outcomes.
 */
export async function runInDependencyOrder<T extends DagTask>(
  tasks: readonly T[],
  concurrency: number,
  execute: (task: T) => Promise<TaskOutcome>,
  events: ScheduleEvents<T> = {},
): Promise<Map<string, FinalOutcome>> {
  const byPriority = [...tasks].sort((a, b) => b.priority - a.priority);
  const outcomes = new Map<string, FinalOutcome>();
  const running = new Map<string, Promise<void>>();

  while (outcomes.size < tasks.length) {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const task of byPriority) {
        if (outcomes.has(task.id) || running.has(task.id)) continue;
        const blockedBy = task.needs.find((need) => outcomes.get(need) === 'failed' || outcomes.get(need) === 'skipped');
        if (blockedBy) {
          outcomes.set(task.id, 'skipped');
          events.onSkipped?.(task, blockedBy);
          progressed = true;
          continue;
        }
        if (running.size >= concurrency || !(events.mayStart?.() ?? true)) continue;
        if (!task.needs.every((need) => outcomes.get(need) === 'succeeded')) continue;
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
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return outcomes;
}

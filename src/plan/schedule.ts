export interface DagTask {
  id: string;
  /** Ids of tasks that must succeed first; ids outside the task list are ignored. */
  needs: readonly string[];
}

export type TaskOutcome = 'succeeded' | 'failed';
export type FinalOutcome = TaskOutcome | 'skipped';

export interface ScheduleEvents<T extends DagTask> {
  /** A task was skipped because `blockedBy`, which it needs, failed or was skipped. */
  onSkipped?(task: T, blockedBy: string): void;
}

/**
 * Runs each task as soon as everything it needs has succeeded, at most `concurrency` at a time, starting ready
 * tasks in list order. Not level by level: a slow release holds back only the releases that need it.
 */
export async function runInDependencyOrder<T extends DagTask>(
  tasks: readonly T[],
  concurrency: number,
  execute: (task: T) => Promise<TaskOutcome>,
  events: ScheduleEvents<T> = {},
): Promise<Map<string, FinalOutcome>> {
  const ids = new Set(tasks.map((task) => task.id));
  const outcomes = new Map<string, FinalOutcome>();
  const running = new Map<string, Promise<void>>();
  const relevantNeeds = (task: T) => task.needs.filter((need) => ids.has(need));

  while (outcomes.size < tasks.length) {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const task of tasks) {
        if (outcomes.has(task.id) || running.has(task.id)) continue;
        const blockedBy = relevantNeeds(task).find((need) => outcomes.get(need) === 'failed' || outcomes.get(need) === 'skipped');
        if (blockedBy) {
          outcomes.set(task.id, 'skipped');
          events.onSkipped?.(task, blockedBy);
          progressed = true;
          continue;
        }
        if (running.size >= concurrency) continue;
        if (!relevantNeeds(task).every((need) => outcomes.get(need) === 'succeeded')) continue;
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

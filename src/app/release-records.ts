import type { Release } from '../config/types.js';
import type { RecordLabels } from '../helm/kubectl.js';
import { latestStoredReleases } from '../helm/records.js';
import type { ReleaseRecord } from '../plan/sync-plan.js';
import type { ClusterDeps } from './deps.js';

/** helm's records of the releases a run writes. */
export interface ReleaseRecords {
  /** A release's record as it is now. */
  current(release: Release): Promise<ReleaseRecord | undefined>;
  /**
   * Whether helm's record of a release reached `deployed` past `previous` once helm said it succeeded: a write is
   * reported only when its record agrees.
   */
  deployedAfter(
    release: Release,
    previous: number | undefined,
  ): Promise<{ deployed: true } | { deployed: false; seen: string }>;
  stop(): void;
}

/** How long a watched write may take to show, after helm ends, before its record is read instead. */
const WATCH_GRACE_MS = 500;

/**
 * helm's records read one by one, or, with `watched` namespaces, also watched for the run: a write's confirmation
 * is then the record change helm made before it ended, with no process of its own on the release's critical path.
 * Only a change to `deployed` past the previous revision counts; anything else (a refused record update leaves it
 * pending) is confirmed by reading the record, which is always the last word.
 */
export async function releaseRecords(deps: ClusterDeps, watched: readonly string[] = []): Promise<ReleaseRecords> {
  const driver = deps.storageDriver;
  const current = async (release: Release) => {
    if (driver === 'other') return deps.helm.find(release);
    return latestStoredReleases(await deps.kubectl.helmStorage(release.namespace, driver, release.name), driver).get(
      release.name,
    )?.record;
  };
  const deployed = new Map<string, number>();
  const waiting = new Set<() => void>();
  const onRecord = (namespace: string) => (record: RecordLabels) => {
    if (record.status !== 'deployed') return;
    const key = `${namespace}/${record.name}`;
    deployed.set(key, Math.max(deployed.get(key) ?? 0, record.revision));
    for (const wake of waiting) wake();
  };
  // A watch that ends early (not allowed to watch, the server closed it) only sends its writes to the read.
  const live = new Set<string>();
  const streams =
    driver === 'other'
      ? []
      : await Promise.all(
          watched.map(async (namespace) => {
            const stream = await deps.kubectl
              .watchHelmRecords(namespace, driver, onRecord(namespace))
              .catch(() => undefined);
            if (!stream) return undefined;
            live.add(namespace);
            void stream.ended.then(() => {
              live.delete(namespace);
              for (const wake of waiting) wake();
            });
            return stream;
          }),
        );
  const seenDeployed = (release: Release, previous: number | undefined) =>
    (deployed.get(release.id) ?? 0) > (previous ?? 0);

  return {
    current,
    async deployedAfter(release, previous) {
      if (live.has(release.namespace) && !seenDeployed(release, previous)) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            if (!seenDeployed(release, previous) && live.has(release.namespace)) return;
            clearTimeout(timer);
            waiting.delete(wake);
            resolve();
          };
          const timer = setTimeout(() => {
            waiting.delete(wake);
            resolve();
          }, WATCH_GRACE_MS);
          waiting.add(wake);
        });
      }
      if (seenDeployed(release, previous)) return { deployed: true };
      const record = await current(release);
      if (record?.status === 'deployed' && record.revision > (previous ?? 0)) return { deployed: true };
      return {
        deployed: false,
        seen: record ? `${record.status} at revision ${record.revision}` : 'not recorded at all',
      };
    },
    stop() {
      for (const stream of streams) stream?.stop();
    },
  };
}

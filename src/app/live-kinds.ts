import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { KindsByScope } from '../kube/objects.js';
import { keep, recallJson, rememberedFolder } from '../tools/cache-files.js';

/**
 * Which kinds the live objects of an environment's releases in a namespace had last time: a guess that lets a run
 * list them while it still reads helm's records, instead of after. Only a hint: a guess that does not cover what
 * the records name is read again, so a wrong one costs a request, never a wrong answer.
 */
export interface KindsMemory {
  recall(namespace: string): KindsByScope | undefined;
  remember(namespace: string, kinds: KindsByScope): void;
}

/** Remembers nothing: every live read waits for helm's records. */
export const noKindsMemory: KindsMemory = { recall: () => undefined, remember: () => undefined };

/** Kept in the cache folder (0700, files 0600), one small file per environment and namespace. */
export function cachedKindsMemory(environment: string): KindsMemory {
  const dir = rememberedFolder('live-kinds');
  const file = (namespace: string) =>
    join(dir, `${createHash('sha256').update(`${environment}\0${namespace}`).digest('hex').slice(0, 32)}.json`);
  return {
    recall: (namespace) => recallJson<KindsByScope>(file(namespace)),
    remember: (namespace, kinds) => keep(file(namespace), JSON.stringify(kinds)),
  };
}

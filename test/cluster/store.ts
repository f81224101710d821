/**
 * The emulator's state: objects by type/namespace/name, one global resourceVersion counter, and the ordered
 * event history that watches replay from and subscribe to.
 */
import { clone } from './json.js';
import type { KubeObject, ResourceType } from './kinds.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resourceType: ResourceType;
  object: KubeObject;
  /** The object as it was before this event (MODIFIED and DELETED). */
  previous?: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

/** Events kept for watches that resume from a resourceVersion; older ones answer 410 Gone. */
const historyLimit = 20_000;

export function typeKey(type: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${type.group}/${type.resource}`;
}

function objectKey(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${typeKey(type)}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
}

export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private revision = 1;

  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can resume from. */
  get oldestResumableVersion(): number {
    return (this.history[0]?.resourceVersion ?? this.revision + 1) - 1;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects.get(objectKey(type, namespace, name));
    return object && clone(object);
  }

  /**
   * Objects of a type, in one namespace or (undefined) all, sorted by namespace then name like etcd keys; with
   * `matches` (a selector), only those it accepts, which alone are copied.
   */
  list(type: ResourceType, namespace?: string, matches: (object: KubeObject) => boolean = () => true): KubeObject[] {
    const prefix = `${typeKey(type)}/${type.namespaced && namespace !== undefined ? `${namespace}/` : ''}`;
    return [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && matches(object))
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([, object]) => clone(object));
  }

  /** Store a new or changed object: bumps the resourceVersion and notifies watchers. Returns the stored copy. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    const key = objectKey(type, object.metadata.namespace, object.metadata.name ?? '');
    const previous = this.objects.get(key);
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', resourceType: type, object: stored, previous, resourceVersion: this.revision });
    return clone(stored);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(type, namespace, name);
    const previous = this.objects.get(key);
    if (!previous) return undefined;
    this.objects.delete(key);
    const removed = clone(previous);
    removed.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resourceType: type, object: removed, previous, resourceVersion: this.revision });
    return clone(removed);
  }

  /** Every stored object of every type, for garbage collection and namespace deletion. */
  everything(): KubeObject[] {
    return [...this.objects.values()].map((object) => clone(object));
  }

  /** Events after `resourceVersion`, or undefined when they are no longer in the history (410 Gone). */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestResumableVersion) return undefined;
    return this.history.filter((event) => event.resourceVersion > resourceVersion);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
    for (const listener of [...this.listeners]) listener(event);
  }
}

/**
 * Watch streams: newline-delimited `{"type","object"}` events over a chunked response. Supports WatchList
 * (sendInitialEvents=true → ADDED for every object, then a BOOKMARK carrying `k8s.io/initial-events-end`),
 * classic watches that start with synthetic ADDED events (no resourceVersion, or "0"), and resuming from a
 * resourceVersion (replaying later events, or 410 Expired when they are gone).
 */
import type { ServerResponse } from 'node:http';
import { apiVersionOf, type KubeObject, type ResourceType } from './kinds.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { typeKey, type ObjectStore, type StoreEvent } from './store.js';
import { StatusError } from './status-error.js';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  query: URLSearchParams;
}

/** Open watch responses, so stopping the emulator can end them. */
export class WatchHub {
  private readonly open = new Set<ServerResponse>();

  constructor(private readonly store: ObjectStore) {}

  get openCount(): number {
    return this.open.size;
  }

  serve(response: ServerResponse, { type, namespace, query }: WatchRequest): void {
    const labels = parseLabelSelector(query.get('labelSelector'));
    const fields = parseFieldSelector(query.get('fieldSelector'));
    const matches = (object: KubeObject | undefined): boolean =>
      object !== undefined &&
      (!type.namespaced || namespace === undefined || object.metadata.namespace === namespace) &&
      labels(object.metadata.labels ?? {}) &&
      fields(object);
    const requestedVersion = query.get('resourceVersion') ?? '';
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '1800');

    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' });
    // Clients block until the headers arrive, even when there is nothing to replay yet.
    response.flushHeaders();
    const send = (eventType: string, object: unknown): void => {
      response.write(`${JSON.stringify({ type: eventType, object })}\n`);
    };

    const forward = (event: StoreEvent): void => {
      if (typeKey(event.resourceType) !== typeKey(type)) return;
      const now = matches(event.object);
      const before = matches(event.previous);
      if (event.type === 'DELETED') {
        if (before || now) send('DELETED', event.object);
      } else if (now) {
        send(event.type === 'MODIFIED' && !before ? 'ADDED' : event.type, event.object);
      } else if (before) {
        // The object stopped matching the selector: watchers see it leave.
        send('DELETED', event.object);
      }
    };

    if (sendInitialEvents || requestedVersion === '' || requestedVersion === '0') {
      for (const object of this.store.list(type, namespace, matches)) send('ADDED', object);
      if (sendInitialEvents) {
        send('BOOKMARK', {
          kind: type.kind,
          apiVersion: apiVersionOf(type),
          metadata: { resourceVersion: String(this.store.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      const missed = this.store.eventsSince(Number(requestedVersion));
      if (!missed) {
        const expired = new StatusError(410, 'Expired', `too old resource version: ${requestedVersion} (${this.store.oldestResumableVersion})`);
        send('ERROR', expired.toStatus());
        response.end();
        return;
      }
      for (const event of missed) forward(event);
    }

    const unsubscribe = this.store.subscribe(forward);
    this.open.add(response);
    const finish = (): void => {
      clearTimeout(timer);
      unsubscribe();
      this.open.delete(response);
      if (!response.writableEnded) response.end();
    };
    const timer = setTimeout(finish, timeoutSeconds * 1000);
    response.on('close', finish);
  }

  closeAll(): void {
    for (const response of [...this.open]) response.end();
  }
}

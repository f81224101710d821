import type { Emulator } from '../cluster/emulator.js';

/** A JSON merge patch of an API path (an object, or its /status as a controller writes it), as a client sends it. */
export async function mergePatch(emulator: Pick<Emulator, 'url'>, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.url}${path}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`PATCH ${path}: ${response.status} ${await response.text()}`);
}

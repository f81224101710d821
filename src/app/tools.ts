import type { PinnedToolName } from '../tools/pinned.js';
import type { ResolvedTool } from '../tools/resolve.js';

/** A tool as this run would use it, or why it cannot be found. */
export type ToolLookup = ResolvedTool | { name: string; error: Error };

/** `version`: the helm and kubectl this run would use, each found as a run finds it, or the reason it is missing. */
export function lookUpTools(tool: (name: PinnedToolName) => Promise<ResolvedTool>): Promise<ToolLookup[]> {
  return Promise.all(
    (['helm', 'kubectl'] as const).map((name) => tool(name).catch((error: Error): ToolLookup => ({ name, error }))),
  );
}

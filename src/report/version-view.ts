import type { ToolLookup } from '../app/index.js';
import type { ResolvedTool } from '../tools/resolve.js';
import { renderTable } from './table.js';

const sourceLabel: Record<ResolvedTool['source'], string> = {
  flag: '--helm-binary',
  env: 'environment variable',
  path: 'PATH',
  pinned: 'pinned by boutique',
};

/** `boutique version`: each component, its version, and where it came from. */
export function renderVersions(boutique: { version: string; root: string }, tools: readonly ToolLookup[]): string {
  const rows = tools.map((tool) =>
    'error' in tool
      ? [tool.name, '-', '-', tool.error.message]
      : [tool.name, tool.version, sourceLabel[tool.source], tool.path],
  );
  return renderTable(
    ['COMPONENT', 'VERSION', 'SOURCE', 'PATH'],
    [['boutique', boutique.version, '-', boutique.root], ...rows],
  );
}

export function versionsJson(boutique: { version: string; root: string }, tools: readonly ToolLookup[]): object[] {
  return [
    { name: 'boutique', version: boutique.version, path: boutique.root },
    ...tools.map((tool) => ('error' in tool ? { name: tool.name, error: tool.error.message } : tool)),
  ];
}

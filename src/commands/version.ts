import { BoutiqueCommand } from '../cli/base-command.js';
import type { ResolvedTool } from '../tools/resolve.js';
import { renderTable } from '../report/table.js';

const sourceLabel: Record<ResolvedTool['source'], string> = {
  flag: '--helm-binary',
  env: 'environment variable',
  path: 'PATH',
  pinned: 'pinned by boutique',
};

export default class Version extends BoutiqueCommand {
  static override description = 'Print the versions of boutique, helm and kubectl, and where each came from.';

  async run(): Promise<void> {
    await this.parseFlags(Version);
    const tools = await Promise.all((['helm', 'kubectl'] as const).map((name) => this.wiring().tool(name).catch((error: Error) => ({ name, error }))));
    const rows = tools.map((tool) => ('error' in tool ? [tool.name, '-', '-', tool.error.message] : [tool.name, tool.version, sourceLabel[tool.source], tool.path]));
    this.envelope.results = [{ name: 'boutique', version: this.config.version, path: this.config.root }, ...tools.map((tool) => ('error' in tool ? { name: tool.name, error: tool.error.message } : tool))];
    if (!this.json) process.stdout.write(renderTable(['COMPONENT', 'VERSION', 'SOURCE', 'PATH'], [['boutique', this.config.version, '-', this.config.root], ...rows]));
  }
}

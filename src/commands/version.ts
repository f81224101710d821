import { lookUpTools } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderVersions, versionsJson } from '../report/version-view.js';

export default class Version extends BoutiqueCommand {
  static override description = 'Print the versions of boutique, helm and kubectl, and where each came from.';

  protected async outcome(): Promise<Outcome> {
    await this.parseFlags(Version);
    const wiring = await this.wiring();
    const tools = await lookUpTools((name) => wiring.tool(name));
    const boutique = { version: this.config.version, root: this.config.root };
    return {
      summary: { version: boutique.version, toolsMissing: tools.filter((tool) => 'error' in tool).length },
      results: versionsJson(boutique, tools),
      text: renderVersions(boutique, tools),
    };
  }
}

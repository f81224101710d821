import { Flags } from '@oclif/core';
import { promoteVersions } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { renderVersionsEdit, versionsEditReport } from '../report/versions-view.js';

export default class Promote extends BoutiqueCommand {
  static override description =
    "Copy the image versions that are deployed and ready in one environment's cluster into another environment's versions file, printing the change as a diff. Refuses, naming them, releases that are not healthy in the source.";

  static override flags = {
    from: Flags.string({ description: 'environment to read what runs from (in its own kubeContext)', required: true }),
    to: Flags.string({ description: 'environment whose versions file to write', required: true }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Promote);
    const source = this.loadConfig(flags.from);
    const { config: target, plan } = this.loadPlan(flags.to);
    const edit = await promoteVersions({
      source,
      target,
      plan,
      deps: (await this.sourceWiring(source)).cluster(),
      concurrency: this.globalFlags.concurrency,
    });
    return {
      results: [versionsEditReport(edit, flags.from)],
      text: renderVersionsEdit(edit),
      summary: await this.warnOnUnreadVersions(target, edit.changes),
    };
  }
}

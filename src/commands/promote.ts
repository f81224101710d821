import { Flags } from '@oclif/core';
import { BoutiqueCommand } from '../cli/base-command.js';
import { promoteVersions } from '../promote/promote.js';
import { renderVersionsEdit, versionsEditReport } from '../promote/versions-view.js';

export default class Promote extends BoutiqueCommand {
  static override description =
    "Copy the image versions that are deployed and ready in one environment's cluster into another environment's versions file, printing the change as a diff. Refuses, naming them, releases that are not healthy in the source.";

  static override flags = {
    from: Flags.string({ description: 'environment to read what runs from (in its own kubeContext)', required: true }),
    to: Flags.string({ description: 'environment whose versions file to write', required: true }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseFlags(Promote);
    const source = this.loadConfig(flags.from);
    const { config: target, plan } = this.loadPlan(flags.to);
    const edit = await promoteVersions({ source, target, plan, deps: (await this.sourceWiring(source)).cluster(), concurrency: this.globalFlags.concurrency });
    this.envelope.results = [versionsEditReport(edit, flags.from)];
    if (!this.json) process.stdout.write(renderVersionsEdit(edit));
    await this.warnOnUnreadVersions(target, edit.changes);
  }
}

import { Args } from '@oclif/core';
import { findRelease } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { renderTable } from '../report/table.js';

export default class History extends BoutiqueCommand {
  static override description = 'Show the revisions helm keeps of a release (helm history): the numbers boutique rollback takes.';

  static override args = {
    release: Args.string({ description: 'release name or namespace/name', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parseFlags(History);
    const config = this.loadConfig();
    const release = findRelease(config, args.release);
    const revisions = await (await this.wiring(config)).helm().history(release);
    this.envelope.summary = { revisions: revisions.length };
    this.envelope.results = [{ id: release.id, revisions }];
    if (this.json) return;
    process.stdout.write(
      renderTable(
        ['REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION', 'DESCRIPTION'],
        revisions.map((revision) => [String(revision.revision), revision.updated, revision.status, revision.chart, revision.app_version || '-', revision.description]),
      ),
    );
  }
}

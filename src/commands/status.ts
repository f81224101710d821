import { releaseStatuses } from '../app/status.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import { renderTable } from '../report/table.js';

export default class Status extends BoutiqueCommand {
  static override description = 'Show each selected release as deployed (revision, helm status, chart, app version) and whether the cluster is in sync with releases.yaml.';

  async run(): Promise<void> {
    await this.parseFlags(Status);
    const { config, plan } = this.loadPlan();
    const deps = await this.createClusterDeps(config);
    const statuses = await releaseStatuses(plan.releases, deps, { concurrency: this.globalFlags.concurrency });
    if (this.outputFormat === 'json') {
      this.printJson(
        statuses.map(({ release, helm, status, error }) => ({
          id: release.id, name: release.name, namespace: release.namespace, sync: status,
          ...(helm && { revision: helm.revision, helmStatus: helm.status, chart: `${helm.chart}-${helm.version}`, appVersion: helm.appVersion, updated: helm.deployedAt }),
          ...(error && { error: error.message }),
        })),
      );
      return;
    }
    process.stdout.write(
      renderTable(
        ['NAME', 'NAMESPACE', 'REVISION', 'STATUS', 'CHART', 'APP VERSION', 'UPDATED', 'SYNC'],
        statuses.map(({ release, helm, status, error }) => [
          release.name, release.namespace, helm ? String(helm.revision) : '-', helm?.status ?? '-', helm ? `${helm.chart}-${helm.version}` : '-', helm?.appVersion || '-',
          helm?.deployedAt ?? '-', error ? `unknown: ${error.message.split('\n')[0]}` : status,
        ]),
      ),
    );
  }
}

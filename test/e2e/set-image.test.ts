import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boutique } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { helmBinary } from '../support/tools.js';

/** The shipped system plus `static`, whose chart renders one ConfigMap and reads no image values. */
function withStaticChart() {
  const system = copyShippedSystem();
  const chart = join(system.dir, 'charts', 'static');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: static\nversion: 0.1.0\n');
  writeFileSync(join(chart, 'values.yaml'), 'app:\n  version: none\n');
  writeFileSync(
    join(chart, 'templates', 'configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: static\ndata:\n  version: {{ .Values.app.version | quote }}\n',
  );
  system.edit('releases.yaml', (text) => `${text.trimEnd()}\n  - name: static\n    chart: ./charts/static\n`);
  return system;
}

describe('set-image on a chart that does not read image.tag', () => {
  const run = (dir: string, args: string[]) => boutique(args, { cwd: dir, env: { BOUTIQUE_HELM: helmBinary() } });

  it('warns, naming versionKeys, and only for that release', async () => {
    const system = withStaticChart();
    const result = await run(system.dir, ['set-image', '-e', 'dev', 'static=3f2a1c9', 'frontend=3f2a1c9']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "warning: boutique-dev/static renders the same with 3f2a1c9: its chart does not read image.tag, so a sync applies nothing new; set versionKeys on the release in releases.yaml to the chart's own image keys\n",
    );
    expect(result.stderr).not.toContain('frontend');
    const json = await run(system.dir, ['set-image', '-e', 'dev', 'static=4b5c6d7', '-o', 'json']);
    expect(JSON.parse(json.stdout).summary).toEqual({ changed: 1, unread: 1 });
  });

  it('says nothing once versionKeys point where the chart reads the version', async () => {
    const system = withStaticChart();
    system.edit('releases.yaml', (text) =>
      text.replace(
        '    chart: ./charts/static\n',
        '    chart: ./charts/static\n    versionKeys: { tag: app.version }\n',
      ),
    );
    const result = await run(system.dir, ['set-image', '-e', 'dev', 'static=3f2a1c9', '-o', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('warning');
    expect(JSON.parse(result.stdout).summary).toEqual({ changed: 1, unread: 0 });
  });
});

import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boutique } from '../support/cli.js';
import { helmBinary } from '../support/tools.js';

/** A chart repository on 127.0.0.1: a packaged chart and its index.yaml, served as static files. */
async function serveChartRepository(): Promise<{ url: string; chartArchive: string; server: Server }> {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-repo-'));
  mkdirSync(join(dir, 'src', 'web', 'templates'), { recursive: true });
  writeFileSync(
    join(dir, 'src', 'web', 'Chart.yaml'),
    'apiVersion: v2\nname: web\nversion: 0.2.0\nappVersion: "1.27"\n',
  );
  writeFileSync(join(dir, 'src', 'web', 'values.yaml'), 'greeting: hello\n');
  writeFileSync(
    join(dir, 'src', 'web', 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
  );
  const published = join(dir, 'published');
  await execa(helmBinary(), ['package', join(dir, 'src', 'web'), '--destination', published]);
  const server = createServer((request, response) => {
    try {
      response.end(readFileSync(join(published, (request.url ?? '/').replace(/^\/+/, ''))));
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await execa(helmBinary(), ['repo', 'index', published, '--url', url]);
  return { url, chartArchive: join(published, 'web-0.2.0.tgz'), server };
}

describe('charts from a repository', () => {
  let repository: Awaited<ReturnType<typeof serveChartRepository>>;
  beforeAll(async () => {
    repository = await serveChartRepository();
  });
  afterAll(() => new Promise<void>((resolve) => repository.server.close(() => resolve())));

  it('adds the declared repository and renders repo/chart@version as helm renders the package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-repo-system-'));
    const helmHome = mkdtempSync(join(tmpdir(), 'boutique-helm-home-'));
    const env = {
      BOUTIQUE_HELM: helmBinary(),
      HELM_CONFIG_HOME: join(helmHome, 'config'),
      HELM_CACHE_HOME: join(helmHome, 'cache'),
      HELM_DATA_HOME: join(helmHome, 'data'),
    };
    writeFileSync(
      join(dir, 'releases.yaml'),
      `repositories:\n  - { name: shared, url: "${repository.url}" }\nreleases:\n  - name: greeter\n    chart: shared/web@0.2.0\n    values: [{ greeting: bonjour }]\n`,
    );
    const result = await boutique(['template'], { cwd: dir, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const direct = await execa(
      helmBinary(),
      ['template', 'greeter', repository.chartArchive, '--namespace', 'default', '--set', 'greeting=bonjour'],
      { stripFinalNewline: false },
    );
    expect(result.stdout).toBe(`# boutique: release default/greeter (chart shared/web@0.2.0)\n${direct.stdout}`);
    expect(result.stdout).toContain('greeting: "bonjour"');
    expect(readFileSync(join(helmHome, 'config', 'repositories.yaml'), 'utf8')).toContain(`url: ${repository.url}`);
  });
});

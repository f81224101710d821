import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpus, type BadInput } from '../bad-input/corpus.js';
import { normalizeOutput, writeProject } from '../bad-input/run.js';
import { boutique, fakeExecutable } from '../support/cli.js';

/** An HTTP server on 127.0.0.1 that counts the TCP connections made to it. */
async function countingServer(): Promise<{ url: string; connections: () => number; server: Server }> {
  let connections = 0;
  const server = createServer((_, response) => response.end('{}'));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections, server };
}

/**
 * The representative subset of the corpus through the built CLI, with a helm and a kubectl that leave a marker
 * file (and call the fake repository, as a real one would), a kubeconfig naming a fake cluster, and a private
 * TMPDIR: bad input must print exactly the corpus's output, exit 2, start neither tool and connect nowhere.
 */
describe('broken inputs through the CLI contact nothing', () => {
  let cluster: Awaited<ReturnType<typeof countingServer>>;
  let repository: Awaited<ReturnType<typeof countingServer>>;
  let markers: string;
  let env: Record<string, string>;
  let privateTmp: string;
  let kubeconfig: string;

  beforeAll(async () => {
    [cluster, repository] = await Promise.all([countingServer(), countingServer()]);
    markers = mkdtempSync(join(tmpdir(), 'boutique-markers-'));
    privateTmp = mkdtempSync(join(tmpdir(), 'boutique-private-tmp-'));
    const tool = (name: string) =>
      fakeExecutable(
        name,
        `require('node:fs').writeFileSync(require('node:path').join(${JSON.stringify(markers)}, '${name}-' + process.pid), process.argv.slice(2).join(' '));\nfetch(${JSON.stringify(repository.url)}).finally(() => process.exit(1));`,
      ).path;
    kubeconfig = join(markers, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{ name: fake, cluster: { server: "${cluster.url}" } }]\nusers: [{ name: fake, user: { token: t } }]\ncontexts: [{ name: fake, context: { cluster: fake, user: fake } }]\ncurrent-context: fake\n`,
    );
    env = {
      BOUTIQUE_HELM: tool('helm'),
      BOUTIQUE_KUBECTL: tool('kubectl'),
      KUBECONFIG: kubeconfig,
      TMPDIR: privateTmp,
    };
  });

  afterAll(async () => {
    await Promise.all(
      [cluster, repository].map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    for (const dir of [markers, privateTmp]) rmSync(dir, { recursive: true, force: true });
  });

  async function run(row: BadInput) {
    const dir = writeProject(row, repository.url);
    try {
      const result = await boutique(
        (row.args ?? ['sync']).map((arg) => arg.replaceAll('<dir>', dir)),
        { cwd: dir, env },
      );
      return { ...result, output: normalizeOutput(result.stderr, dir) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const subset = corpus.filter((row) => row.cli);

  it('runs a representative subset of at least 10 rows', () => {
    expect(subset.length).toBeGreaterThanOrEqual(10);
  });

  it.each(subset.map((row) => [row.name, row] as const))('%s', async (_, row) => {
    const result = await run(row);
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.output).toBe(row.expected);
    if (/^\S+:\d+:\d+: /m.test(result.stderr))
      expect(result.stderr).toMatch(/nothing was sent to helm or the cluster\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at |This is a bug/);
    expect(readdirSync(markers)).toEqual(['kubeconfig']);
    expect(readdirSync(privateTmp)).toEqual([]);
    expect(cluster.connections() + repository.connections()).toBe(0);
  });

  // The proof has teeth: the same project, fixed, reaches helm, which leaves its marker and calls the repository.
  it('sees helm start and the repository called once the input is valid', async () => {
    const result = await run({
      name: 'valid',
      files: { 'releases.yaml': 'releases:\n  - name: web\n    chart: ./charts/web\n' },
      args: ['template'],
      expected: '',
    });
    expect(result.exitCode).not.toBe(0);
    expect(readdirSync(markers).some((file) => file.startsWith('helm-'))).toBe(true);
    await expect.poll(() => repository.connections()).toBeGreaterThan(0);
    for (const file of readdirSync(markers).filter((name) => name !== 'kubeconfig')) rmSync(join(markers, file));
  });
});

import { execa } from 'execa';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';

const packageJson = { name: 'shop-deploy', version: '1.0.0', private: true };

describe('installing boutique into another repository', () => {
  it('packs, installs with npm i -D from the tarball, and runs as boutique from node_modules/.bin, as the README says', async () => {
    const packDir = mkdtempSync(join(tmpdir(), 'boutique-pack-'));
    // The tests run the built dist/; --ignore-scripts keeps prepack from rebuilding it under the other suites.
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
      cwd: repoRoot,
    });
    const [packed] = JSON.parse(String(pack.stdout)) as Array<{
      name: string;
      filename: string;
      files: Array<{ path: string }>;
    }>;
    expect(packed!.name).toBe('@boutique-dev/cli');
    const files = packed!.files.map((file) => file.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/run.cjs',
        'oclif.manifest.json',
        'dist/commands/history.cjs',
        'schema/releases.schema.json',
        'scripts/install-tools.mjs',
      ]),
    );
    expect(files.filter((file) => file.startsWith('test/') || file.startsWith('src/'))).toEqual([]);

    const project = mkdtempSync(join(tmpdir(), 'boutique-user-repo-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify(packageJson));
    for (const entry of ['releases.yaml', 'charts', 'values'])
      cpSync(join(repoRoot, entry), join(project, entry), { recursive: true });
    await execa('npm', ['install', '--save-dev', '--no-audit', '--no-fund', join(packDir, packed!.filename)], {
      cwd: project,
    });
    expect(readdirSync(join(project, 'node_modules', '.bin'))).toContain('boutique');

    // As the README runs it: the project's node_modules/.bin on PATH, no npx.
    const env = { PATH: `${join(project, 'node_modules', '.bin')}:${process.env.PATH}` };
    const help = await execa('sh', ['-c', 'boutique --help'], { cwd: project, env, reject: false });
    expect(help.exitCode, String(help.stderr)).toBe(0);
    expect(String(help.stdout)).toContain('@boutique-dev/cli/0.1.0');
    expect(String(help.stdout)).toMatch(/^ {2}history +/m);
    const graph = await execa('sh', ['-c', 'boutique graph --format mermaid'], { cwd: project, env, reject: false });
    expect(graph.exitCode, String(graph.stderr)).toBe(0);
    expect(String(graph.stdout)).toContain('r10["boutique/frontend"]');
    // The did-you-mean hook ships in the package too.
    const typo = await execa('sh', ['-c', 'boutique grpah'], { cwd: project, env, reject: false });
    expect(typo.exitCode).toBe(127);
    expect(String(typo.stderr)).toContain('grpah is not a boutique command. Did you mean graph?');
  });
});

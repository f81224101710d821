import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { boutique, repoRoot } from '../support/cli.js';
import { copyShippedSystem } from '../support/system.js';
import { helmBinary } from '../support/tools.js';

// Three of the shipped releases as a helmfile user would have written them, plus what boutique cannot convert.
const helmfile = `helmDefaults:
  wait: true
  timeout: 300
  historyMax: 10

environments:
  dev:
    kubeContext: kind-boutique

releases:
  - name: redis-cart
    namespace: boutique
    chart: ./charts/redis
    values: [values/redis-cart.yaml]
    labels: { tier: infra }
  - name: cartservice
    namespace: boutique
    chart: ./charts/microservice
    values: [values/cartservice.yaml]
    needs: [boutique/redis-cart]
    labels: { tier: app }
    hooks:
      - events: [postsync]
        command: ./smoke-test.sh
  - name: adservice
    namespace: boutique
    chart: ./charts/microservice
    values:
      - values/adservice.yaml
      - values/{{ .Environment.Name }}/{{\`{{ .Release.Name }}\`}}.yaml
    set:
      - name: replicaCount
        value: 1
    labels: { tier: app }
`;

describe('boutique import', () => {
  it('writes a releases.yaml that renders exactly what the hand-written one does, and lists what it left out', async () => {
    const system = copyShippedSystem();
    writeFileSync(join(system.dir, 'helmfile.yaml.gotmpl'), helmfile);
    const env = { BOUTIQUE_HELM: helmBinary() };
    const run = (args: string[]) => boutique(args, { cwd: system.dir, env });

    const imported = await run(['import', 'helmfile.yaml.gotmpl', '-f', 'imported.yaml']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stdout).toBe(
      [
        'Wrote imported.yaml: 3 releases, 1 environment, 0 repositories.',
        'Not converted (1):',
        '  helmfile.yaml.gotmpl:22: release cartservice: hooks (postsync): boutique runs no hooks: use a Job with helm.sh/hook annotations in the chart, or a CI step',
        '',
      ].join('\n'),
    );
    const written = readFileSync(join(system.dir, 'imported.yaml'), 'utf8');
    expect(written).toContain('needs:\n      - boutique/redis-cart\n');
    // The editor's schema line names boutique's own schema file, relative to the written file.
    const schema = /^# yaml-language-server: \$schema=(.+)\n/.exec(written)![1]!;
    expect(readFileSync(join(system.dir, schema), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'schema/releases.schema.json'), 'utf8'),
    );

    for (const name of ['redis-cart', 'cartservice', 'adservice']) {
      const fromImport = await run(['template', '-f', 'imported.yaml', '-l', `name=${name}`]);
      const fromShipped = await run(['template', '-l', `name=${name}`]);
      expect(fromImport.exitCode, fromImport.stderr).toBe(0);
      expect(fromImport.stdout, name).toBe(fromShipped.stdout);
      expect(fromImport.stdout).toContain(`kind: Deployment\nmetadata:\n  name: ${name}\n`);
    }
    const graph = await run(['graph', '-f', 'imported.yaml', '-e', 'dev', '-o', 'json']);
    expect(JSON.parse(graph.stdout).results).toEqual([
      {
        level: 0,
        releases: [
          { id: 'boutique/redis-cart', needs: [] },
          { id: 'boutique/adservice', needs: [] },
        ],
      },
      { level: 1, releases: [{ id: 'boutique/cartservice', needs: ['boutique/redis-cart'] }] },
    ]);

    const again = await run(['import', 'helmfile.yaml.gotmpl', '-f', 'imported.yaml']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(
      'Error: imported.yaml exists; boutique import does not overwrite it\n  hint: pass --force to replace it, or -f other.yaml to write elsewhere\n',
    );
    expect(
      (await run(['import', 'helmfile.yaml.gotmpl', '-f', 'imported.yaml', '--force', '-o', 'json'])).exitCode,
    ).toBe(0);
    // --strict: the hook was left out, so the import says so in its exit code.
    const strict = await run([
      'import',
      'helmfile.yaml.gotmpl',
      '-f',
      'imported.yaml',
      '--force',
      '--strict',
      '-o',
      'json',
    ]);
    expect(strict.exitCode).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ ok: false, results: [{ clean: false, notes: [{ line: 22 }] }] });
  });

  it('refuses duplicate keys in values files unless the run or the file allows them, and the import offers both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-import-dups-'));
    cpSync(join(repoRoot, 'test/fixtures/import/corpus/charts'), join(dir, 'charts'), { recursive: true });
    mkdirSync(join(dir, 'values'));
    writeFileSync(join(dir, 'values/web.yaml'), 'replicaCount: 2\nreplicaCount: 3\n');
    writeFileSync(
      join(dir, 'helmfile.yaml'),
      'releases:\n  - name: web\n    chart: ./charts/echo\n    values: [values/web.yaml]\n',
    );
    const env = { BOUTIQUE_HELM: helmBinary() };
    const run = (args: string[]) => boutique(args, { cwd: dir, env });
    const replicas = (output: string) =>
      JSON.parse(
        parseAllDocuments(output)
          .map((doc) => doc.toJS())
          .find((object) => object?.kind === 'ConfigMap').data['values.json'],
      ).replicaCount;

    const imported = await run(['import', '--strict']);
    expect(imported.exitCode).toBe(1);
    expect(imported.stdout).toContain(
      'values/web.yaml:2:1: invalid YAML: the key "replicaCount" appears twice in the same map\n    hint: remove one of the two, or merge their contents: helm silently takes the second. To accept that while migrating, add the line "# boutique: allow-duplicate-keys" to values/web.yaml, or pass --allow-duplicate-keys',
    );
    const refused = await run(['template']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('values/web.yaml:2:1: invalid YAML: the key "replicaCount" appears twice');

    const allowed = await run(['template', '--allow-duplicate-keys']);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(replicas(allowed.stdout)).toBe(3);
    expect((await run(['import', '--strict', '--force', '--allow-duplicate-keys'])).exitCode).toBe(0);

    writeFileSync(join(dir, 'values/web.yaml'), '# boutique: allow-duplicate-keys\nreplicaCount: 2\nreplicaCount: 3\n');
    const marked = await run(['template']);
    expect(marked.exitCode, marked.stderr).toBe(0);
    expect(replicas(marked.stdout)).toBe(3);
    expect((await run(['import', '--strict', '--force'])).exitCode).toBe(0);
  });

  it('--strict checks what it wrote as boutique lint reads it, values against the chart schema included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-import-strict-'));
    cpSync(join(repoRoot, 'test/fixtures/import/corpus/charts'), join(dir, 'charts'), { recursive: true });
    writeFileSync(
      join(dir, 'charts/echo/values.schema.json'),
      JSON.stringify({ type: 'object', properties: { replicaCount: { type: 'integer' } } }),
    );
    writeFileSync(
      join(dir, 'helmfile.yaml'),
      'releases:\n  - name: web\n    chart: ./charts/echo\n    set:\n      - { name: replicaCount, value: two }\n',
    );
    const strict = await boutique(['import', '--strict', '-o', 'json'], { cwd: dir });
    expect(strict.exitCode).toBe(1);
    const [result] = JSON.parse(strict.stdout).results;
    expect(result).toMatchObject({ clean: false, notes: [] });
    expect(result.issues).toEqual([
      expect.objectContaining({
        file: 'releases.yaml',
        line: 10,
        message: 'replicaCount must be an integer, not "two" (release default/web)',
      }),
    ]);
  });

  it('says which line of a broken helmfile it cannot read, and writes nothing', async () => {
    const system = copyShippedSystem();
    writeFileSync(join(system.dir, 'helmfile.yaml'), 'releases:\n  - name: a\n   chart: b\n');
    const result = await boutique(['import', '-f', 'out.yaml'], { cwd: system.dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^helmfile\.yaml:3:\d+: /);
    expect(() => readFileSync(join(system.dir, 'out.yaml'))).toThrow();
  });
});

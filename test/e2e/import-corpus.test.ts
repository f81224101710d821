import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { boutique, repoRoot } from '../support/cli.js';
import { helmBinary } from '../support/tools.js';

// Issue 33: helmfiles shaped like the ones users write, each imported and rendered by boutique, release by release,
// against the values helmfile's semantics give (expected.yaml, worked out by hand). The echo chart prints the
// values helm merged for a release, chart defaults included.
const corpus = join(repoRoot, 'test/fixtures/import/corpus');
const cases = readdirSync(corpus).filter((name) => name !== 'charts');

interface Expected {
  strict: number;
  notes?: number[];
  environments: Record<string, Record<string, unknown>>;
  /** Per environment, release id → its labels and needs as `boutique list` shows them. */
  list?: Record<string, Record<string, { labels: Record<string, string>; needs: string[] }>>;
}

/** `namespace/name` → the values its echo ConfigMap shows, from `boutique template` output. */
function renderedValues(output: string): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const part of output.split(/^# boutique: release /m).slice(1)) {
    const id = part.slice(0, part.indexOf(' '));
    const configMap = parseAllDocuments(part)
      .map((doc) => doc.toJS())
      .find((object) => object?.kind === 'ConfigMap');
    rendered[id] = JSON.parse(configMap.data['values.json']);
  }
  return rendered;
}

describe('boutique import over a corpus of helmfiles', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));

  it.each(cases)('%s: every release renders with the values helmfile gives it, in every environment', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'boutique-import-corpus-'));
    cpSync(corpus, dir, { recursive: true });
    const cwd = join(dir, name);
    const expected = parse(readFileSync(join(cwd, 'expected.yaml'), 'utf8')) as Expected;
    const helmfile = readdirSync(cwd).find((file) => file.startsWith('helmfile.'))!;
    const imported = await boutique(['import', helmfile, '--strict', '-o', 'json'], { cwd });
    expect(imported.exitCode, imported.stdout + imported.stderr).toBe(expected.strict);
    const [result] = JSON.parse(imported.stdout).results;
    expect(
      result.notes.map((note: { line: number }) => note.line),
      JSON.stringify(result.notes),
    ).toEqual(expected.notes ?? []);
    expect(result.issues).toEqual([]);
    for (const [environment, releases] of Object.entries(expected.environments)) {
      const template = await boutique(['template', '-e', environment], { cwd, env: { BOUTIQUE_HELM: helmBinary() } });
      expect(template.exitCode, template.stderr).toBe(0);
      expect(renderedValues(template.stdout), `${name} in ${environment}`).toEqual(releases);
    }
    for (const [environment, releases] of Object.entries(expected.list ?? {})) {
      const list = JSON.parse((await boutique(['list', '-e', environment, '-o', 'json'], { cwd })).stdout).results as {
        id: string;
        labels: Record<string, string>;
        needs: string[];
      }[];
      expect(
        Object.fromEntries(list.map(({ id, labels, needs }) => [id, { labels, needs }])),
        `${name} in ${environment}`,
      ).toEqual(releases);
    }
  });
});

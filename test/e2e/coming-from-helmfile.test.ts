import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { boutique, repoRoot } from '../support/cli.js';

// docs/coming-from-helmfile.md: every helmfile example is imported by the built CLI and must give the releases.yaml
// (and the notes) the page shows; every boutique command and flag the command table names must exist.
const page = readFileSync(join(repoRoot, 'docs/coming-from-helmfile.md'), 'utf8');
const blocks = [...page.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, language, body]) => ({
  language: language!,
  body: body!,
}));
const examples = blocks.flatMap((block, index) => {
  const helmfile = /^# (helmfile\.yaml(?:\.gotmpl)?)\n/.exec(block.body);
  const releases = blocks[index + 1];
  if (!helmfile || !releases?.body.startsWith('# releases.yaml\n')) return [];
  const notes = blocks[index + 2]?.language === 'text' ? blocks[index + 2]!.body.trimEnd().split('\n') : [];
  return [{ file: helmfile[1]!, helmfile: block.body, releases: releases.body, notes }];
});

describe('docs/coming-from-helmfile.md', () => {
  it('shows examples', () => expect(examples.length).toBeGreaterThanOrEqual(4));

  it.each(examples.map((example, index) => [index + 1, example] as const))(
    'example %i converts as the page shows',
    async (_, example) => {
      const dir = mkdtempSync(join(tmpdir(), 'boutique-docs-import-'));
      writeFileSync(join(dir, example.file), example.helmfile);
      const result = await boutique(['import', example.file, '-o', 'json'], { cwd: dir });
      expect(result.exitCode, result.stderr).toBe(0);
      const written = parse(readFileSync(join(dir, 'releases.yaml'), 'utf8'));
      expect(written).toEqual(parse(example.releases));
      const notes = JSON.parse(result.stdout).results[0].notes.map(
        (note: { line: number; message: string }) => `${example.file}:${note.line}: ${note.message}`,
      );
      expect(notes).toEqual(example.notes);
      for (const path of (written.releases as { values?: unknown[] }[]).flatMap((release) => release.values ?? [])) {
        if (typeof path === 'string' && path.startsWith('./imported-values/'))
          expect(readFileSync(join(dir, path), 'utf8')).toMatch(/^# values\[\d\] of release /);
      }
    },
  );

  it('names only commands and flags boutique has', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { flags: Record<string, { char?: string }> }>;
    };
    const table = page.slice(page.indexOf('## Commands'), page.indexOf('## Keys'));
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(10);
    let checked = 0;
    for (const row of rows) {
      const boutiqueColumn = row.split(' | ')[1]!;
      const commands = [...boutiqueColumn.matchAll(/`boutique ([a-z-]+)/g)].map((match) => match[1]!);
      for (const command of commands) expect(manifest.commands, row).toHaveProperty([command]);
      const flags = [...boutiqueColumn.matchAll(/`(--?[a-z-]+)/g)].map((match) => match[1]!);
      for (const flag of flags) {
        const known = Object.entries(
          (commands.length > 0 ? commands : ['list']).reduce<Record<string, { char?: string }>>(
            (all, command) => ({ ...all, ...manifest.commands[command]!.flags }),
            {},
          ),
        ).some(([name, spec]) => flag === `--${name}` || flag === `-${spec.char}`);
        expect(known, `${flag} in ${row}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
});

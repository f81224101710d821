import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import {
  architectureViolations,
  FOLDERS,
  readGlobalUses,
  readImportGraph,
  unusedExceptions,
  type ImportEdge,
} from './import-graph.js';

const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });

describe('layering (docs/architecture.md)', () => {
  it('holds for the code as it is', () => {
    const graph = readImportGraph(join(repoRoot, 'src'));
    expect(graph.length).toBeGreaterThan(100);
    const uses = readGlobalUses(join(repoRoot, 'src'));
    expect(uses.length).toBeGreaterThan(0);
    expect(architectureViolations(graph, uses)).toEqual([]);
    expect(unusedExceptions(graph, uses)).toEqual([]);
  });

  it('classifies every folder under src/', () => {
    const folders = readdirSync(join(repoRoot, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.length).toBeGreaterThan(10);
    expect(folders.filter((folder) => !(folder in FOLDERS))).toEqual([]);
  });

  it('fails an unclassified folder, so new code cannot land outside every rule', () => {
    expect(
      architectureViolations([edge('verbs/deploy.ts', 'config/types.ts'), edge('verbs/undo.ts', 'plan/plan.ts')]),
    ).toEqual([
      'verbs/ is not classified: add it to FOLDERS in test/architecture/import-graph.ts (pure, report, adapter, app, cli or commands)',
    ]);
  });

  it('catches files, network, the process and the clock in a pure folder, and reads them from code', () => {
    const src = mkdtempSync(join(tmpdir(), 'boutique-uses-'));
    mkdirSync(join(src, 'graph'));
    writeFileSync(
      join(src, 'graph', 'walk.ts'),
      "export const at = () => [process.cwd(), Date.now(), new Date(), new Date(0), fetch('https://example.com')];\n",
    );
    const uses = readGlobalUses(src);
    expect(uses).toEqual([
      { from: 'graph/walk.ts', what: 'process.cwd' },
      { from: 'graph/walk.ts', what: 'Date.now' },
      { from: 'graph/walk.ts', what: 'new Date()' },
      { from: 'graph/walk.ts', what: 'fetch' },
    ]);
    expect(
      architectureViolations([edge('gitops/flux.ts', 'node:fs'), edge('import/helmfile.ts', 'node:https')], uses),
    ).toEqual([
      'gitops/flux.ts uses node:fs: gitops/ is pure (no files, network, process or clock)',
      'import/helmfile.ts uses node:https: import/ is pure (no files, network, process or clock)',
      'graph/walk.ts uses process.cwd: graph/ is pure (no files, network, process or clock)',
      'graph/walk.ts uses Date.now: graph/ is pure (no files, network, process or clock)',
      'graph/walk.ts uses new Date(): graph/ is pure (no files, network, process or clock)',
      'graph/walk.ts uses fetch: graph/ is pure (no files, network, process or clock)',
    ]);
  });

  it('lets a named exception do its I/O, and no other file of its folder', () => {
    const exceptions = [
      edge('config/load.ts', 'node:fs'),
      edge('config/load.ts', 'tools/contained-path.ts'),
      edge('config/accepted.ts', 'node:fs'),
      edge('config/accepted.ts', 'tools/cache-files.ts'),
      edge('config/schema.ts', 'node:fs'),
    ];
    const uses = [
      { from: 'config/load.ts', what: 'process.cwd' },
      { from: 'config/load.ts', what: 'process.env' },
    ];
    expect(architectureViolations([...exceptions, edge('config/normalize.ts', 'node:fs')], uses)).toEqual([
      'config/normalize.ts uses node:fs: config/ is pure (no files, network, process or clock)',
    ]);
    expect(unusedExceptions(exceptions, uses)).toEqual([]);
    expect(unusedExceptions(exceptions.slice(1), [])).toEqual([
      'config/load.ts no longer uses node:fs: remove it from PURE_EXCEPTIONS',
      'config/load.ts no longer uses process.cwd: remove it from PURE_EXCEPTIONS',
      'config/load.ts no longer uses process.env: remove it from PURE_EXCEPTIONS',
    ]);
    expect(architectureViolations([edge('config/normalize.ts', 'tools/contained-path.ts')])).toEqual([
      'config/normalize.ts imports tools/contained-path.ts: config/ is pure (no I/O, no process layer, no use cases)',
    ]);
  });

  it('keeps a re-export of a use case in a pure folder out: no door escapes the purity and cycle rules', () => {
    expect(
      architectureViolations([edge('gitops/export.ts', 'app/export.ts'), edge('app/export.ts', 'gitops/convert.ts')]),
    ).toEqual([
      'gitops/export.ts imports app/export.ts: gitops/ is pure (no I/O, no process layer, no use cases)',
      'folder cycle: app -> gitops -> app',
    ]);
  });

  it('reads lazy imports too, so a dynamic import cannot get round a rule', () => {
    const src = mkdtempSync(join(tmpdir(), 'boutique-graph-'));
    mkdirSync(join(src, 'commands'));
    writeFileSync(
      join(src, 'commands', 'sync.ts'),
      "import type { Helm } from '../helm/helm.js';\nexport async function run() {\n  const { execa } = await import('execa');\n  return import('../app/sync.js');\n}\n",
    );
    expect(readImportGraph(src)).toEqual([
      edge('commands/sync.ts', 'helm/helm.ts', true),
      edge('commands/sync.ts', 'execa'),
      edge('commands/sync.ts', 'app/sync.ts'),
    ]);
  });

  it('catches a command that starts a process, reads files, imports an adapter or skips the use-case door', () => {
    const rule =
      'commands import only cli/, app/index.ts, report/ and errors.ts (parse flags, call a use case, return its outcome)';
    expect(
      architectureViolations([
        edge('commands/sync.ts', 'execa'),
        edge('commands/sync.ts', 'node:fs'),
        edge('commands/sync.ts', 'app/sync.ts'),
        edge('commands/sync.ts', 'helm/helm.ts'),
      ]),
    ).toEqual([
      'commands/sync.ts imports execa: only process/runner.ts starts processes',
      `commands/sync.ts imports execa: ${rule}`,
      `commands/sync.ts imports node:fs: ${rule}`,
      `commands/sync.ts imports app/sync.ts: ${rule}`,
      `commands/sync.ts imports helm/helm.ts: ${rule}`,
    ]);
  });

  it('lets a command import only cli/, app/index.ts, report/ and errors.ts: a pure folder is no way round the door', () => {
    const allowed = [
      edge('commands/diff.ts', 'cli/base-command.ts'),
      edge('commands/diff.ts', 'app/index.ts'),
      edge('commands/diff.ts', 'report/diff-view.ts'),
      edge('commands/diff.ts', 'errors.ts'),
      edge('commands/diff.ts', '@oclif/core'),
      edge('commands/diff.ts', 'node:path'),
    ];
    expect(architectureViolations(allowed)).toEqual([]);
    const rule =
      'commands import only cli/, app/index.ts, report/ and errors.ts (parse flags, call a use case, return its outcome)';
    expect(
      architectureViolations([
        edge('commands/diff.ts', 'plan/select.ts'),
        edge('commands/lint.ts', 'lint/index.ts', true),
        edge('commands/export.ts', 'gitops/convert.ts'),
        edge('commands/export.ts', 'node:https'),
      ]),
    ).toEqual([
      `commands/diff.ts imports plan/select.ts: ${rule}`,
      `commands/lint.ts imports lint/index.ts: ${rule}`,
      `commands/export.ts imports gitops/convert.ts: ${rule}`,
      `commands/export.ts imports node:https: ${rule}`,
    ]);
  });

  it('catches I/O in plan, diff and report, and lets views name the types they render', () => {
    expect(
      architectureViolations([
        edge('plan/plan.ts', 'node:fs'),
        edge('diff/drift.ts', 'process/runner.ts'),
        edge('report/sync-view.ts', 'app/sync.ts'),
        edge('report/sync-view.ts', 'app/sync.ts', true),
      ]),
    ).toEqual([
      'plan/plan.ts uses node:fs: plan/ is pure (no files, network, process or clock)',
      'diff/drift.ts imports process/runner.ts: diff/ is pure (no I/O, no process layer, no use cases)',
      'report/sync-view.ts imports app/sync.ts: report/ is a view (no I/O, no process layer, no use cases)',
    ]);
  });

  it('catches a folder cycle, however long', () => {
    expect(
      architectureViolations([
        edge('config/rules.ts', 'lint/index.ts'),
        edge('lint/index.ts', 'text/suggest.ts'),
        edge('text/suggest.ts', 'config/types.ts', true),
      ]),
    ).toEqual(['folder cycle: config -> lint -> text -> config']);
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { architectureViolations, readImportGraph, type ImportEdge } from './import-graph.js';

const edge = (from: string, to: string, typeOnly = false): ImportEdge => ({ from, to, typeOnly });

describe('layering (docs/architecture.md)', () => {
  it('holds for the code as it is', () => {
    const graph = readImportGraph(join(repoRoot, 'src'));
    expect(graph.length).toBeGreaterThan(100);
    expect(architectureViolations(graph)).toEqual([]);
  });

  it('reads lazy imports too, so a dynamic import cannot get round a rule', () => {
    const src = mkdtempSync(join(tmpdir(), 'boutique-graph-'));
    mkdirSync(join(src, 'commands'));
    writeFileSync(join(src, 'commands', 'sync.ts'), "import type { Helm } from '../helm/helm.js';\nexport async function run() {\n  const { execa } = await import('execa');\n  return import('../app/sync.js');\n}\n");
    expect(readImportGraph(src)).toEqual([edge('commands/sync.ts', 'helm/helm.ts', true), edge('commands/sync.ts', 'execa'), edge('commands/sync.ts', 'app/sync.ts')]);
  });

  it('catches a command that starts a process, reads files or skips the use-case door', () => {
    expect(architectureViolations([edge('commands/sync.ts', 'execa'), edge('commands/sync.ts', 'node:fs'), edge('commands/sync.ts', 'app/sync.ts'), edge('commands/sync.ts', 'helm/helm.ts')])).toEqual([
      'commands/sync.ts imports execa: only process/runner.ts starts processes',
      'commands/sync.ts imports execa: commands parse flags, call a use case from app/index.ts and print a view',
      'commands/sync.ts imports node:fs: commands parse flags, call a use case from app/index.ts and print a view',
      'commands/sync.ts imports app/sync.ts: commands parse flags, call a use case from app/index.ts and print a view',
      'commands/sync.ts imports helm/helm.ts: commands parse flags, call a use case from app/index.ts and print a view',
    ]);
  });

  it('catches I/O in plan, diff and report, and lets views name the types they render', () => {
    expect(architectureViolations([edge('plan/plan.ts', 'node:fs'), edge('diff/drift.ts', 'process/runner.ts'), edge('report/sync-view.ts', 'app/sync.ts'), edge('report/sync-view.ts', 'app/sync.ts', true)])).toEqual([
      'plan/plan.ts imports node:fs: plan/ is pure (no I/O, no process layer, no use cases)',
      'diff/drift.ts imports process/runner.ts: diff/ is pure (no I/O, no process layer, no use cases)',
      'report/sync-view.ts imports app/sync.ts: report/ is pure (no I/O, no process layer, no use cases)',
    ]);
  });

  it('catches a folder cycle, however long', () => {
    expect(architectureViolations([edge('config/rules.ts', 'lint/index.ts'), edge('lint/index.ts', 'text/suggest.ts'), edge('text/suggest.ts', 'config/types.ts', true)])).toEqual([
      'folder cycle: config -> lint -> text -> config',
    ]);
  });
});

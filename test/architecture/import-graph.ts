import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of one module: `to` is a path under src/ for relative imports, else the package specifier. */
export interface ImportEdge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every import of every module under `srcDir` (tests left out), read with the TypeScript parser, not by regex. */
export function readImportGraph(srcDir: string): ImportEdge[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  return walk(srcDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .flatMap((file) => {
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
      const edge = (specifier: string, typeOnly: boolean): ImportEdge => {
        const to = specifier.startsWith('.') ? relative(srcDir, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts') : specifier;
        return { from: relative(srcDir, file), to, typeOnly };
      };
      const declared = source.statements.flatMap((statement): ImportEdge[] => {
        if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) return [];
        return [edge(statement.moduleSpecifier.text, ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly)];
      });
      // `await import('x')` loads a module lazily, but it is as much an import as a declaration at the top.
      const dynamic: ImportEdge[] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) dynamic.push(edge(node.arguments[0].text, false));
        ts.forEachChild(node, visit);
      };
      visit(source);
      return [...declared, ...dynamic];
    });
}

/** The folder of a module under src/ (`app/sync.ts` → `app`; `errors.ts` → `.`). */
export const folderOf = (module: string) => (module.includes('/') ? module.slice(0, module.indexOf('/')) : '.');
const isLocal = (specifier: string) => specifier.endsWith('.ts');

const PROCESS_MODULES = new Set(['execa', 'node:child_process', 'child_process']);
const FILE_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises']);
/** Folders of plain domain code: tests call them without helm, kubectl, a cluster or a disk. */
export const PURE_FOLDERS = new Set(['plan', 'diff', 'report', 'lint', 'kube', 'secrets', 'graph', 'text', 'yaml', 'crd', 'health']);
const CLUSTER_FOLDERS = new Set(['helm', 'process', 'tools']);

/**
 * The layering rules of docs/architecture.md, checked on an import graph. Returns one line per broken rule; [] when
 * the graph keeps every rule.
 */
export function architectureViolations(edges: readonly ImportEdge[]): string[] {
  const violations: string[] = [];
  for (const { from, to, typeOnly } of edges) {
    const fromFolder = folderOf(from);
    if (PROCESS_MODULES.has(to) && from !== 'process/runner.ts') violations.push(`${from} imports ${to}: only process/runner.ts starts processes`);
    if (fromFolder === 'commands') {
      const forbidden = PROCESS_MODULES.has(to) || FILE_MODULES.has(to) || to === 'yaml' || (isLocal(to) && CLUSTER_FOLDERS.has(folderOf(to))) || (folderOf(to) === 'app' && to !== 'app/index.ts' && isLocal(to));
      if (forbidden) violations.push(`${from} imports ${to}: commands parse flags, call a use case from app/index.ts and print a view`);
    }
    if (PURE_FOLDERS.has(fromFolder)) {
      const io = PROCESS_MODULES.has(to) || FILE_MODULES.has(to);
      // A type names what a view renders; it runs nothing.
      const outward = isLocal(to) && !typeOnly && (CLUSTER_FOLDERS.has(folderOf(to)) || ['app', 'cli', 'commands'].includes(folderOf(to)));
      if (io || outward) violations.push(`${from} imports ${to}: ${fromFolder}/ is pure (no I/O, no process layer, no use cases)`);
    }
  }
  violations.push(...folderCycles(edges).map((cycle) => `folder cycle: ${cycle.join(' -> ')}`));
  return violations;
}

/** Cycles among folders, each as a closed path, found from folders in sorted order so the report is stable. */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!isLocal(to) || folderOf(from) === folderOf(to)) continue;
    if (!next.has(folderOf(from))) next.set(folderOf(from), new Set());
    next.get(folderOf(from))!.add(folderOf(to));
  }
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'visiting');
    stack.push(folder);
    for (const target of [...(next.get(folder) ?? [])].sort()) {
      if (state.get(target) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        const key = [...cycle.slice(0, -1)].sort().join(',');
        if (!seen.has(key)) cycles.push(cycle);
        seen.add(key);
      } else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...next.keys()].sort()) if (!state.has(folder)) visit(folder);
  return cycles;
}

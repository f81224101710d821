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
  return sourceFiles(srcDir).flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const edge = (specifier: string, typeOnly: boolean): ImportEdge => {
      const to = specifier.startsWith('.')
        ? relative(srcDir, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts')
        : specifier;
      return { from: relative(srcDir, file), to, typeOnly };
    };
    const declared = source.statements.flatMap((statement): ImportEdge[] => {
      if (
        !(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) ||
        !statement.moduleSpecifier ||
        !ts.isStringLiteral(statement.moduleSpecifier)
      )
        return [];
      return [
        edge(
          statement.moduleSpecifier.text,
          ts.isImportDeclaration(statement) ? statement.importClause?.isTypeOnly === true : statement.isTypeOnly,
        ),
      ];
    });
    // `await import('x')` loads a module lazily, but it is as much an import as a declaration at the top.
    const dynamic: ImportEdge[] = [];
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      )
        dynamic.push(edge(node.arguments[0].text, false));
      ts.forEachChild(node, visit);
    };
    visit(source);
    return [...declared, ...dynamic];
  });
}

/** The folder of a module under src/ (`app/sync.ts` → `app`; `errors.ts` → `.`). */
export const folderOf = (module: string) => (module.includes('/') ? module.slice(0, module.indexOf('/')) : '.');
const isLocal = (specifier: string) => specifier.endsWith('.ts');

/** What a module reaches of the world without an import: the process object, the clock and the network (fetch). */
export interface GlobalUse {
  from: string;
  /** `process.cwd`, `Date.now`, `new Date()`, `performance.now`, `fetch`. */
  what: string;
}

/** Every use of `process.*`, the clock and fetch in the modules under `srcDir` (tests left out), read with the TypeScript parser. */
export function readGlobalUses(srcDir: string): GlobalUse[] {
  return sourceFiles(srcDir).flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
    const uses = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
        const owner = node.expression.text;
        if (owner === 'process') uses.add(`process.${node.name.text}`);
        if ((owner === 'Date' || owner === 'performance') && node.name.text === 'now') uses.add(`${owner}.now`);
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'fetch')
        uses.add('fetch');
      // new Date(x) converts a value; new Date() reads the clock.
      if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'Date' &&
        (node.arguments?.length ?? 0) === 0
      )
        uses.add('new Date()');
      ts.forEachChild(node, visit);
    };
    visit(source);
    return [...uses].map((what) => ({ from: relative(srcDir, file), what }));
  });
}

function sourceFiles(srcDir: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  return walk(srcDir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

const PROCESS_MODULES = new Set(['execa', 'node:child_process', 'child_process']);
const FILE_MODULES = new Set(['node:fs', 'node:fs/promises', 'fs', 'fs/promises']);
const NETWORK_MODULES = new Set(['node:http', 'node:https', 'http', 'https', 'node:net', 'net']);

/**
 * Every folder under src/ and what it may do; a folder missing here fails the test, so a new folder is classified
 * before it can hold code. pure: plain domain code, tests call it without helm, a cluster, a disk or a clock (no
 * node:fs, node:http(s), process.*, Date.now). report: views, pure but for the terminal they draw on. adapter: the
 * doors to processes, files and tools. app: the use cases. cli, commands: the oclif layer.
 */
export type Layer = 'pure' | 'report' | 'adapter' | 'app' | 'cli' | 'commands';
export const FOLDERS: Readonly<Record<string, Layer>> = {
  '.': 'pure', // errors.ts
  config: 'pure', // releases.yaml, values and versions files parsed and checked (its loader: see PURE_EXCEPTIONS)
  crd: 'pure',
  diff: 'pure',
  gitops: 'pure', // the conversion to Flux and Argo CD objects; app/export.ts writes the files
  graph: 'pure',
  health: 'pure',
  import: 'pure', // the conversion of a helmfile; app/import.ts reads and writes the files
  jsonschema: 'pure',
  kube: 'pure',
  lint: 'pure',
  plan: 'pure',
  promotion: 'pure', // the promotion gate's rules
  registry: 'pure',
  secrets: 'pure',
  text: 'pure',
  yaml: 'pure',
  report: 'report',
  git: 'adapter',
  helm: 'adapter',
  process: 'adapter',
  review: 'adapter', // a pull request's comments over GitHub's and GitLab's REST APIs (fetch)
  tools: 'adapter',
  app: 'app',
  cli: 'cli',
  commands: 'commands',
};

/**
 * Files of a pure folder that do I/O today, each with what it may use and why; an entry it no longer needs fails
 * the test (unusedExceptions), so the list only shrinks.
 */
export const PURE_EXCEPTIONS: Readonly<Record<string, { allows: readonly string[]; why: string }>> = {
  'config/load.ts': {
    allows: ['node:fs', 'process.cwd', 'process.env', 'tools/contained-path.ts'],
    why: 'the loader: nodeFileProbe is the real disk behind FileProbe, messages name files from the working folder, it warns of files outside the repository, and it hands the environment to valueFrom.env (value-sources.ts itself takes it as an argument); cli/base-command.ts imports it here',
  },
  'config/accepted.ts': {
    allows: ['node:fs', 'tools/cache-files.ts'],
    why: "the accepted-input cache: kept on disk (tools/cache-files.ts), named by boutique's own package.json version",
  },
  'config/schema.ts': { allows: ['node:fs'], why: 'reads the shipped releases.schema.json once, as the module loads' },
};

/** What a command may import of src/: the oclif layer, the use cases' door, the views and the errors. */
const commandMayImport = (to: string) =>
  FOLDERS[folderOf(to)] === 'cli' || FOLDERS[folderOf(to)] === 'report' || to === 'app/index.ts' || to === 'errors.ts';

/**
 * The layering rules of docs/architecture.md, checked on an import graph and the modules' uses of the process and
 * the clock. Returns one line per broken rule; [] when the code keeps every rule.
 */
export function architectureViolations(edges: readonly ImportEdge[], uses: readonly GlobalUse[] = []): string[] {
  const violations: string[] = [];
  const unclassified = [...new Set([...edges.map((edge) => edge.from), ...uses.map((use) => use.from)].map(folderOf))]
    .filter((folder) => !(folder in FOLDERS))
    .sort();
  violations.push(
    ...unclassified.map(
      (folder) =>
        `${folder}/ is not classified: add it to FOLDERS in test/architecture/import-graph.ts (pure, report, adapter, app, cli or commands)`,
    ),
  );
  const pureUse = (from: string, what: string) => {
    if (PURE_EXCEPTIONS[from]?.allows.includes(what)) return;
    violations.push(`${from} uses ${what}: ${folderOf(from)}/ is pure (no files, network, process or clock)`);
  };
  for (const { from, to, typeOnly } of edges) {
    const fromFolder = folderOf(from);
    const layer = FOLDERS[fromFolder];
    if (PROCESS_MODULES.has(to) && from !== 'process/runner.ts')
      violations.push(`${from} imports ${to}: only process/runner.ts starts processes`);
    if (layer === 'commands') {
      const forbidden =
        PROCESS_MODULES.has(to) ||
        FILE_MODULES.has(to) ||
        NETWORK_MODULES.has(to) ||
        to === 'yaml' ||
        (isLocal(to) && !commandMayImport(to));
      if (forbidden)
        violations.push(
          `${from} imports ${to}: commands import only cli/, app/index.ts, report/ and errors.ts (parse flags, call a use case, return its outcome)`,
        );
    }
    if (layer === 'pure' || layer === 'report') {
      // A type names what a view renders; it runs nothing.
      const outward =
        isLocal(to) && !typeOnly && ['adapter', 'app', 'cli', 'commands'].includes(FOLDERS[folderOf(to)] ?? '');
      if (outward && PURE_EXCEPTIONS[from]?.allows.includes(to)) continue;
      if (outward || PROCESS_MODULES.has(to))
        violations.push(
          `${from} imports ${to}: ${fromFolder}/ is ${layer === 'pure' ? 'pure' : 'a view'} (no I/O, no process layer, no use cases)`,
        );
      else if (FILE_MODULES.has(to) || NETWORK_MODULES.has(to)) {
        if (layer === 'pure') pureUse(from, to);
        else
          violations.push(`${from} imports ${to}: ${fromFolder}/ is a view (no I/O, no process layer, no use cases)`);
      }
    }
  }
  for (const { from, what } of uses) if (FOLDERS[folderOf(from)] === 'pure') pureUse(from, what);
  violations.push(...folderCycles(edges).map((cycle) => `folder cycle: ${cycle.join(' -> ')}`));
  return violations;
}

/** Entries of PURE_EXCEPTIONS that the code no longer needs, so the list only shrinks. */
export function unusedExceptions(edges: readonly ImportEdge[], uses: readonly GlobalUse[]): string[] {
  const used = new Set([
    ...edges.map(({ from, to }) => `${from} ${to}`),
    ...uses.map(({ from, what }) => `${from} ${what}`),
  ]);
  return Object.entries(PURE_EXCEPTIONS).flatMap(([file, { allows }]) =>
    allows
      .filter((what) => !used.has(`${file} ${what}`))
      .map((what) => `${file} no longer uses ${what}: remove it from PURE_EXCEPTIONS`),
  );
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

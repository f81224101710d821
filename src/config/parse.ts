import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue } from '../errors.js';

export type PathSegment = string | number;

/** A YAML document with what is needed to turn a JSON path into a line and column. */
export interface ParsedDocument {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** Syntax errors; when there are any, `doc.toJS()` is not to be trusted. */
  issues: ConfigIssue[];
}

export function parseYaml(text: string, file: string): ParsedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const issues = doc.errors.map((error): ConfigIssue => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { file, line, column: col, path: '', message: `invalid YAML: ${message}` };
  });
  return { file, doc, lineCounter, issues };
}

/** JSON pointer (`/releases/0/name`) to path segments; array indexes become numbers. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function pathToPointer(path: PathSegment[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Line and column of the node at `path`, or of its closest existing ancestor. With `key`, the position of
 * that key inside the map at `path` (for "unknown key" and "missing key" messages).
 */
export function locate(parsed: ParsedDocument, path: PathSegment[], key?: string): { line: number; column: number } {
  let node: unknown = parsed.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const [index, segment] of (key === undefined ? path : [...path, key]).entries()) {
    const next = childOf(node, segment, index === path.length);
    if (next === undefined) break;
    node = next.value;
    offset = next.offset;
  }
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { line, column: col };
}

function childOf(node: unknown, segment: PathSegment, atKey: boolean): { value: unknown; offset: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
    if (!pair || !isScalar(pair.key)) return undefined;
    // Point at a scalar value; at the key for maps, lists, and when the key itself is the subject.
    const value = pair.value as Node | null;
    const offset = value && isScalar(value) && !atKey ? value.range![0] : pair.key.range![0];
    return { value, offset };
  }
  if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    if (!item) return undefined;
    return { value: item, offset: item.range?.[0] ?? 0 };
  }
  return undefined;
}

/** Build an issue located at `path` in `parsed`. */
export function issueAt(parsed: ParsedDocument, path: PathSegment[], message: string, hint?: string, key?: string): ConfigIssue {
  const { line, column } = locate(parsed, path, key);
  const fullPath = key === undefined ? path : [...path, key];
  return { file: parsed.file, line, column, path: pathToPointer(fullPath), message, ...(hint ? { hint } : {}) };
}

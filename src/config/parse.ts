import { isAlias, isMap, isPair, isScalar, LineCounter, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import {
  documentToJs,
  duplicateKeys,
  maxAliasCount,
  maxNestingDepth,
  parseGoYamlDocument,
  tooDeeplyNested,
} from '../yaml/go-yaml.js';

export type PathSegment = string | number;

/** A YAML document with what is needed to turn a JSON path into a line and column. */
export interface ParsedDocument {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** Syntax errors, aliases that expand too far, nesting too deep; when there are any, `value` is undefined. */
  issues: ConfigIssue[];
  /** The document's value as helm reads it (go-yaml v2: YAML 1.1, merge keys). */
  value?: unknown;
  /** The text parsed, for positions inside a value (a CEL expression's error). */
  text: string;
}

const syntaxHint =
  'check the indentation and the quotes on this line and the one before; quote strings that contain ": " or start with one of {}[]&*!|>%@`';

/** What to do about a YAML error, by the yaml library's error code. */
const yamlHints: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces: YAML does not allow tabs for indentation',
  DUPLICATE_KEY: 'remove one of the two, or merge their contents: the second would silently replace the first',
  MULTIPLE_DOCS: 'keep one document: remove the "---" line and what follows, or merge the two',
  BAD_ALIAS: 'an alias is *name, naming an anchor &name set earlier in the file',
  KEY_OVER_1024_CHARS: 'shorten the key, or check for a missing ": " between key and value',
};

// go-yaml v2 refuses these before parsing; the yaml library would read them into strings.
const controlCharacter = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/;

/**
 * Parses one YAML document as go-yaml v2 does; every problem comes back as an issue located in `file`.
 * `allowDuplicateKeys`: read a key given twice as helm does (the last one wins) instead of refusing it.
 */
export function parseYaml(text: string, file: string, options: { allowDuplicateKeys?: boolean } = {}): ParsedDocument {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by duplicateKeys, in linear time (the yaml library's own check is quadratic).
  const doc = parseGoYamlDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const parsed: ParsedDocument = { file, doc, lineCounter, issues: [], text };
  const at = (offset: number, message: string, hint: string): ConfigIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path: '', message, hint };
  };
  const control = controlCharacter.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    parsed.issues.push(
      at(
        control.index,
        `invalid YAML: control character U+${code} is not allowed`,
        'this is not a text file, or it was saved with a binary editor: write it as plain UTF-8 text',
      ),
    );
    return parsed;
  }
  // A document too deep for the parser fails at every level on the way out, at a depth that depends on the stack:
  // it is reported once, where it passes maxNestingDepth, as a document that parses but nests too deep is.
  const exhausted = doc.errors.find(
    (error) => error.code === 'RESOURCE_EXHAUSTION' || /Maximum call stack/.test(error.message),
  );
  if (!exhausted) {
    const problems = [
      ...doc.errors.map((error) => ({
        offset: error.pos[0],
        message: syntaxMessage(error),
        hint: yamlHints[error.code] ?? syntaxHint,
      })),
      ...(options.allowDuplicateKeys ? [] : duplicateKeys(doc)).map((key) => ({
        offset: key.range![0],
        message: `invalid YAML: the key ${JSON.stringify(String(key.value))} appears twice in the same map`,
        hint: yamlHints.DUPLICATE_KEY!,
      })),
    ];
    parsed.issues.push(
      ...problems
        .sort((a, b) => a.offset - b.offset)
        .map((problem) => at(problem.offset, problem.message, problem.hint)),
    );
  }
  if (parsed.issues.length > 0) return parsed;
  const deep = tooDeeplyNested(doc);
  if (deep || exhausted) {
    parsed.issues.push(
      at(
        deep?.range?.[0] ?? exhausted!.pos[0],
        `maps and lists nest more than ${maxNestingDepth} levels deep`,
        'flatten the structure: no chart needs values nested this deep',
      ),
    );
    return parsed;
  }
  try {
    parsed.value = documentToJs(doc);
  } catch (error) {
    parsed.issues.push(aliasIssue(parsed, error as Error, at));
  }
  return parsed;
}

function syntaxMessage(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'invalid YAML: the file holds more than one document';
  return `invalid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** toJS fails only on aliases: one naming no anchor, or aliases that expand into too many nodes. */
function aliasIssue(
  parsed: ParsedDocument,
  error: Error,
  at: (offset: number, message: string, hint: string) => ConfigIssue,
): ConfigIssue {
  let unresolved: Node | undefined;
  let first: Node | undefined;
  visit(parsed.doc, {
    Alias(_, alias) {
      first ??= alias;
      if (!alias.resolve(parsed.doc)) {
        unresolved = alias;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (unresolved && isAlias(unresolved)) {
    return at(
      unresolved.range?.[0] ?? 0,
      `invalid YAML: the alias *${unresolved.source} names no anchor`,
      `set the anchor &${unresolved.source} on a value before this line, or fix the alias name`,
    );
  }
  if (/alias/i.test(error.message)) {
    return at(
      first?.range?.[0] ?? 0,
      `aliases expand into more than ${maxAliasCount} values (a "billion laughs" document)`,
      'write the values out, or use fewer aliases of anchors that themselves hold aliases',
    );
  }
  return at(0, `invalid YAML: ${error.message}`, syntaxHint);
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
export function locate(
  parsed: Pick<ParsedDocument, 'doc' | 'lineCounter'>,
  path: PathSegment[],
  key?: string,
): { line: number; column: number; found: boolean } {
  let node: unknown = parsed.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  const segments = key === undefined ? path : [...path, key];
  let found = true;
  for (const [index, segment] of segments.entries()) {
    const next = childOf(node, segment, index === path.length);
    if (next === undefined) {
      found = false;
      break;
    }
    node = next.value;
    offset = next.offset;
  }
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { line, column: col, found };
}

function childOf(node: unknown, segment: PathSegment, atKey: boolean): { value: unknown; offset: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
    );
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
export function issueAt(
  parsed: ParsedDocument,
  path: PathSegment[],
  message: string,
  hint?: string,
  key?: string,
): ConfigIssue {
  const { line, column } = locate(parsed, path, key);
  const fullPath = key === undefined ? path : [...path, key];
  return { file: parsed.file, line, column, path: pathToPointer(fullPath), message, ...(hint ? { hint } : {}) };
}

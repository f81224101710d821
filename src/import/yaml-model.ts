import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { maxAliasCount } from '../yaml/go-yaml.js';

/**
 * helmfile.yaml as helmfile v1 reads it: go-yaml v3 (helmfile's default since v1), with aliases resolved and merge
 * keys applied as go-yaml v3 applies them (a map's own keys win wherever they stand; of several merged maps the first
 * that has a key gives it). Every node keeps where it stands, so a note can name the line, and the lines of the use
 * site (`at`), so an alias or a merged key counts as written where it is used.
 */
export type YNode = YScalar | YMap | YSeq;

interface Located {
  /** Line of the node's text (for an alias: of the anchored node). */
  line: number;
  /** First and last line of the place the node is used (for an alias or a merged key: the alias or `<<` entry). */
  at: [number, number];
}

export interface YScalar extends Located {
  kind: 'scalar';
  /** What a string field of helmfile gets: the text as written for a plain scalar (`1.10`), the decoded text when quoted. */
  text: string;
  plain: boolean;
  /** What an untyped field (values) gets: the value go-yaml v3 resolves. */
  value: unknown;
}

export interface YEntry {
  key: string;
  /** Line of the key. */
  line: number;
  at: [number, number];
  value: YNode;
}

export interface YMap extends Located {
  kind: 'map';
  entries: YEntry[];
}

export interface YSeq extends Located {
  kind: 'seq';
  items: YNode[];
}

/** Every document of a helmfile, resolved. A syntax error, an unknown alias or an alias bomb is a ConfigError. */
export function parseHelmfileYaml(text: string, file: string): YNode[] {
  const lineCounter = new LineCounter();
  // go-yaml v3 reads YAML 1.2 booleans (`yes` is a string) and refuses duplicate keys; integers are resolved below.
  const documents = parseAllDocuments(text, {
    version: '1.2',
    merge: true,
    uniqueKeys: false,
    lineCounter,
    prettyErrors: false,
  });
  const list = Array.isArray(documents) ? documents : [documents];
  const issue = (offset: number, message: string): ConfigIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path: '', message };
  };
  // helmfile v1 reads a helmfile.yaml as YAML only: `{{ … }}` unquoted there is a syntax error to helmfile too.
  const hint =
    !file.endsWith('.gotmpl') && text.includes('{{')
      ? 'helmfile v1 templates only .gotmpl files: if this helmfile is a template, rename it helmfile.yaml.gotmpl and import that'
      : undefined;
  const issues = list.flatMap((doc) =>
    doc.errors.map((error) => ({ ...issue(error.pos[0], error.message.split('\n')[0]!), ...(hint ? { hint } : {}) })),
  );
  if (issues.length > 0) throw new ConfigError(issues);
  const resolver = new Resolver(lineCounter, issue);
  const nodes = list
    .filter((doc) => doc.contents !== null)
    .map((doc) => resolver.node(doc, doc.contents as Node, undefined));
  if (resolver.issues.length > 0) throw new ConfigError(resolver.issues);
  return nodes;
}

class Resolver {
  readonly issues: ConfigIssue[] = [];
  private expanded = 0;

  constructor(
    private readonly lines: LineCounter,
    private readonly issue: (offset: number, message: string) => ConfigIssue,
  ) {}

  private lineOf(offset: number | undefined): number {
    return this.lines.linePos(offset ?? 0).line;
  }

  private span(node: Node): [number, number] {
    const [start = 0, , end = start] = node.range ?? [];
    return [this.lineOf(start), this.lineOf(Math.max(start, end - 1))];
  }

  /** `site`: the lines of the alias or merge entry this node is used through, if any. */
  node(doc: Document, node: Node | null, site: [number, number] | undefined): YNode {
    if (++this.expanded > maxAliasCount * 10)
      throw new ConfigError([this.issue(0, `aliases expand into more than ${maxAliasCount} values`)]);
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        this.issues.push(this.issue(node.range?.[0] ?? 0, `the alias *${node.source} names no anchor`));
        return {
          kind: 'scalar',
          line: this.lineOf(node.range?.[0]),
          at: site ?? this.span(node),
          text: '',
          plain: true,
          value: null,
        };
      }
      return this.node(doc, target, site ?? this.span(node));
    }
    const line = this.lineOf(node?.range?.[0]);
    const at = site ?? (node ? this.span(node) : [line, line]);
    if (isMap(node)) {
      const own: YEntry[] = [];
      const merged: YEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const pairAt: [number, number] = site ?? [
          this.lineOf(keyNode?.range?.[0]),
          (pair.value as Node | null)?.range ? this.span(pair.value as Node)[1] : this.lineOf(keyNode?.range?.[0]),
        ];
        if (
          isScalar(keyNode) &&
          keyNode.type === 'PLAIN' &&
          (keyNode.source === '<<' || String(keyNode.value) === '<<' || typeof keyNode.value === 'symbol')
        ) {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
          for (const source of sources) {
            const resolved = this.node(doc, source as Node, pairAt);
            if (resolved.kind !== 'map')
              this.issues.push(
                this.issue((source as Node | null)?.range?.[0] ?? 0, 'a merge key (<<) takes a map or a list of maps'),
              );
            else merged.push(...resolved.entries);
          }
          continue;
        }
        const key = isScalar(keyNode) ? String(keyNode.source ?? keyNode.value) : String(keyNode);
        own.push({
          key,
          line: this.lineOf(keyNode?.range?.[0]),
          at: pairAt,
          value: this.node(doc, pair.value as Node | null, site),
        });
      }
      const entries = [...own];
      for (const entry of merged) if (!entries.some((existing) => existing.key === entry.key)) entries.push(entry);
      return { kind: 'map', line, at, entries };
    }
    if (isSeq(node))
      return { kind: 'seq', line, at, items: node.items.map((item) => this.node(doc, item as Node | null, site)) };
    const scalar = node as Scalar | null;
    const plain = !scalar || scalar.type === 'PLAIN' || scalar.type === undefined;
    const text = scalar === null ? '' : plain ? String(scalar.source ?? scalar.value ?? '') : String(scalar.value);
    return {
      kind: 'scalar',
      line,
      at,
      text,
      plain,
      value: scalar === null ? null : plain && !scalar.tag ? resolvePlain(text) : scalar.value,
    };
  }
}

const floatStyle = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const nulls = new Set(['', '~', 'null', 'Null', 'NULL']);
const booleans: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
};
const special: Record<string, number> = {
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
};

/**
 * The value go-yaml v3 gives a plain scalar in an untyped field: YAML 1.2 booleans and nulls, and integers as Go's
 * strconv.ParseInt(text without `_`, base 0) reads them, so `0755` is still the octal 493 and `0x1F` is 31.
 * A timestamp stays a string, as v3 hands it to untyped fields.
 */
export function resolvePlain(text: string): unknown {
  if (nulls.has(text)) return null;
  if (text in booleans) return booleans[text];
  if (text in special) return special[text];
  const digits = text.replace(/_/g, '');
  const integer = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.exec(digits);
  if (integer && /^[-+0-9.]/.test(text)) {
    const body = integer[2]!;
    const magnitude = /^0[0-7]+$/.test(body)
      ? BigInt(`0o${body.slice(1)}`)
      : /^0[oO]/.test(body)
        ? BigInt(`0o${body.slice(2)}`)
        : BigInt(body);
    const value = integer[1] === '-' ? -magnitude : magnitude;
    if (value >= -(2n ** 63n) && value < 2n ** 64n) return Number(value);
  }
  if (floatStyle.test(digits) && /^[-+0-9.]/.test(text)) return Number(digits);
  return text;
}

/** The plain value of a node, as helmfile hands an untyped field (inline values) on. */
export function toValue(node: YNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toValue);
  return Object.fromEntries(node.entries.map((entry) => [entry.key, toValue(entry.value)]));
}

export function entry(map: YNode | undefined, key: string): YEntry | undefined {
  return map?.kind === 'map' ? map.entries.find((candidate) => candidate.key === key) : undefined;
}

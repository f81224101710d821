import {
  isCollection,
  isMap,
  isPair,
  isScalar,
  parse,
  parseAllDocuments,
  parseDocument,
  stringify,
  type Document,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type Scalar,
  type SchemaOptions,
  type ToJSOptions,
} from 'yaml';

/**
 * YAML as helm, kubectl and the API server read it. They use go-yaml v2 (through sigs.k8s.io/yaml), which speaks
 * YAML 1.1: unquoted `0755` is the octal 493, `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `<<` merges maps.
 * Unlike the YAML 1.1 spec, go-yaml v2 hands timestamp-looking scalars to untyped code as strings, so the timestamp
 * tag is left out. Anything boutique parses from helm or writes for helm goes through here, so both sides agree.
 */
export const goYamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: true,
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** Aliases may expand to at most this many nodes; a "billion laughs" document is refused, never expanded. */
export const maxAliasCount = 10_000;

const toJsOptions: ToJSOptions = { maxAliasCount };

/** Maps and lists may nest this deep; deeper documents are refused before anything recurses through them. */
export const maxNestingDepth = 100;

/**
 * The first collection nested deeper than maxNestingDepth, or undefined. Walks with its own stack, so a document
 * nested thousands deep is measured, not a cause of "Maximum call stack size exceeded".
 */
export function tooDeeplyNested(doc: Document): Node | undefined {
  const pending: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!;
    if (!isCollection(node)) continue;
    if (depth > maxNestingDepth) return node;
    for (const item of node.items) {
      if (isPair(item)) pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      else pending.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Every key that repeats an earlier key of the same map (the second occurrence and any later one), in document
 * order. Keys are equal as the yaml library's `uniqueKeys` check compares them (scalars of the same value), but in
 * time linear in the document: that check compares each new key with every earlier one, which took minutes for a map
 * of 40,000 keys. Parse with `uniqueKeys: false` and ask this instead.
 */
export function duplicateKeys(doc: Document): Scalar[] {
  const duplicates: Scalar[] = [];
  // Its own stack, as tooDeeplyNested: a deep document is measured elsewhere, never a cause of a stack overflow.
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (!isCollection(node)) continue;
    const seen = isMap(node) ? new Set<unknown>() : undefined;
    for (const item of node.items) {
      if (!isPair(item)) {
        pending.push(item);
        continue;
      }
      if (seen && isScalar(item.key)) {
        if (seen.has(item.key.value)) duplicates.push(item.key);
        else seen.add(item.key.value);
      }
      pending.push(item.key, item.value);
    }
  }
  return duplicates.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
}

/** One YAML document's value, read as go-yaml v2 would. */
export function parseGoYaml(text: string): unknown {
  return parse(text, { ...goYamlOptions, maxAliasCount });
}

/** Every document of a multi-document stream (helm's manifests), with its errors, read as go-yaml v2 would. */
export function parseGoYamlDocuments(text: string, options: ParseOptions & DocumentOptions = {}): Document[] {
  const docs = parseAllDocuments(text, { ...goYamlOptions, ...options });
  return Array.isArray(docs) ? docs : [docs];
}

/** A document with positions, for messages that point at a line and column. */
export function parseGoYamlDocument(text: string, options: ParseOptions & DocumentOptions = {}): Document {
  return parseDocument(text, { ...goYamlOptions, ...options });
}

export function documentToJs(doc: Document): unknown {
  return doc.toJS(toJsOptions);
}

/**
 * YAML that go-yaml v2 reads back as exactly `value`: strings that YAML 1.1 would take for another type (`"no"`,
 * `"0755"`, `"on"`) are quoted, and no line is folded (a folded deep string can come back with an extra newline).
 */
export function stringifyGoYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, minContentWidth: 0 });
}

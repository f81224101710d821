import { isScalar, Scalar } from 'yaml';
import type { ConfigIssue } from '../errors.js';
import { compileRule, type CelSyntaxError, type HealthRuleSpec } from '../health/rules.js';
import { issueAt, locate, pathToPointer, type ParsedDocument, type PathSegment } from './parse.js';
import type { RawReleasesFile } from './types.js';

/** Every `health:` list of the file, in every environment (a bad rule is bad input wherever it is). */
function healthLists(raw: RawReleasesFile): { path: PathSegment[]; rules: unknown }[] {
  return [
    { path: ['defaults', 'health'], rules: raw.defaults?.health },
    ...Object.entries(raw.environments ?? {}).map(([name, environment]) => ({
      path: ['environments', name, 'health'],
      rules: environment?.health,
    })),
    ...raw.releases.map((release, index) => ({ path: ['releases', index, 'health'], rules: release?.health })),
  ];
}

/**
 * Where in the file a position inside a CEL expression is: the expression is a YAML scalar, plain or quoted on its
 * line, or a block (`|`) whose lines start on the line after its header, each indented.
 */
function positionInFile(
  parsed: ParsedDocument,
  path: PathSegment[],
  error: CelSyntaxError,
): { line: number; column: number } {
  const node = parsed.doc.getIn(path, true);
  const start = locate(parsed, path);
  if (!isScalar(node)) return start;
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  if (!block && error.line === 1) {
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    return { line: start.line, column: start.column + error.column - 1 + (quoted ? 1 : 0) };
  }
  // A block's lines lose the indentation of its first line; a multi-line plain or quoted scalar is approximated so.
  const firstLine = start.line + (block ? 1 : 0);
  const firstStart = parsed.lineCounter.lineStarts[firstLine - 1];
  if (firstStart === undefined) return start;
  const indent = /^ */.exec(parsed.text.slice(firstStart))![0].length;
  return { line: firstLine + error.line - 1, column: indent + error.column };
}

/** A health rule's CEL expression that does not parse is bad input, at its line and column in releases.yaml. */
export function healthRuleIssues(parsed: ParsedDocument, raw: RawReleasesFile): ConfigIssue[] {
  return healthLists(raw).flatMap(({ path, rules }) =>
    (Array.isArray(rules) ? rules : []).flatMap((rule: HealthRuleSpec, index) => {
      if (typeof rule?.current !== 'string') return [];
      const { errors } = compileRule({ ...rule, source: { kind: 'user', where: '' } });
      return errors.map((error) => {
        const at = [...path, index, error.expression];
        const { line, column } = positionInFile(parsed, at, error);
        const located = issueAt(parsed, at, '');
        return {
          ...located,
          line,
          column,
          path: pathToPointer(at),
          // The place is where CEL's parser gave up, which can be after the mistake (an unclosed call gives up at its name).
          message: `the ${error.expression} expression of the health rule for ${rule.kind} is not valid CEL: its parser stopped here (${error.message})`,
          hint: "write a CEL expression over the object (self, or its fields: status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')); quote it when it contains \": \" or starts with one of {}[]!&*",
        };
      });
    }),
  );
}

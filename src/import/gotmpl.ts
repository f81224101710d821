/**
 * The Go template actions of a `.gotmpl` helmfile, found before its YAML is read. boutique does not template, so
 * each action is either converted exactly or marked so the converter can leave out the smallest unit that holds it:
 * - a constant (the escape idiom {{`{{ .Release.Name }}`}}, {{ "{{" }}) becomes the text helmfile renders;
 * - `{{ if … }}`, `{{ else }}`, `{{ range … }}`, `{{ with … }}`, `{{ end }}` on lines of their own become blank
 *   lines, and the lines between them a region with its condition (one on the environment's name is understood);
 * - any other action becomes a marker, `__boutique_tmpl_N__`, that the converter resolves (`.Environment.Name`)
 *   or reports; alone on a line, a key `__boutique_tmpl_N__: __boutique_tmpl_N__` (it writes keys there).
 * No template is evaluated: only these shapes are recognised.
 */
export interface Expression {
  /** The action as written, `{{ … }}`. */
  source: string;
  /** `{{ .Environment.Name }}`: the environment's name, which boutique can spell per environment. */
  environmentName: boolean;
  line: number;
}

/** When the lines of a region apply: `environments` says for which environment names, when that is all it tests. */
export interface Condition {
  text: string;
  environments?: (name: string) => boolean;
}

export interface Region {
  /** First and last line inside the block (the action lines themselves are blank). */
  start: number;
  end: number;
  condition: Condition;
}

export interface TemplateScan {
  text: string;
  expressions: Expression[];
  regions: Region[];
  /** A block left open or an `end` with no block: the file cannot be read as a template. */
  problems: { line: number; message: string }[];
}

export const markerPattern = /__boutique_tmpl_(\d+)__/g;
const marker = (index: number) => `__boutique_tmpl_${index}__`;

interface Action {
  start: number;
  end: number;
  body: string;
}

/** Every `{{ … }}` of the text, skipping quoted and raw strings inside an action when looking for its end. */
function actionsOf(text: string): Action[] {
  const actions: Action[] = [];
  let index = text.indexOf('{{');
  while (index !== -1) {
    let cursor = index + 2;
    let quote: string | undefined;
    while (cursor < text.length) {
      const char = text[cursor]!;
      if (quote) {
        if (char === '\\' && quote === '"') cursor++;
        else if (char === quote) quote = undefined;
      } else if (char === '"' || char === '`') quote = char;
      else if (char === '}' && text[cursor + 1] === '}') break;
      cursor++;
    }
    if (cursor >= text.length) break;
    const body = text
      .slice(index + 2, cursor)
      .replace(/^-\s/, '')
      .replace(/\s-$/, '')
      .trim();
    actions.push({ start: index, end: cursor + 2, body });
    index = text.indexOf('{{', cursor + 2);
  }
  return actions;
}

/** The text a constant action renders: a raw or a quoted string literal, nothing else. */
function constantOf(body: string): string | undefined {
  const raw = /^`([^`]*)`$/.exec(body);
  if (raw) return raw[1];
  if (/^"(?:[^"\\]|\\.)*"$/.test(body)) {
    try {
      return JSON.parse(body) as string;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const environmentName = /^\$?\.Environment\.Name$/;
const blockStart = /^(if|range|with|define|block)\b/;
const quoted = '"([^"\\\\]*)"';
const equals = new RegExp(
  `^\\(?\\s*(eq|ne)\\s+(?:\\$?\\.Environment\\.Name\\s+${quoted}|${quoted}\\s+\\$?\\.Environment\\.Name)\\s*\\)?$`,
);

/** `eq .Environment.Name "prod"`, `ne …`, `or (eq …) (eq …)`, `and (ne …) (ne …)`: for which names it holds. */
export function environmentTest(test: string): ((name: string) => boolean) | undefined {
  const single = equals.exec(test.trim());
  if (single) {
    const value = single[2] ?? single[3]!;
    return single[1] === 'eq' ? (name) => name === value : (name) => name !== value;
  }
  const combined = /^(or|and)\s+(.*)$/.exec(test.trim());
  if (!combined) return undefined;
  const parts = combined[2]!.match(/\([^()]*\)/g);
  if (!parts || parts.join(' ').replace(/\s/g, '') !== combined[2]!.replace(/\s/g, '')) return undefined;
  const tests = parts.map((part) => environmentTest(part.slice(1, -1)));
  if (tests.some((each) => each === undefined)) return undefined;
  return combined[1] === 'or'
    ? (name) => tests.some((each) => each!(name))
    : (name) => tests.every((each) => each!(name));
}

interface OpenBlock {
  keyword: string;
  /** The branch now open: its first content line and condition. */
  from: number;
  condition: Condition;
  /** The conditions of the branches before (`if`, `else if`), which an `else` negates. */
  previous: Condition[];
}

/** The condition of a branch: its own test (none for else) after every branch before it failed. */
function branchCondition(keyword: string, test: string, previous: Condition[], text: string): Condition {
  if (keyword !== 'if') return { text };
  const environments = test === '' ? undefined : environmentTest(test);
  const negated = previous.map((each) => each.environments);
  if (negated.some((each) => each === undefined) || (test !== '' && !environments)) return { text };
  return {
    text,
    environments: (name) => negated.every((each) => !each!(name)) && (environments ? environments(name) : true),
  };
}

export function scanTemplate(text: string): TemplateScan {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  };
  const lineText = (line: number) => text.slice(lineStarts[line - 1], (lineStarts[line] ?? text.length + 1) - 1);

  const expressions: Expression[] = [];
  const regions: Region[] = [];
  const problems: TemplateScan['problems'] = [];
  const stack: OpenBlock[] = [];
  let out = '';
  let copied = 0;
  for (const action of actionsOf(text)) {
    const line = lineOf(action.start);
    const alone = lineText(line).trim() === text.slice(action.start, action.end).trim();
    const body = action.body;
    out += text.slice(copied, action.start);
    copied = action.end;
    const constant = constantOf(body);
    if (constant !== undefined) {
      out += constant;
      continue;
    }
    if (body.startsWith('/*')) continue;
    const keyword = /^(if|else if|else|end|range|with|define|block)\b/.exec(body)?.[1];
    if (alone && (keyword || /^\$[\w]*\s*:?=/.test(body))) {
      if (keyword === 'end') {
        const open = stack.pop();
        if (!open) problems.push({ line, message: '{{ end }} closes no block' });
        else if (open.from <= line - 1) regions.push({ start: open.from, end: line - 1, condition: open.condition });
      } else if (keyword === 'else' || keyword === 'else if') {
        const open = stack[stack.length - 1];
        if (!open) problems.push({ line, message: `{{ ${body} }} belongs to no block` });
        else {
          if (open.from <= line - 1) regions.push({ start: open.from, end: line - 1, condition: open.condition });
          open.previous.push(open.condition);
          const test = keyword === 'else if' ? body.slice('else if'.length).trim() : '';
          open.condition = branchCondition(
            open.keyword,
            test,
            open.previous,
            `{{ ${body} }} of ${open.previous[0]!.text}`,
          );
          open.from = line + 1;
        }
      } else if (keyword && blockStart.test(keyword)) {
        const test = body.slice(keyword.length).trim();
        stack.push({
          keyword,
          from: line + 1,
          condition: branchCondition(keyword, test, [], `{{ ${body} }}`),
          previous: [],
        });
      }
      continue;
    }
    expressions.push({
      source: text.slice(action.start, action.end),
      environmentName: environmentName.test(body),
      line,
    });
    if (alone) {
      // An action alone on its line writes keys ({{ toYaml .Values.x | nindent 8 }}): it stands as one key, at the
      // indentation nindent or indent gives it, so the YAML around it still reads and the converter can name it.
      const indent = /\b(?:n?indent)\s+(\d+)\s*$/.exec(body)?.[1];
      out = out.replace(
        /[ \t]*$/,
        indent !== undefined ? ' '.repeat(Number(indent)) : (/^[ \t]*/.exec(lineText(line))?.[0] ?? ''),
      );
      out += `${marker(expressions.length - 1)}: ${marker(expressions.length - 1)}`;
      continue;
    }
    out += marker(expressions.length - 1);
  }
  out += text.slice(copied);
  for (const open of stack)
    problems.push({ line: open.from - 1, message: `{{ ${open.keyword} … }} is never closed with {{ end }}` });
  return { text: out, expressions, regions, problems };
}

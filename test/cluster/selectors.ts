/** Label and field selectors as the API server parses them from `?labelSelector=` and `?fieldSelector=`. */
import type { KubeObject } from './kinds.js';
import { badRequest } from './status-error.js';

type Requirement =
  | { key: string; operator: 'in' | 'notin'; values: string[] }
  | { key: string; operator: 'exists' | '!exists' };

export type Selector = (labels: Record<string, string>) => boolean;

function splitTopLevel(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of expression) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((value) => value.trim());
    return { key: setMatch[1] ?? '', operator: setMatch[2] as 'in' | 'notin', values };
  }
  const equality = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (equality) {
    const [, key = '', operator, value = ''] = equality;
    return { key, operator: operator === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (/^![^\s!=]+$/.test(term)) return { key: term.slice(1), operator: '!exists' };
  if (/^[^\s!=()]+$/.test(term)) return { key: term, operator: 'exists' };
  throw badRequest(`unable to parse requirement: ${term}`);
}

function matches(requirement: Requirement, labels: Record<string, string>): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case '!exists':
      return value === undefined;
    case 'in':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
      return value === undefined || !requirement.values.includes(value);
  }
}

export function parseLabelSelector(expression: string | null | undefined): Selector {
  const requirements = splitTopLevel(expression ?? '').map(parseRequirement);
  return (labels) => requirements.every((requirement) => matches(requirement, labels));
}

/** Field selectors: metadata.name, metadata.namespace and a few well-known paths, with =, == and !=. */
export function parseFieldSelector(expression: string | null | undefined): (object: KubeObject) => boolean {
  const terms = splitTopLevel(expression ?? '').map((term) => {
    const match = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid field selector: ${term}`);
    return { path: (match[1] ?? '').trim(), negate: match[2] === '!=', value: (match[3] ?? '').trim() };
  });
  return (object) =>
    terms.every(({ path, negate, value }) => {
      const actual = fieldValue(object, path);
      return negate ? actual !== value : actual === value;
    });
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    current = current && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
  }
  return current === undefined || current === null ? '' : String(current);
}

/** A LabelSelector object ({matchLabels, matchExpressions}) as a predicate, for controllers in the simulator. */
export function labelSelectorObject(selector: unknown): Selector {
  const { matchLabels = {}, matchExpressions = [] } = (selector ?? {}) as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const requirements: Requirement[] = [
    ...Object.entries(matchLabels).map(([key, value]): Requirement => ({ key, operator: 'in', values: [value] })),
    ...matchExpressions.map((expression): Requirement => {
      const operator = expression.operator.toLowerCase();
      if (operator === 'exists') return { key: expression.key, operator: 'exists' };
      if (operator === 'doesnotexist') return { key: expression.key, operator: '!exists' };
      return { key: expression.key, operator: operator === 'notin' ? 'notin' : 'in', values: expression.values ?? [] };
    }),
  ];
  return (labels) => requirements.every((requirement) => matches(requirement, labels));
}

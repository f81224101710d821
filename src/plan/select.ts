import { UsageError } from '../errors.js';
import type { Release } from '../config/types.js';
import { closest } from '../text/suggest.js';

/** One `-l` flag: every term must match (AND). Several flags are alternatives (OR), as in helmfile. */
export interface Selector {
  source: string;
  terms: { key: string; value: string; negated: boolean }[];
}

const keyPattern = /^[A-Za-z0-9_./-]+$/;
const valuePattern = /^[A-Za-z0-9_./@:+-]+$/;
const syntaxHint = 'write selectors as key=value,key!=value, e.g. -l tier=app,name!=loadgenerator';

/** One problem with a -l flag: what is wrong and what to do. */
interface SelectorProblem {
  message: string;
  hint: string;
}

function parseTerm(source: string, term: string): SelectorProblem | Selector['terms'][number] {
  const at = `-l ${source}: "${term}"`;
  const match = /^([^=!]*)(!=|=)(.*)$/.exec(term.trim());
  if (term.trim() === '') return { message: `-l ${source}: an empty term`, hint: 'remove the extra ","' };
  if (!match) return { message: `${at} is not key=value or key!=value`, hint: syntaxHint };
  const [, key = '', operator, value = ''] = match;
  if (value.startsWith('='))
    return {
      message: `${at}: "${operator}=" is not an operator`,
      hint: `write ${key}${operator}${value.slice(1)}: one "=" (or "!=")`,
    };
  if (key === '') return { message: `${at} has no label name`, hint: syntaxHint };
  if (!keyPattern.test(key))
    return {
      message: `${at}: "${key}" is not a label name`,
      hint: 'label names are letters, digits, "-", "_", "." and "/"',
    };
  if (value === '')
    return {
      message: `${at} has no value`,
      hint: `write ${key}${operator}VALUE; every label of releases.yaml has a value`,
    };
  if (!valuePattern.test(value))
    return {
      message: `${at}: "${value}" is not a label value`,
      hint: 'label values are letters, digits and "-", "_", ".", "/", "@", ":", "+"; several terms are separated by ","',
    };
  return { key, value, negated: operator === '!=' };
}

/** Parses every -l flag; all problems of all flags are reported together. */
export function parseSelectors(sources: readonly string[]): Selector[] {
  const problems: SelectorProblem[] = [];
  const selectors = sources.map((source) => {
    const terms = source.split(',').flatMap((term) => {
      const parsed = parseTerm(source, term);
      if ('message' in parsed) {
        problems.push(parsed);
        return [];
      }
      return [parsed];
    });
    return { source, terms };
  });
  if (problems.length > 0) throw selectorError(problems);
  return selectors;
}

function selectorError(problems: readonly SelectorProblem[]): UsageError {
  return new UsageError(problems.map((problem) => problem.message).join('\n'), {
    suggestions: [...new Set(problems.map((problem) => problem.hint))],
  });
}

/** Labels a selector sees: the release's own plus name, namespace and chart, as in helmfile. */
function selectableLabels(release: Release): Record<string, string> {
  return { ...release.labels, name: release.name, namespace: release.namespace, chart: release.chartSource };
}

export function matches(release: Release, selectors: readonly Selector[]): boolean {
  if (selectors.length === 0) return true;
  const labels = selectableLabels(release);
  return selectors.some((selector) =>
    selector.terms.every(({ key, value, negated }) => (labels[key] === value) !== negated),
  );
}

/**
 * A selector that selects no release is a typo far more often than an intent: it is an error that lists the labels
 * the releases carry, so a run never silently does nothing.
 */
export function checkSelection(releases: readonly Release[], selectors: readonly Selector[]): void {
  const valuesByKey = new Map<string, Set<string>>();
  for (const release of releases) {
    for (const [key, value] of Object.entries(release.labels))
      (valuesByKey.get(key) ?? valuesByKey.set(key, new Set()).get(key)!).add(value);
  }
  const problems = selectors.flatMap((selector): SelectorProblem[] => {
    if (releases.some((release) => matches(release, [selector]))) return [];
    const typo = selector.terms.flatMap(({ key, value }) => {
      const names = new Set([...valuesByKey.keys(), 'name', 'namespace', 'chart']);
      if (!names.has(key))
        return [closest(key, names)].flatMap((near) =>
          near ? [`did you mean the label "${near}"?`] : [`no release has a label "${key}"`],
        );
      const values =
        key === 'name' || key === 'namespace' || key === 'chart'
          ? releases.map((release) => selectableLabels(release)[key]!)
          : [...valuesByKey.get(key)!];
      if (values.includes(value)) return [];
      return [closest(value, values)].flatMap((near) => (near ? [`did you mean ${key}=${near}?`] : []));
    });
    const labels = [...valuesByKey].map(([key, values]) => `${key}=${[...values].sort().join('|')}`);
    const known = `labels in use: ${labels.length > 0 ? `${labels.join(', ')}; ` : ''}name, namespace and chart of every release`;
    return [
      {
        message: `-l ${selector.source} selects no release`,
        hint: typo.length > 0 ? `${typo.join('; ')} (${known})` : known,
      },
    ];
  });
  if (problems.length > 0) throw selectorError(problems);
}

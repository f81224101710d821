import { UsageError } from '../errors.js';
import type { Release } from '../config/types.js';

/** One `-l` flag: every term must match (AND). Several flags are alternatives (OR), as in helmfile. */
export interface Selector {
  source: string;
  terms: { key: string; value: string; negated: boolean }[];
}

const termPattern = /^([A-Za-z0-9_./-]+)(!=|==|=)(.*)$/;

export function parseSelector(source: string): Selector {
  const terms = source.split(',').map((term) => {
    const match = termPattern.exec(term.trim());
    if (!match || match[3] === undefined) {
      throw new UsageError(`invalid selector "${source}": "${term}" is not key=value or key!=value`, {
        suggestions: ['write selectors as key=value,key!=value, e.g. -l tier=app,name!=loadgenerator'],
      });
    }
    return { key: match[1]!, value: match[3], negated: match[2] === '!=' };
  });
  return { source, terms };
}

/** Labels a selector sees: the release's own plus name, namespace and chart, as in helmfile. */
function selectableLabels(release: Release): Record<string, string> {
  return { ...release.labels, name: release.name, namespace: release.namespace, chart: release.chartSource };
}

export function matches(release: Release, selectors: readonly Selector[]): boolean {
  if (selectors.length === 0) return true;
  const labels = selectableLabels(release);
  return selectors.some((selector) => selector.terms.every(({ key, value, negated }) => (labels[key] === value) !== negated));
}

import type { Release } from '../config/types.js';
import type { Plan } from '../plan/plan.js';
import { renderTable } from './table.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';

/** The needs graph. Edges point in apply order: from a release to the releases that need it. */
export function renderGraph(plan: Plan, format: GraphFormat): string {
  const edges = plan.releases.flatMap((release) =>
    plan.needs.get(release.id)!.map((need) => [need, release.id] as const),
  );
  switch (format) {
    case 'mermaid': {
      const nodeId = new Map(plan.releases.map((release, index) => [release.id, `r${index}`]));
      return [
        'graph LR',
        ...plan.releases.map((release) => `  ${nodeId.get(release.id)}["${release.id}"]`),
        ...edges.map(([from, to]) => `  ${nodeId.get(from)} --> ${nodeId.get(to)}`),
        '',
      ].join('\n');
    }
    case 'dot':
      return [
        'digraph releases {',
        '  rankdir=LR;',
        ...plan.releases.map((release) => `  "${release.id}";`),
        ...edges.map(([from, to]) => `  "${from}" -> "${to}";`),
        '}',
        '',
      ].join('\n');
    case 'text':
      return renderTable(
        ['LEVEL', 'RELEASE', 'NEEDS'],
        plan.levels.flatMap((level, index) =>
          level.map((release) => [String(index), release.id, plan.needs.get(release.id)!.join(', ') || '-']),
        ),
      );
  }
}

export function chartLabel(release: Release): string {
  const version = release.chart.kind === 'local' ? undefined : release.chart.version;
  return !version || release.chartSource.endsWith(`@${version}`)
    ? release.chartSource
    : `${release.chartSource}@${version}`;
}

/** `boutique list`: the selected releases in apply order. */
export function renderReleaseList(plan: Plan): string {
  return renderTable(
    ['NAME', 'NAMESPACE', 'CHART', 'INSTALLED', 'LABELS', 'NEEDS'],
    plan.releases.map((release) => [
      release.name,
      release.namespace,
      chartLabel(release),
      String(release.installed),
      Object.entries(release.labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(',') || '-',
      plan.needs.get(release.id)!.join(', ') || '-',
    ]),
  );
}

/** What selection changed about needs: said on every run that uses selectors, so nothing is silently skipped. */
export function renderSelectionNotes(plan: Plan): string[] {
  const notes: string[] = [];
  if (plan.addedByNeeds.length > 0)
    notes.push(`--include-needs added: ${plan.addedByNeeds.map((release) => release.id).join(', ')}`);
  // One line for all of them: with one release selected out of many, a line per need would bury the run.
  const neededBy = new Map<string, string[]>();
  for (const { release, need } of plan.unselectedNeeds)
    neededBy.set(need.id, [...(neededBy.get(need.id) ?? []), release.id]);
  if (neededBy.size > 0) {
    const needs = [...neededBy].map(([need, by]) => `${need} (needed by ${by.join(', ')})`).join(', ');
    notes.push(
      `not selected, so neither applied nor waited for: ${needs}; add --include-needs to include ${neededBy.size === 1 ? 'it' : 'them'}`,
    );
  }
  return notes;
}

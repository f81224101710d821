import { Chalk } from 'chalk';
import type { BaseDiffOutcome, BaseReleaseChange } from '../app/base-diff.js';
import type { PlanCounts, ReleaseDiff } from '../diff/release-diff.js';
import {
  countsPhrase,
  escapeHtml,
  GITHUB_COMMENT_LIMIT,
  inlineCode,
  releaseMarkdownLines,
  releaseTextLines,
  tableRow,
  totalCounts,
  visibleChanges,
  visibleHooks,
} from './diff-view.js';

/** The plan's numbers: objects a sync would add, change and destroy, and the releases that change, of how many. */
export interface BasePlanCounts extends Omit<PlanCounts, 'unchanged'> {
  /** Releases listed: whose objects change, or that are added, removed, renamed, or need others now. */
  releases: number;
  /** Releases declared on either side, over every environment compared. */
  ofReleases: number;
  environments: number;
  /** Releases rendered: inputs that differ, or declared on one side only. */
  rendered: number;
  hasChanges: number;
  complete: number;
}

/** What a sync would do to the cluster: removed releases are left deployed, so their objects count nowhere. */
const syncDiffs = (outcome: BaseDiffOutcome): ReleaseDiff[] =>
  outcome.changes.flatMap((change) => (change.diff ? [change.diff] : []));

const shows = (change: BaseReleaseChange): boolean =>
  change.kind !== 'changed' ||
  change.needs !== undefined ||
  (change.diff !== undefined && (visibleChanges(change.diff).length > 0 || visibleHooks(change.diff).length > 0));

/** The changes a reader is shown: a release whose inputs changed but that renders the same is not among them. */
export const shownChanges = (outcome: BaseDiffOutcome): BaseReleaseChange[] => outcome.changes.filter(shows);

export function basePlanCounts(outcome: BaseDiffOutcome): BasePlanCounts {
  const { add, change, destroy } = totalCounts(syncDiffs(outcome));
  const releases = shownChanges(outcome).length;
  return {
    add,
    change,
    destroy,
    releases,
    ofReleases: outcome.releaseCount,
    environments: outcome.environments.length,
    rendered: outcome.rendered,
    hasChanges: releases > 0 ? 1 : 0,
    complete: outcome.failed.length === 0 ? 1 : 0,
  };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Terraform's line: `Plan: 2 to add, 3 to change, 1 to destroy in 4 of 36 releases (3 environments)`. */
export function basePlanSummary(outcome: BaseDiffOutcome): string {
  const counts = basePlanCounts(outcome);
  const failed = outcome.failed.map(
    ({ environment, release, side }) =>
      `${release.id} at ${side}${outcome.environments.length > 1 ? ` in ${environment}` : ''}`,
  );
  const head =
    failed.length > 0
      ? `Plan INCOMPLETE (could not render ${plural(failed.length, 'release')}: ${failed.join(', ')})`
      : 'Plan';
  return `${head}: ${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy in ${counts.releases} of ${plural(counts.ofReleases, 'release')} (${plural(counts.environments, 'environment')})`;
}

const shortCommit = (commit: string | undefined) => (commit ? ` (${commit.slice(0, 12)})` : '');

/** `main (3f2a1c9d0e1b) → working tree`: what was compared. */
export function comparedRevisions(outcome: BaseDiffOutcome): string {
  return `${outcome.base.ref}${shortCommit(outcome.base.commit)} → ${outcome.head.ref === undefined ? 'working tree' : `${outcome.head.ref}${shortCommit(outcome.head.commit)}`}`;
}

/** What a change is beyond its objects, in words; undefined for a release whose inputs changed and nothing more. */
export function changeNote(change: BaseReleaseChange): string | undefined {
  const needs = change.needs && needsPhrase(change.needs);
  const notes: Record<BaseReleaseChange['kind'], string | undefined> = {
    changed: needs,
    needs,
    added: 'added to releases.yaml: a sync installs it',
    renamed: `renamed from ${change.renamedFrom}: a sync installs it under the new name, and leaves ${change.renamedFrom} deployed until it is destroyed`,
    removed: `no longer in releases.yaml: a sync leaves it deployed (boutique destroy -l name=${change.release.slice(change.release.indexOf('/') + 1)} before merging removes it)`,
  };
  return notes[change.kind];
}

/** `needs shop/db now, no longer shop/cache`: what the needs gained and lost. */
function needsPhrase({ base, head }: { base: string[]; head: string[] }): string {
  const gained = head.filter((need) => !base.includes(need));
  const lost = base.filter((need) => !head.includes(need));
  return [
    gained.length > 0 ? `needs ${gained.join(', ')} now` : '',
    lost.length > 0 ? `${gained.length > 0 ? 'no longer' : 'needs no longer'} ${lost.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** The diff for a terminal or a log: the plan line first, then per environment each release that changes. */
export function renderBaseDiffText(outcome: BaseDiffOutcome, options: { color: boolean; context: number }): string {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const summary = basePlanSummary(outcome);
  const lines = [
    outcome.failed.length > 0 ? paint.red.bold(summary) : paint.bold(summary),
    `Compared ${comparedRevisions(outcome)}, without a cluster; ${plural(outcome.rendered, 'release')} rendered.`,
    '',
  ];
  const sides = { before: outcome.base.ref, after: outcome.head.ref ?? 'working tree' };
  for (const environment of outcome.environments) {
    const changes = shownChanges(outcome).filter((change) => change.environment === environment);
    if (outcome.environments.length > 1)
      lines.push(
        paint.bold.underline(
          `Environment ${environment}: ${changes.length === 0 ? 'no change' : plural(changes.length, 'release')}`,
        ),
        '',
      );
    for (const change of changes) {
      const note = changeNote(change);
      const body = change.diff
        ? releaseTextLines(change.diff, options.context, paint, sides)
        : [paint.bold(`Release ${change.release}`), ''];
      lines.push(body[0]!, ...(note ? [paint.yellow(`! ${note}`)] : []), ...body.slice(1));
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The hidden line that finds the comment again: one per releases file and choice of environments. */
export function commentMarker(key: string): string {
  return `<!-- boutique-diff ${key.replaceAll('--', '- -')} -->`;
}

export interface BaseMarkdownOptions {
  context: number;
  maxLength?: number;
  /** The first line, a hidden marker (commentMarker). */
  marker?: string;
}

/**
 * The diff as one pull-request comment: the plan line, a table of the releases that change, then each release's
 * objects collapsed under its name. Within `maxLength` (GitHub's 65,536 by default): each release is listed object
 * by object, and then given its full diff in order while that fits; a release that does not fit even as a list is
 * left to the table and a closing note. An object is never cut.
 */
export function renderBaseDiffMarkdown(outcome: BaseDiffOutcome, options: BaseMarkdownOptions): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const changes = shownChanges(outcome);
  const many = outcome.environments.length > 1;
  const name = (change: BaseReleaseChange) => (many ? `${change.release} (${change.environment})` : change.release);
  const counts = (change: BaseReleaseChange) =>
    change.diff
      ? [change.diff.summary.add, change.diff.summary.change, change.diff.summary.destroy].map(String)
      : ['', '', ''];
  const head = [
    ...(options.marker ? [options.marker] : []),
    '## boutique diff',
    '',
    `${outcome.failed.length > 0 ? ':x: ' : ''}**${basePlanSummary(outcome)}**`,
    '',
    `Compared ${inlineCode(comparedRevisions(outcome))} with helm template, without a cluster; ${plural(outcome.rendered, 'release')} rendered.`,
    '',
    ...(changes.length === 0
      ? []
      : [
          tableRow(['Release', ...(many ? ['Environment'] : []), 'Add', 'Change', 'Destroy', 'Note']),
          tableRow(['---', ...(many ? ['---'] : []), '---:', '---:', '---:', '---']),
          ...changes.map((change) =>
            tableRow([
              inlineCode(change.release),
              ...(many ? [change.environment] : []),
              ...counts(change),
              escapeHtml(change.kind === 'changed' && !change.needs ? '' : change.kind),
            ]),
          ),
          '',
        ]),
  ].join('\n');
  // Room for the closing note, whatever it ends up naming.
  let budget = maxLength - head.length - 200 - changes.reduce((total, change) => total + name(change).length + 2, 0);
  // Every release gets its objects listed first, in order while they fit; then, in order, a release whose full
  // diff fits in what is left gets it instead.
  const forms = changes.map((change) => {
    const note = changeNote(change);
    const summary = `<b>${escapeHtml(name(change))}</b>${change.diff ? `: ${countsPhrase(change.diff.summary)}` : ''}`;
    const noteLines = note ? [`> ${escapeHtml(note)}`, ''] : [];
    const full = change.diff ? releaseMarkdownLines(change.diff, options.context, summary) : [];
    const complete =
      full.length > 0
        ? [...full.slice(0, 3), ...noteLines, ...full.slice(3)]
        : [`- <b>${escapeHtml(name(change))}</b>: ${escapeHtml(note ?? '')}`, ''];
    const brief = change.diff ? objectListLines(change.diff, summary, noteLines) : complete;
    return { change, full: `\n${complete.join('\n')}`, brief: `\n${brief.join('\n')}` };
  });
  const shown = new Map<BaseReleaseChange, string>();
  for (const form of forms) {
    if (form.brief.length > budget) break;
    shown.set(form.change, form.brief);
    budget -= form.brief.length;
  }
  for (const form of forms) {
    const extra = form.full.length - form.brief.length;
    if (!shown.has(form.change) || extra > budget) continue;
    shown.set(form.change, form.full);
    budget -= extra;
  }
  const sections = changes.flatMap((change) => shown.get(change) ?? []);
  const omitted = changes.filter((change) => !shown.has(change)).map(name);
  const closing =
    omitted.length === 0
      ? ''
      : `\n_Left out to stay within ${maxLength} characters: ${omitted.join(', ')}. Run \`boutique diff --base ${outcome.base.ref}\` for the full diff._\n`;
  return `${head}${sections.join('')}${closing}`;
}

/** A release's section without diff lines: each object and hook it changes, with its marks. */
function objectListLines(diff: ReleaseDiff, summary: string, noteLines: string[]): string[] {
  const sign = { add: '+', change: '~', remove: '-', unchanged: ' ' } as const;
  return [
    '<details>',
    `<summary>${summary} (objects only: the full diff did not fit)</summary>`,
    '',
    ...noteLines,
    ...visibleChanges(diff).map(
      (change) =>
        `- ${sign[change.action]} ${inlineCode(change.ref)} (${change.action})${change.impacts.map((impact) => `; **${impact.kind}**: ${escapeHtml(impact.message)}`).join('')}`,
    ),
    ...visibleHooks(diff).map(
      (hook) =>
        `- ${sign[hook.action]} ${inlineCode(hook.ref)} (hook: ${escapeHtml(hook.events.join(', '))}; ${hook.action})`,
    ),
    '',
    '</details>',
    '',
  ];
}

/** The JSON envelope's results: each change with its object diff. */
export function baseDiffJson(outcome: BaseDiffOutcome) {
  return {
    base: outcome.base,
    head: outcome.head,
    environments: outcome.environments,
    changes: shownChanges(outcome),
  };
}

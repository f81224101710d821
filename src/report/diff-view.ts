import { Chalk, type ChalkInstance } from 'chalk';
import { formatPatch, OMIT_HEADERS, structuredPatch } from 'diff';
import {
  hasChanges,
  type ChangeAction,
  type HookChange,
  type PlanCounts,
  type ReleaseDiff,
  type ResourceChange,
  type ResourceDrift,
} from '../diff/release-diff.js';

/** What the object diffs do not say themselves: the releases a sync would touch, and those that could not be diffed. */
export interface DiffScope {
  /** From the sync plan: `1 to upgrade, 11 unchanged`. */
  releases?: string;
  /** Releases that could not be diffed: a plan that leaves them out must never read as clean. */
  failed?: readonly string[];
  /** From the sync plan: a release would be installed, upgraded or uninstalled, even one whose objects would not change. */
  changes?: boolean;
}

export interface DiffViewOptions {
  color: boolean;
  /** Unchanged lines shown around each change, as in `diff -U`. */
  context: number;
  scope?: DiffScope;
}

const ACTION_SIGN: Record<ChangeAction, string> = { add: '+', change: '~', remove: '-', unchanged: ' ' };

/** Counts of every release together. */
export function totalCounts(diffs: readonly ReleaseDiff[]): PlanCounts {
  const total: PlanCounts = { add: 0, change: 0, destroy: 0, unchanged: 0 };
  for (const { summary } of diffs) {
    total.add += summary.add;
    total.change += summary.change;
    total.destroy += summary.destroy;
    total.unchanged += summary.unchanged;
  }
  return total;
}

export function countsPhrase(counts: PlanCounts): string {
  return `${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy, ${counts.unchanged} unchanged`;
}

/**
 * The one-line plan: `Plan: 1 to add, 2 to change, 0 to destroy, 9 unchanged. Releases: 1 to upgrade, 11 unchanged.`
 * When some releases could not be diffed it starts `Plan INCOMPLETE`, so a PR summary never reads as clean.
 */
export function planSummary(diffs: readonly ReleaseDiff[], scope: DiffScope = {}): string {
  const failed = scope.failed ?? [];
  const releases = scope.releases ? ` Releases: ${scope.releases}.` : '';
  const head =
    failed.length > 0
      ? `Plan INCOMPLETE (could not diff ${failed.length} release${failed.length === 1 ? '' : 's'}: ${failed.join(', ')})`
      : 'Plan';
  return `${head}: ${countsPhrase(totalCounts(diffs))}.${releases}`;
}

export const visibleChanges = (diff: ReleaseDiff): ResourceChange[] =>
  diff.changes.filter(({ action }) => action !== 'unchanged');

/** Unified diff lines of one change (hunk headers and body, no file headers); [] when only masked values differ. */
function hunkLines(change: ResourceChange, context: number): string[] {
  const patch = structuredPatch('live', 'desired', change.before ?? '', change.after ?? '', undefined, undefined, {
    context,
  });
  // Every hunk line starts with a marker character, so the only empty strings are separators.
  return formatPatch(patch, OMIT_HEADERS)
    .split('\n')
    .filter((line) => line !== '');
}

// A change whose differing values are all secret-marked masks to identical text: say so rather than print nothing.
const MASKED_ONLY_NOTE = '(only masked values differ)';

function formatDriftValue(value: unknown): string {
  return value === null ? '(absent)' : JSON.stringify(value);
}

/** The diff for a terminal or a log: per release, per object a unified diff with its impacts, then drift, then the plan. */
export function renderDiffText(diffs: readonly ReleaseDiff[], options: DiffViewOptions): string {
  const paint = new Chalk({ level: options.color ? 1 : 0 });
  const lines = diffs.flatMap((diff) => releaseTextLines(diff, options.context, paint));
  const summary = planSummary(diffs, options.scope);
  return [...lines, options.scope?.failed?.length ? paint.red.bold(summary) : paint.bold(summary), ''].join('\n');
}

/** What the two sides of a change are called: the cluster diff's, or two revisions' (diff --base). */
export interface SideNames {
  before: string;
  after: string;
}

const CLUSTER_SIDES: SideNames = { before: 'live', after: 'after sync' };

export function releaseTextLines(
  diff: ReleaseDiff,
  context: number,
  paint: ChalkInstance,
  sides: SideNames = CLUSTER_SIDES,
): string[] {
  const changes = visibleChanges(diff);
  const header = paint.bold(`Release ${diff.release} (namespace ${diff.namespace}): ${countsPhrase(diff.summary)}`);
  return [
    header,
    '',
    ...changes.flatMap((change) => [...changeTextLines(change, context, paint, sides), '']),
    ...hookTextLines(diff, context, paint, sides),
    ...(diff.drift.length > 0 ? [...driftTextLines(diff.drift, paint), ''] : []),
  ];
}

export const visibleHooks = (diff: ReleaseDiff): HookChange[] =>
  diff.hooks.filter(({ action }) => action !== 'unchanged');
/** A hook shown as a change: what it is and when helm runs it. */
const asChange = (hook: HookChange): ResourceChange => ({
  ...hook,
  ref: `${hook.ref} (hook: ${hook.events.join(', ')})`,
  impacts: [],
});

function hookTextLines(diff: ReleaseDiff, context: number, paint: ChalkInstance, sides: SideNames): string[] {
  const hooks = visibleHooks(diff);
  if (hooks.length === 0) return [];
  return [
    paint.bold('Hooks: helm runs them around the sync and keeps no copy in the cluster'),
    '',
    ...hooks.flatMap((hook) => [...changeTextLines(asChange(hook), context, paint, sides), '']),
  ];
}

function changeTextLines(change: ResourceChange, context: number, paint: ChalkInstance, sides: SideNames): string[] {
  const actionColor = { add: paint.green, change: paint.yellow, remove: paint.red, unchanged: paint.dim }[
    change.action
  ];
  const body = hunkLines(change, context);
  return [
    actionColor.bold(`${ACTION_SIGN[change.action]} ${change.ref} (${change.action})`),
    ...change.impacts.map((impact) => paint.yellow(`! ${impact.message}`)),
    paint.bold(change.before === undefined ? '--- /dev/null' : `--- ${change.ref} (${sides.before})`),
    paint.bold(change.after === undefined ? '+++ /dev/null' : `+++ ${change.ref} (${sides.after})`),
    ...(body.length === 0 ? [paint.dim(MASKED_ONLY_NOTE)] : body.map((line) => colorDiffLine(line, paint))),
  ];
}

function colorDiffLine(line: string, paint: ChalkInstance): string {
  if (line.startsWith('@@')) return paint.cyan(line);
  if (line.startsWith('+')) return paint.green(line);
  if (line.startsWith('-')) return paint.red(line);
  return line;
}

function driftTextLines(drift: readonly ResourceDrift[], paint: ChalkInstance): string[] {
  return [
    paint.magenta.bold('Drift: live objects differ from what the last sync applied'),
    ...drift.flatMap((object) => [
      `  ${object.ref}`,
      ...object.fields.map(
        (field) =>
          `    ${field.path}: applied ${formatDriftValue(field.applied)}, live ${formatDriftValue(field.live)}`,
      ),
    ]),
  ];
}

/** GitHub refuses a comment (and truncates a step summary) longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The diff as GitHub-flavoured Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY. Release sections
 * that would take it past `maxLength` are left out, and a closing line says which.
 */
export function renderDiffMarkdown(
  diffs: readonly ReleaseDiff[],
  options: { context: number; maxLength?: number; scope?: DiffScope } = { context: 3 },
): string {
  const maxLength = options.maxLength ?? GITHUB_COMMENT_LIMIT;
  const rows = diffs.map(({ release, namespace, summary, drift }) =>
    tableRow([
      release,
      namespace,
      ...[summary.add, summary.change, summary.destroy, summary.unchanged, drift.length].map(String),
    ]),
  );
  const head = [
    '## boutique diff',
    '',
    `${options.scope?.failed?.length ? ':x: ' : ''}**${planSummary(diffs, options.scope)}**`,
    '',
    tableRow(['Release', 'Namespace', 'Add', 'Change', 'Destroy', 'Unchanged', 'Drifted']),
    tableRow(['---', '---', '---:', '---:', '---:', '---:', '---:']),
    ...rows,
    '',
  ].join('\n');
  // Room for the closing note, whatever it ends up naming.
  const budget = maxLength - head.length - 200 - diffs.reduce((total, diff) => total + diff.release.length + 2, 0);
  let used = 0;
  const sections: string[] = [];
  const omitted: string[] = [];
  for (const diff of diffs) {
    const lines = releaseMarkdownLines(diff, options.context);
    if (lines.length === 0) continue;
    const section = `\n${lines.join('\n')}`;
    if (omitted.length === 0 && used + section.length <= budget) {
      sections.push(section);
      used += section.length;
    } else {
      omitted.push(diff.release);
    }
  }
  const note =
    omitted.length === 0
      ? ''
      : `\n_Left out to stay within ${maxLength} characters: ${omitted.join(', ')}. Run \`boutique diff\` for the full diff._\n`;
  return `${head}${sections.join('')}${note}`;
}

/** `summary` replaces the line that names the release (HTML, escaped by the caller). */
export function releaseMarkdownLines(diff: ReleaseDiff, context: number, summary?: string): string[] {
  const changes = visibleChanges(diff);
  const hooks = visibleHooks(diff);
  if (changes.length === 0 && hooks.length === 0 && diff.drift.length === 0) return [];
  return [
    '<details>',
    `<summary>${summary ?? `<b>${escapeHtml(diff.release)}</b> (${escapeHtml(diff.namespace)}): ${countsPhrase(diff.summary)}`}</summary>`,
    '',
    ...changes.flatMap((change) => changeMarkdownLines(change, context)),
    ...(hooks.length > 0
      ? ['#### Hooks', '', ...hooks.flatMap((hook) => changeMarkdownLines(asChange(hook), context))]
      : []),
    ...(diff.drift.length > 0 ? driftMarkdownLines(diff.drift) : []),
    '</details>',
    '',
  ];
}

function changeMarkdownLines(change: ResourceChange, context: number): string[] {
  const body = hunkLines(change, context);
  const fence = fenceFor(body);
  return [
    `#### ${ACTION_SIGN[change.action]} ${inlineCode(change.ref)} (${change.action})`,
    '',
    ...(change.impacts.length > 0
      ? [...change.impacts.map((impact) => `- **${impact.kind}**: ${escapeHtml(impact.message)}`), '']
      : []),
    ...(body.length === 0 ? [MASKED_ONLY_NOTE] : [`${fence}diff`, ...body, fence]),
    '',
  ];
}

function driftMarkdownLines(drift: readonly ResourceDrift[]): string[] {
  return [
    '#### Drift: live objects differ from what the last sync applied',
    '',
    tableRow(['Object', 'Field', 'Applied', 'Live']),
    tableRow(['---', '---', '---', '---']),
    ...drift.flatMap((object) =>
      object.fields.map((field) =>
        tableRow([
          inlineCode(object.ref),
          inlineCode(field.path),
          inlineCode(formatDriftValue(field.applied)),
          inlineCode(formatDriftValue(field.live)),
        ]),
      ),
    ),
    '',
  ];
}

export function tableRow(cells: readonly string[]): string {
  // A pipe ends a table cell even inside a code span, unless escaped.
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** A code span that survives backticks in its content. */
export function inlineCode(text: string): string {
  const ticks = '`'.repeat(longestBacktickRun(text) + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${padding}${text}${padding}${ticks}`;
}

/** A code fence longer than any backtick run in the block, so that YAML holding ``` cannot close it early. */
function fenceFor(lines: readonly string[]): string {
  return '`'.repeat(Math.max(3, ...lines.map((line) => longestBacktickRun(line) + 1)));
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The diff's part of the `--output json` envelope: object counts over every release (`drifted` counts objects with
 * drift), whether a sync would change anything, and whether every release could be diffed.
 */
export function diffSummary(
  diffs: readonly ReleaseDiff[],
  scope: DiffScope = {},
): PlanCounts & { drifted: number; hasChanges: number; complete: number } {
  return {
    ...totalCounts(diffs),
    drifted: diffs.reduce((sum, diff) => sum + diff.drift.length, 0),
    hasChanges: (scope.changes ?? hasChanges(diffs)) ? 1 : 0,
    complete: (scope.failed ?? []).length === 0 ? 1 : 0,
  };
}

import { Chalk, type ChalkInstance } from 'chalk';
import type { RuleDefinition } from '../lint/rule.js';
import type { Finding, Severity } from '../lint/types.js';

export interface LintSummary {
  errors: number;
  warnings: number;
  info: number;
}

export interface LintReport {
  /** False when any error-level finding remains: `boutique lint` then exits 1. */
  passed: boolean;
  summary: LintSummary;
  findings: Finding[];
}

export function summarize(findings: Finding[]): LintSummary {
  const count = (severity: Severity): number => findings.filter((finding) => finding.severity === severity).length;
  return { errors: count('error'), warnings: count('warning'), info: count('info') };
}

/** 1 when any error-level finding remains, 0 otherwise. */
export function lintExitCode(findings: Finding[]): 0 | 1 {
  return findings.some((finding) => finding.severity === 'error') ? 1 : 0;
}

/** The `--output json` document. */
export function lintReport(findings: Finding[]): LintReport {
  return { passed: lintExitCode(findings) === 0, summary: summarize(findings), findings };
}

/** Findings grouped by release (in order of first appearance), each with its rule id and fix, then the counts. */
export function renderLintText(findings: Finding[], options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const byRelease = new Map<string, Finding[]>();
  for (const finding of findings) byRelease.set(finding.release, [...(byRelease.get(finding.release) ?? []), finding]);
  const lines: string[] = [];
  for (const [release, releaseFindings] of byRelease) {
    lines.push(chalk.bold(release));
    for (const finding of releaseFindings) {
      const location = [fileLocation(finding), finding.object].filter(Boolean).join(' ');
      const text = location ? `${location}: ${finding.message}` : finding.message;
      lines.push(`  ${severityLabel(chalk, finding.severity)} ${text}  ${chalk.dim(`[${finding.ruleId}]`)}`);
      if (finding.fix) lines.push(`  ${' '.repeat(7)} ${chalk.dim(`fix: ${finding.fix}`)}`);
    }
    lines.push('');
  }
  const summary = summarize(findings);
  const counts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning'), `${summary.info} info`].join(
    ', ',
  );
  const releases = plural(byRelease.size, 'release');
  lines.push(
    summary.errors > 0
      ? chalk.red(`${counts} in ${releases}`)
      : findings.length === 0
        ? chalk.green('No findings.')
        : `${counts} in ${releases}`,
  );
  return lines.join('\n') + '\n';
}

/** `--list-rules`: one line per rule with its default severity and what it checks. */
export function renderRuleList(rules: readonly RuleDefinition[], options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(...rules.map((rule) => rule.id.length));
  return rules
    .map((rule) => `${rule.id.padEnd(width)}  ${severityLabel(chalk, rule.severity)}  ${rule.summary}\n`)
    .join('');
}

function severityLabel(chalk: ChalkInstance, severity: Severity): string {
  const padded = severity.padEnd(7);
  return severity === 'error' ? chalk.red(padded) : severity === 'warning' ? chalk.yellow(padded) : chalk.cyan(padded);
}

function fileLocation({ file, line, column }: Finding): string | undefined {
  if (file === undefined) return undefined;
  return line === undefined ? file : `${file}:${line}:${column ?? 1}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

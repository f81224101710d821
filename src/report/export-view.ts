import type { ExportSummary } from '../gitops/convert.js';
import type { ExportNote } from '../gitops/model.js';

export function renderExportSummary(summary: ExportSummary): string {
  const lines = [
    `${summary.engine}: ${summary.files.length} files for environment ${summary.environment} in ${summary.outputDir}`,
  ];
  const byRelease = new Map<string, ExportNote[]>();
  for (const note of summary.notes) byRelease.set(note.release, [...(byRelease.get(note.release) ?? []), note]);
  if (byRelease.size > 0) lines.push(`not expressed as boutique runs it, per release:`);
  for (const [release, notes] of byRelease) {
    lines.push(`  ${release}`);
    for (const note of notes) lines.push(`    ${note.feature}: ${note.detail}`);
  }
  return `${lines.join('\n')}\n`;
}

import { createTwoFilesPatch } from 'diff';
import type { VersionsEdit } from '../app/index.js';

/** A versions-file edit as a unified diff, or a line saying there is nothing to change. */
export function renderVersionsEdit(edit: VersionsEdit): string {
  if (edit.changes.length === 0) return `${edit.file}: already up to date\n`;
  return createTwoFilesPatch(`a/${edit.file}`, `b/${edit.file}`, edit.before, edit.after, undefined, undefined, {
    context: 3,
  }).replace(/^=+\n/, '');
}

export function versionsEditReport(edit: VersionsEdit, from?: string) {
  return { ...(from && { from }), to: edit.environment, file: edit.file, changes: edit.changes };
}

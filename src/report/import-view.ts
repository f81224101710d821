import type { ImportResult } from '../app/index.js';
import { formatIssue } from '../errors.js';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What boutique import did, then every construct it left out as `helmfile.yaml:LINE: …`. */
export function renderImport(result: ImportResult): string {
  const lines = [
    `Wrote ${result.output}: ${count(result.releases, 'release')}, ${count(result.environments, 'environment')}, ${count(result.repositories, 'repository', 'repositories')}.`,
  ];
  if (result.files.length > 0)
    lines.push(
      `Wrote ${result.files.join(', ')}: values that keep helmfile's order or differ per environment (each file says where it came from).`,
    );
  if (result.notes.length === 0) lines.push(`Everything in ${result.helmfile} was converted.`);
  else {
    lines.push(`Not converted (${result.notes.length}):`);
    lines.push(...result.notes.map((note) => `  ${result.helmfile}:${note.line}: ${note.message}`));
  }
  if (result.issues.length > 0) {
    lines.push(`boutique's checks of ${result.output} (fix these before boutique lint):`);
    lines.push(...result.issues.map((issue) => formatIssue(issue).replace(/^/gm, '  ')));
  }
  return `${lines.join('\n')}\n`;
}

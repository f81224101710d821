import { UsageError } from '../errors.js';
import { didYouMean } from '../text/suggest.js';

/** `frontend=3f2a1c9 cartservice=sha256:…` → versions, every bad pair reported at once. Pure. */
export function parseImageAssignments(
  assignments: readonly string[],
  releaseNames: readonly string[],
): Map<string, string> {
  const versions = new Map<string, string>();
  const problems: string[] = [];
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    const name = assignment.slice(0, Math.max(separator, 0));
    const version = assignment.slice(separator + 1);
    if (separator <= 0 || version === '') problems.push(`${assignment}: expected RELEASE=TAG or RELEASE=sha256:DIGEST`);
    else if (!releaseNames.includes(name))
      problems.push(
        `${assignment}: no release "${name}" in releases.yaml${didYouMean(name, releaseNames) ? ` (${didYouMean(name, releaseNames)})` : ''}`,
      );
    else versions.set(name, version);
  }
  if (assignments.length === 0) problems.push('name at least one RELEASE=TAG');
  if (problems.length > 0)
    throw new UsageError(problems.join('\n'), { suggestions: ['e.g. boutique set-image -e dev frontend=3f2a1c9'] });
  return versions;
}

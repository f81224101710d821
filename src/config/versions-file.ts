import { isMap, isPair, isScalar, Scalar } from 'yaml';
import { didYouMean } from '../text/suggest.js';
import { issueAt, parseYaml } from './parse.js';
import type { ConfigIssue } from '../errors.js';

/**
 * The one module of versions files, read (parseVersionsFile) and edited (updateVersionsFile).
 * A versions file: one small YAML map per environment, release name → image tag or `sha256:` digest, that a pull
 * request changes and a reviewer reads. boutique layers each entry as values (see versionValues in config).
 */
export type Versions = ReadonlyMap<string, string>;

/** The versions in a versions file, with every problem located by line and column. Pure. */
export function parseVersionsFile(
  text: string,
  file: string,
  releaseNames: readonly string[],
): { versions: Map<string, string>; issues: ConfigIssue[] } {
  const parsed = parseYaml(text, file);
  const versions = new Map<string, string>();
  if (parsed.issues.length > 0) return { versions, issues: parsed.issues };
  const contents = parsed.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { versions, issues: [] };
  if (!isMap(contents))
    return {
      versions,
      issues: [
        issueAt(
          parsed,
          [],
          'a versions file must be a map of release name to image tag or digest',
          'e.g. frontend: 3f2a1c9',
        ),
      ],
    };
  const issues: ConfigIssue[] = [];
  for (const pair of contents.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (!releaseNames.includes(name)) {
      issues.push(
        issueAt(
          parsed,
          [],
          `no release "${name}" in releases.yaml`,
          didYouMean(name, releaseNames) ?? 'keys are release names',
          name,
        ),
      );
    } else if (typeof value !== 'string' || value === '') {
      const range = isScalar(pair.value) ? pair.value.range : undefined;
      const written = range ? text.slice(range[0], range[1]) : '';
      const hint =
        typeof value === 'number' || typeof value === 'boolean'
          ? `quote it: ${name}: "${written}"`
          : `e.g. ${name}: 3f2a1c9`;
      issues.push(
        issueAt(
          parsed,
          [name],
          `the version of ${name} must be a non-empty string (an image tag or sha256: digest)`,
          hint,
        ),
      );
    } else {
      versions.set(name, value);
    }
  }
  return { versions, issues };
}

/**
 * The versions file with `changes` applied, comments and formatting kept: existing entries change in place, new
 * ones are appended. Values are always written quoted, so a tag such as 1.10 or 0755 stays a string.
 */
export function updateVersionsFile(text: string, changes: Versions): string {
  const parsed = parseYaml(text, 'versions');
  const doc = parsed.doc;
  if (!isMap(doc.contents)) doc.contents = doc.createNode({});
  const map = doc.contents;
  if (!isMap(map)) throw new Error('a new versions document is a map');
  for (const [name, version] of changes) {
    const value = new Scalar(version);
    value.type = Scalar.QUOTE_DOUBLE;
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === name);
    if (pair && isScalar(pair.value)) pair.value.value = version;
    else map.set(name, value);
  }
  return doc.toString();
}

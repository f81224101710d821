import { resolve } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import { issueAt, type ParsedDocument } from './parse.js';
import type { FileProbe } from './file-probe.js';
import type { RawReleasesFile, RawSetValue } from './types.js';

/**
 * Secret values that never sit in git (issue 31): a `set` entry's `valueFrom` brings its value in from an
 * environment variable or a file as releases.yaml is loaded (here), or from a cluster Secret at run time
 * (app/cluster-secrets.ts). Either way the entry becomes an ordinary secret set entry (`secret: true`, with its
 * value), which every output, the inputs hash, the render cache and the hand-off to helm already keep out of sight
 * (docs/secrets.md).
 */

/** The values read from the environment and from files, by the raw set entry that asked; or why they cannot be. */
export interface LocalSources {
  values: Map<RawSetValue, string>;
  issues: ConfigIssue[];
}

/** Each set entry as written, with where it is in releases.yaml. */
function writtenEntries(
  raw: RawReleasesFile,
): { release: string; entry: Partial<RawSetValue>; at: (string | number)[] }[] {
  return raw.releases.flatMap((release, releaseIndex) =>
    (Array.isArray(release?.set) ? release.set : []).flatMap((entry, setIndex) =>
      entry && typeof entry === 'object'
        ? [
            {
              release: String(release.name),
              entry: entry as Partial<RawSetValue>,
              at: ['releases', releaseIndex, 'set', setIndex],
            },
          ]
        : [],
    ),
  );
}

/** Set entries that give no value, or both a value and valueFrom (the schema allows either alone). */
export function setEntryIssues(raw: RawReleasesFile, parsed: ParsedDocument): ConfigIssue[] {
  return writtenEntries(raw).flatMap(({ entry, at }) => {
    const where = `releases[${at[1]}].set[${at[3]}]`;
    if (entry.valueFrom === undefined)
      return 'value' in entry
        ? []
        : [
            issueAt(
              parsed,
              at,
              `${where} is missing the required key "value"`,
              'add value:, or valueFrom: { env: VARIABLE } to bring a secret in from elsewhere (docs/releases-yaml.md#secrets), or pass the value with --set NAME=VALUE on the command line',
            ),
          ];
    return [
      ...('value' in entry
        ? [
            issueAt(
              parsed,
              at,
              `${where} gives both value and valueFrom`,
              'keep one: valueFrom brings the value in from elsewhere',
              'valueFrom',
            ),
          ]
        : []),
      ...('secret' in entry
        ? [issueAt(parsed, at, `${where}: a value from valueFrom is always secret`, 'remove secret:', 'secret')]
        : []),
    ];
  });
}

/**
 * Reads every set entry's environment variable or file (setEntryIssues found nothing). An unset or empty variable
 * and a missing or unreadable file are issues at the entry's line; nothing is contacted. `env`: the run's
 * environment.
 */
export function readLocalSources(
  raw: RawReleasesFile,
  parsed: ParsedDocument,
  options: { baseDir: string; env: NodeJS.ProcessEnv; files: FileProbe },
): LocalSources {
  const values = new Map<RawSetValue, string>();
  const issues: ConfigIssue[] = [];
  for (const { release, entry, at } of writtenEntries(raw)) {
    const source = entry.valueFrom;
    if (source && 'env' in source) {
      const value = options.env[source.env];
      if (value === undefined || value === '') {
        issues.push(
          issueAt(
            parsed,
            [...at, 'valueFrom', 'env'],
            `environment variable ${source.env} for ${entry.name} of release ${release} is ${value === undefined ? 'not set' : 'empty'}`,
            `set ${source.env} in the environment that runs boutique (in CI, from the pipeline's secrets: an undefined CI secret expands to an empty string)`,
          ),
        );
      } else values.set(entry as RawSetValue, value);
    } else if (source && 'file' in source) {
      const path = resolve(options.baseDir, source.file);
      let value: string | undefined;
      try {
        value = options.files.isFile(path) ? options.files.readText(path) : undefined;
      } catch {
        value = undefined;
      }
      if (value === undefined) {
        const why = options.files.isDirectory(path)
          ? 'is a folder'
          : options.files.isFile(path)
            ? 'cannot be read'
            : 'does not exist';
        issues.push(
          issueAt(
            parsed,
            [...at, 'valueFrom', 'file'],
            `file ${source.file} for ${entry.name} of release ${release} ${why}`,
            `write the value to ${source.file} (relative to the folder of releases.yaml), and keep it out of git`,
          ),
        );
      } else values.set(entry as RawSetValue, value);
    }
  }
  return { values, issues };
}

/**
 * A release's set entry as boutique acts on it: a value brought in from the environment or a file is secret with
 * its value; one from a cluster Secret (or one left unread, see loadConfig's readSources) is secret and unresolved
 * until app/cluster-secrets.ts reads it.
 */
export function sourcedEntry(entry: RawSetValue, local: ReadonlyMap<RawSetValue, string>): RawSetValue {
  const source = entry.valueFrom;
  if (!source) return entry;
  const value = 'secret' in source ? undefined : local.get(entry);
  if (value === undefined) return { name: entry.name, value: '', secret: true, valueFrom: source, unresolved: true };
  return { name: entry.name, value, secret: true, valueFrom: source };
}

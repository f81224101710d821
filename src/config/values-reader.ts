import { ConfigError, type ConfigIssue } from '../errors.js';
import { maxNestingDepth } from '../yaml/go-yaml.js';
import { isRecord } from '../yaml/record.js';
import { acceptedBefore } from './accepted.js';
import type { FileProbe } from './file-probe.js';
import { issueAt, parseYaml, type ParsedDocument } from './parse.js';
import { article } from './validate.js';

export type Values = Record<string, unknown>;

/**
 * The one reader of values files: boutique reads them before helm sees them (the checks of releases.yaml, the chart
 * schemas, lint, the inputs hash, export, the promotion gate), always as go-yaml v2 reads them, each file read and
 * parsed once per run. Messages name a file as the user would: relative to the folder of releases.yaml, as
 * releases.yaml is named. The run's loaded config carries its reader (valuesReaderOf in load.ts).
 */
export class ValuesFileReader {
  private readonly texts = new Map<string, string>();
  private readonly parsed = new Map<string, ParsedDocument>();

  constructor(
    private readonly files: FileProbe,
    private readonly display: (path: string) => string,
    /** --allow-duplicate-keys: every values file reads a key given twice as helm does; else only files marked so. */
    readonly allowDuplicateKeys = false,
  ) {}

  /** This run's choice, or the file's own line `# boutique: allow-duplicate-keys` (for a migration). */
  private allowsDuplicates(text: string): boolean {
    return this.allowDuplicateKeys || duplicateKeysMarker.test(text);
  }

  text(path: string): string {
    let text = this.texts.get(path);
    if (text === undefined) {
      text = this.files.readText(path);
      this.texts.set(path, text);
    }
    return text;
  }

  read(path: string): ParsedDocument {
    let parsed = this.parsed.get(path);
    if (!parsed) {
      const text = this.text(path);
      parsed = parseYaml(text, this.display(path), { allowDuplicateKeys: this.allowsDuplicates(text) });
      parsed.issues = parsed.issues.map((issue) =>
        /appears twice/.test(issue.message) ? { ...issue, hint: duplicateKeyHint(issue.file) } : issue,
      );
      this.parsed.set(path, parsed);
    }
    return parsed;
  }

  /**
   * Syntax errors, and a file that is not a map of values (an empty file is no values, as for helm). A text found
   * fine before (in an earlier run) is not parsed again.
   */
  issues(path: string): ConfigIssue[] {
    const accepted = acceptedBefore(
      this.allowsDuplicates(this.text(path)) ? `${VALUES_FILE_CHECK}, duplicate keys allowed` : VALUES_FILE_CHECK,
      this.text(path),
    );
    if (accepted.hit) return [];
    const parsed = this.read(path);
    if (parsed.issues.length > 0) return parsed.issues;
    const value = parsed.value;
    if (value === null || value === undefined || isRecord(value)) {
      accepted.remember();
      return [];
    }
    // Its content is never echoed: a values file may be any file (a token, /etc/passwd).
    const what = Array.isArray(value) ? 'a list' : article(typeof value);
    return [
      issueAt(
        parsed,
        [],
        `values file ${parsed.file} must be a map of values, not ${what}`,
        'write keys the chart reads, e.g. "replicaCount: 2"; a list needs a key above it',
      ),
    ];
  }

  /** The file's values as helm reads them (an empty file is no values); a broken file throws its issues. */
  values(path: string): Values {
    const issues = this.issues(path);
    if (issues.length > 0) throw new ConfigError(issues);
    const value = this.read(path).value;
    return isRecord(value) ? value : {};
  }
}

const duplicateKeysMarker = /^#\s*boutique:\s*allow-duplicate-keys\s*$/m;

/** helm takes the last of two keys; a migration may want that for a while, so say how to get it. */
const duplicateKeyHint = (file: string) =>
  `remove one of the two, or merge their contents: helm silently takes the second. To accept that while migrating, add the line "# boutique: allow-duplicate-keys" to ${file}, or pass --allow-duplicate-keys`;

/** What issues() checks, named for the accepted-input cache: a change to the check is a new name. */
const VALUES_FILE_CHECK = `values file: YAML 1.1 as go-yaml v2 reads it, a map, nesting at most ${maxNestingDepth}`;

import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from '../errors.js';
import { issueAt, pointerToPath, type ParsedDocument, type PathSegment } from './parse.js';
import { schemaErrors } from './schema.js';
import { didYouMean } from '../text/suggest.js';

/** What a value must be and how to write it, for the keys whose schema offers alternatives (oneOf). */
const alternatives: Record<string, { message: string; hint: string }> = {
  timeout: {
    message: 'must be a number of seconds or a duration such as 90s, 5m or 1h30m',
    hint: 'write whole seconds (300) or a Go duration: digits followed by h, m, s or ms, e.g. 5m or 1h30m',
  },
  installed: {
    message: 'must be true, false, or a map of environment name to true/false',
    hint: 'write installed: false, or installed: { prod: false }',
  },
  valueFrom: {
    message: 'must be one of { env: VARIABLE }, { file: path }, { secret: namespace/name, key: key }',
    hint: 'write valueFrom: { env: DB_PASSWORD }, { file: secrets/db-password } or { secret: shop/db, key: password }',
  },
  values: {
    message: 'must be a values file path or an inline map',
    hint: 'write a path such as values/web.yaml or a map such as { replicaCount: 2 }',
  },
};

/** How to add a required key, by its name. */
const requiredHints: Record<string, string> = {
  releases: 'add releases: with a list of releases, each with name: and chart: (releases: [] for none)',
  name: 'add name:',
  chart: 'add chart: with a local path (./charts/web), repo/chart@version or oci://registry/path/chart@version',
  url: "add url: with the repository's http(s) address",
};

/** An example of the right shape, by key, for type errors. */
const examples: Record<string, string> = {
  releases: 'releases:\n    - { name: web, chart: ./charts/web }',
  needs: 'needs: [redis-cart]',
  values: 'values: [values/web.yaml, { replicaCount: 2 }]',
  set: 'set: [{ name: image.tag, value: "1.2.3" }]',
  labels: 'labels: { tier: app }',
  repositories: 'repositories: [{ name: bitnami, url: https://charts.bitnami.com/bitnami }]',
  environments: 'environments: { dev: { namespace: shop-dev } }',
};

const dnsLabelHint =
  'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';

/** Schema validation of a parsed releases.yaml: every violation, each located by line and column. */
export function validateSchema(parsed: ParsedDocument, data: unknown): ConfigIssue[] {
  const errors = schemaErrors(data);
  // A failed oneOf also reports why each branch failed, and a failed propertyNames why the name failed (ajv marks
  // those with propertyName); only the outer error makes a readable message.
  const oneOfPaths = errors.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath);
  const kept = errors.filter(
    (error) =>
      (error.keyword === 'propertyNames' || error.propertyName === undefined) &&
      (error.keyword === 'oneOf' ||
        !oneOfPaths.some((path) => error.instancePath === path || error.instancePath.startsWith(`${path}/`))),
  );
  return kept.map((error) => toIssue(parsed, error));
}

function toIssue(parsed: ParsedDocument, error: ErrorObject): ConfigIssue {
  const path = pointerToPath(error.instancePath);
  const name = describe(path);
  const key = lastKey(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(error.params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const hint =
        didYouMean(unknown, allowed) ?? (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : 'remove it');
      return issueAt(parsed, path, `unknown key "${unknown}" in ${name}`, hint, unknown);
    }
    case 'required': {
      const missing = String(error.params.missingProperty);
      return issueAt(
        parsed,
        path,
        `${name} is missing the required key "${missing}"`,
        requiredHints[missing] ?? `add ${missing}:`,
      );
    }
    case 'type':
      return issueAt(
        parsed,
        path,
        `${name} must be ${article(String(error.params.type))}, not ${typeOf(error.data)}`,
        typeHint(path, String(error.params.type), error.data),
      );
    case 'pattern':
    case 'maxLength':
      return patternIssue(parsed, path, name, error);
    case 'propertyNames': {
      const property = String(error.params.propertyName);
      const what = key === 'environments' ? 'environment name' : `key in ${name}`;
      const lower = property.toLowerCase();
      const hint = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(lower) ? `write "${lower}": ${dnsLabelHint}` : dnsLabelHint;
      return issueAt(parsed, path, `${what} "${property}" is not a valid DNS-1123 label`, hint, property);
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).filter((value) => typeof value === 'string');
      return issueAt(
        parsed,
        path,
        `${name} must be one of ${allowed.join(', ')}, not ${JSON.stringify(error.data)}`,
        didYouMean(String(error.data), allowed) ?? `write one of ${allowed.join(', ')}`,
      );
    }
    case 'oneOf': {
      const alternative = alternatives[key ?? ''] ?? {
        message: 'does not match any allowed form',
        hint: 'see docs/releases-yaml.md for the forms this key takes',
      };
      return issueAt(parsed, path, `${name} ${alternative.message}`, alternative.hint);
    }
    case 'minimum':
      return issueAt(
        parsed,
        path,
        `${name} must be at least ${String(error.params.limit)}`,
        key === 'historyMax'
          ? 'write 0 to keep every revision'
          : `write a whole number of at least ${String(error.params.limit)}`,
      );
    case 'minLength':
      return issueAt(parsed, path, `${name} must not be empty`, 'give it a value, or remove the key');
    default:
      return issueAt(parsed, path, `${name} ${error.message ?? 'is invalid'}`, 'see docs/releases-yaml.md');
  }
}

function lastKey(path: PathSegment[]): string | undefined {
  return [...path].reverse().find((segment) => typeof segment === 'string') as string | undefined;
}

function typeHint(path: PathSegment[], type: string, data: unknown): string {
  const last = path.at(-1);
  if (typeof last === 'number' && path.at(-2) === 'releases' && (data === null || data === undefined)) {
    return 'remove the empty "-" entry, or write the release under it: "- name: web" with chart: on the next line';
  }
  if (type === 'string' && (typeof data === 'number' || typeof data === 'boolean'))
    return `quote it, e.g. "${String(data)}": YAML reads it as a ${typeof data}`;
  if (type === 'boolean') return 'write true or false, without quotes';
  const example = examples[String(last)];
  if (example) return `write it as ${article(type)}, e.g. ${example}`;
  if (path.length === 0) return `releases.yaml must be a map: start with "releases:" and a list of releases under it`;
  return `write ${describe(path)} as ${article(type)}`;
}

function patternIssue(parsed: ParsedDocument, path: PathSegment[], name: string, error: ErrorObject): ConfigIssue {
  const value = JSON.stringify(error.data);
  const pattern = String(error.params.pattern ?? '');
  if (pattern.startsWith('^[a-z0-9]') || error.keyword === 'maxLength')
    return issueAt(parsed, path, `${name} ${value} is not a valid DNS-1123 label`, dnsLabelHint);
  if (pattern.startsWith('^[0-9]+\\.'))
    return issueAt(
      parsed,
      path,
      `${name} ${value} has the wrong format`,
      'write a Kubernetes minor version such as "1.35"',
    );
  if (lastKey(path) === 'url')
    return issueAt(
      parsed,
      path,
      `${name} ${value} is not an http:// or https:// URL with a host`,
      "write the address of the repository's index.yaml folder, e.g. https://charts.bitnami.com/bitnami; OCI charts need no repository: write chart: oci://…",
    );
  if (lastKey(path) === 'name')
    return issueAt(
      parsed,
      path,
      `${name} ${value} is not a valid repository name`,
      'start with a letter or digit; then letters, digits, "-", "_" and "."',
    );
  return issueAt(parsed, path, `${name} ${value} has the wrong format`, 'see docs/releases-yaml.md');
}

/** `releases[3].needs[0]` style name for a path. */
export function describe(path: PathSegment[]): string {
  if (path.length === 0) return 'the file';
  return path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('');
}

/** `a map`, `an integer`; a list of JSON Schema types (`string,number`) as `a string or a number`. */
export function article(type: string): string {
  const words = type.split(',').map((one) => (one === 'object' ? 'map' : one === 'array' ? 'list' : one));
  const each = words.map((word) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`));
  return each.length > 1 ? `${each.slice(0, -1).join(', ')} or ${each.at(-1)}` : each[0]!;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

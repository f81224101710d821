import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from '../errors.js';
import { issueAt, pointerToPath, type ParsedDocument } from './parse.js';
import { schemaErrors } from './schema.js';
import { didYouMean } from '../text/suggest.js';

/** What a value must be, for the keys whose schema offers alternatives (oneOf). */
const alternatives: Record<string, string> = {
  timeout: 'must be a number of seconds or a duration such as 90s, 5m or 1h30m',
  installed: 'must be true, false, or a map of environment name to true/false',
  values: 'must be a values file path or an inline map',
};

/** Schema validation of a parsed releases.yaml: every violation, each located by line and column. */
export function validateSchema(parsed: ParsedDocument, data: unknown): ConfigIssue[] {
  const errors = schemaErrors(data);
  // A failed oneOf also reports why each branch failed; only the oneOf itself makes a readable message.
  const oneOfPaths = errors.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath);
  const kept = errors.filter(
    (error) => error.keyword === 'oneOf' || !oneOfPaths.some((path) => error.instancePath === path || error.instancePath.startsWith(`${path}/`)),
  );
  return kept.map((error) => toIssue(parsed, error));
}

function toIssue(parsed: ParsedDocument, error: ErrorObject): ConfigIssue {
  const path = pointerToPath(error.instancePath);
  const name = describe(path);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const hint = didYouMean(key, allowed) ?? (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : undefined);
      return issueAt(parsed, path, `unknown key "${key}" in ${name}`, hint, key);
    }
    case 'required':
      return issueAt(parsed, path, `${name} is missing the required key "${String(error.params.missingProperty)}"`);
    case 'type':
      return issueAt(parsed, path, `${name} must be ${article(String(error.params.type))}, not ${typeOf(error.data)}`);
    case 'pattern':
    case 'maxLength':
      return issueAt(parsed, path, patternMessage(name, error), patternHint(error));
    case 'propertyNames': {
      const key = String(error.params.propertyName);
      return issueAt(parsed, path, `${name}: "${key}" is not a valid DNS-1123 label`, 'use lowercase letters, digits and "-", at most 63 characters', key);
    }
    case 'enum':
      return issueAt(parsed, path, `${name} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}, not ${JSON.stringify(error.data)}`);
    case 'oneOf': {
      const key = [...path].reverse().find((segment) => typeof segment === 'string') as string | undefined;
      return issueAt(parsed, path, `${name} ${alternatives[key ?? ''] ?? 'does not match any allowed form'}`);
    }
    case 'minimum':
      return issueAt(parsed, path, `${name} must be at least ${String(error.params.limit)}`);
    case 'minLength':
      return issueAt(parsed, path, `${name} must not be empty`);
    default:
      return issueAt(parsed, path, `${name} ${error.message ?? 'is invalid'}`);
  }
}

/** `releases[3].needs[0]` style name for a path. */
function describe(path: (string | number)[]): string {
  if (path.length === 0) return 'the file';
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

function patternMessage(name: string, error: ErrorObject): string {
  const value = JSON.stringify(error.data);
  if (String(error.params.pattern ?? '').startsWith('^[a-z0-9]') || error.keyword === 'maxLength') return `${name} ${value} is not a valid DNS-1123 label`;
  return `${name} ${value} has the wrong format`;
}

function patternHint(error: ErrorObject): string | undefined {
  if (String(error.params.pattern ?? '').startsWith('^[a-z0-9]') || error.keyword === 'maxLength') {
    return 'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters';
  }
  if (String(error.params.pattern ?? '').startsWith('^[0-9]+\\.')) return 'write a Kubernetes minor version such as "1.35"';
  return undefined;
}

function article(type: string): string {
  const word = type === 'object' ? 'map' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}

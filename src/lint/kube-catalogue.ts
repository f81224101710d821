import { UsageError } from '../errors.js';

/**
 * A Kubernetes version's built-in types in the compact notation written by scripts/build-kube-schemas.mjs.
 * Property types: string | integer | number | boolean | int-or-string | quantity | any | <Model> | []<type> | {}<type>.
 */
export interface KubeCatalogue {
  source: string;
  /** "apps/v1/Deployment" → model name. */
  kinds: Record<string, string>;
  types: Record<string, { properties: Record<string, string>; required?: string[] }>;
}

export type JsonSchema = Record<string, unknown>;

export const DEFAULT_KUBE_VERSION = '1.35';

// No npm package ships the 1.35 OpenAPI: the official client jumped from the v1.34.0 spec (client-node 1.4)
// to release-1.36 (client-node 2.0). 1.35 is served by the 1.36 spec, a superset of 1.35's stable APIs, so
// valid 1.35 manifests never fail; a field first added in 1.36 would pass unnoticed.
// Files under schema/kube/, read by app/kube-catalogues.ts on first use rather than imported here: every command
// that loads the use cases would otherwise parse 330 KB of schemas at start-up.
const catalogueFiles: Record<string, string> = {
  '1.34': 'kube-1.34.json',
  '1.35': 'kube-1.36.json',
  '1.36': 'kube-1.36.json',
};

export function availableKubeVersions(): string[] {
  return Object.keys(catalogueFiles);
}

export class UnknownKubeVersionError extends UsageError {
  readonly available = availableKubeVersions();
  constructor(readonly kubeVersion: string) {
    super(`No schemas for Kubernetes ${kubeVersion}; available versions: ${availableKubeVersions().join(', ')}`, {
      suggestions: [`Pass one of them with --kube-version, or set lint.kubeVersion in releases.yaml.`],
    });
  }
}

/** Accepts "1.35", "v1.35" and "1.35.2"; schemas are per minor version. */
/** The file under schema/kube/ with a Kubernetes version's types; a version that ships none is an error. */
export function catalogueFile(kubeVersion: string): string {
  const minor = kubeVersion.replace(/^v/, '').split('.').slice(0, 2).join('.');
  const file = catalogueFiles[minor];
  if (!file) throw new UnknownKubeVersionError(kubeVersion);
  return file;
}

/** A Kubernetes version and its types, which schema validation checks objects against. */
export interface KubeTarget {
  version: string;
  catalogue: KubeCatalogue;
}

/**
 * JSON Schema definitions for every type, strict like the API server's `fieldValidation=Strict`:
 * objects reject unknown fields, and any field may be null (the server treats null as unset).
 */
export function catalogueDefinitions(catalogue: KubeCatalogue): Record<string, JsonSchema> {
  const definitions: Record<string, JsonSchema> = {};
  for (const [model, { properties, required }] of Object.entries(catalogue.types)) {
    const fields = Object.entries(properties);
    definitions[model] =
      fields.length === 0
        ? { type: ['object', 'null'] }
        : {
            type: ['object', 'null'],
            properties: Object.fromEntries(fields.map(([name, type]) => [name, typeSchema(type)])),
            ...(required ? { required } : {}),
            additionalProperties: false,
          };
  }
  return definitions;
}

function typeSchema(type: string): JsonSchema {
  if (type.startsWith('[]')) return { type: ['array', 'null'], items: typeSchema(type.slice(2)) };
  if (type.startsWith('{}')) return { type: ['object', 'null'], additionalProperties: typeSchema(type.slice(2)) };
  switch (type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type: [type, 'null'] };
    case 'int-or-string':
      return { type: ['integer', 'string', 'null'] };
    case 'quantity':
      return { type: ['string', 'number', 'null'] };
    case 'any':
      return {};
    default:
      return { $ref: `#/definitions/${type}` };
  }
}

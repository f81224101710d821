import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { closest } from '../text/suggest.js';
import { newAjv } from '../jsonschema/ajv.js';
import { crdSchemas } from './crd-schemas.js';
import { catalogueDefinitions, type KubeCatalogue, type KubeTarget } from './kube-catalogue.js';
import type { Finding, KubeObject } from './types.js';
import { objectRef } from './workloads.js';

export const SCHEMA_RULE_ID = 'kube-schema';
export const MISSING_SCHEMA_RULE_ID = 'kube-schema-missing';

// One compiled validator per catalogue and model, kept for the life of the process: compiling PodSpec's
// tree is the expensive part and every workload of every release needs it.
const builtInValidators = new WeakMap<KubeCatalogue, { ajv: Ajv; byModel: Map<string, ValidateFunction> }>();

/**
 * Layer 3: validates every rendered object offline against the Kubernetes `kubeVersion` schemas, in strict
 * mode (unknown fields are errors). Custom resources are checked against the CRDs found in `objects`;
 * kinds with no schema at all are skipped with an info-level notice.
 */
/** `neededCrds`: CRDs that releases this one needs render (an operator's), for its custom resources. */
export function validateSchemas(
  objects: KubeObject[],
  kube: KubeTarget,
  release: string,
  neededCrds: readonly KubeObject[] = [],
): Finding[] {
  const { version: kubeVersion, catalogue } = kube;
  const customResources = crdSchemas([...neededCrds, ...objects]);
  const findings: Finding[] = [];
  for (const object of objects) {
    const objectName = objectRef(object);
    const finding = (severity: Finding['severity'], ruleId: string, message: string, fix: string): Finding => ({
      ruleId,
      layer: 'schema',
      severity,
      release,
      object: objectName,
      message,
      fix,
    });
    // Typed as strings, but rendered YAML may omit them.
    const header: { apiVersion?: unknown; kind?: unknown } = object;
    if (typeof header.apiVersion !== 'string' || typeof header.kind !== 'string') {
      findings.push(finding('error', SCHEMA_RULE_ID, 'apiVersion and kind are required', 'Set apiVersion and kind.'));
      continue;
    }
    const key = `${object.apiVersion}/${object.kind}`;
    const validate = builtInValidator(catalogue, key) ?? customResources.get(key);
    if (!validate) {
      findings.push(
        finding(
          'info',
          MISSING_SCHEMA_RULE_ID,
          `no schema for ${object.apiVersion} ${object.kind} in Kubernetes ${kubeVersion} or in the rendered CRDs; not validated`,
          'Render its CustomResourceDefinition in the same release to validate it, or check the apiVersion.',
        ),
      );
      continue;
    }
    if (validate(object as unknown)) continue;
    const described = (validate.errors ?? []).map(describeError).sort((a, b) => a.path.localeCompare(b.path));
    for (const { path, message, fix } of described) {
      findings.push(
        finding(
          'error',
          SCHEMA_RULE_ID,
          `${path}: ${message}`,
          fix ?? `Make the field match the ${object.apiVersion} ${object.kind} API reference.`,
        ),
      );
    }
  }
  return findings;
}

function builtInValidator(catalogue: KubeCatalogue, key: string): ValidateFunction | undefined {
  const model = catalogue.kinds[key];
  if (!model) return undefined;
  let compiled = builtInValidators.get(catalogue);
  if (!compiled) {
    const ajv = newAjv();
    ajv.addSchema({ $id: 'kube', definitions: catalogueDefinitions(catalogue) });
    compiled = { ajv, byModel: new Map() };
    builtInValidators.set(catalogue, compiled);
  }
  let validate = compiled.byModel.get(model);
  if (!validate) {
    validate = compiled.ajv.getSchema(`kube#/definitions/${model}`);
    if (!validate) return undefined;
    compiled.byModel.set(model, validate);
  }
  return validate;
}

/** Turns an ajv error into `spec.template.spec.containers[0].imagePullPolicyy` and `unknown field`. */
export function describeError(error: ErrorObject): { path: string; message: string; fix?: string } {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const suggestion = closest(field, known);
      return {
        path: fieldPath([...segments, field]),
        message: 'unknown field',
        fix: suggestion ? `Did you mean "${suggestion}"?` : `Remove the field; known fields here: ${known.join(', ')}.`,
      };
    }
    case 'required':
      return {
        path: fieldPath([...segments, String(error.params.missingProperty)]),
        message: 'required field is missing',
      };
    case 'type': {
      const expected = String(error.params.type)
        .split(',')
        .filter((type) => type !== 'null');
      return { path: fieldPath(segments), message: `expected ${expected.join(' or ')}, got ${jsonType(error.data)}` };
    }
    case 'enum':
      return {
        path: fieldPath(segments),
        message: `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
      };
    default:
      return { path: fieldPath(segments), message: error.message ?? error.keyword };
  }
}

function fieldPath(segments: string[]): string {
  if (segments.length === 0) return '(root)';
  return segments
    .map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

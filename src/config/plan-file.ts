import type { ErrorObject } from 'ajv';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { newAjv } from '../jsonschema/ajv.js';
import { issueAt, parseYaml, pointerToPath } from './parse.js';

/**
 * A saved plan (`diff --save-plan`, `sync --dry-run --save-plan`): what a sync would do, fixed for review, so that
 * `sync --plan` applies exactly that or nothing. Written as JSON (which YAML reads too), checked like releases.yaml.
 */
export const PLAN_FORMAT = 'boutique.dev/plan/v1';

/** A live object the plan changes or deletes, as it was when the plan was made. */
export interface PlannedObject {
  /** `Kind/namespace/name` (`Kind//name` for cluster-scoped objects). */
  key: string;
  resourceVersion: string;
  /** metadata.generation where the kind has one: a spec change bumps it, a controller's status update does not. */
  generation?: number;
  /** A digest of labels and annotations, which change no generation. */
  meta?: string;
}

export interface PlannedRelease {
  /** namespace/name */
  id: string;
  action: 'install' | 'upgrade' | 'uninstall';
  reasons: string[];
  /** The hash of every input (app/inputs-hash.ts), keyed: a change of any input, secrets included, changes it. */
  inputsHash: string;
  /** The chart as releases.yaml names it, with its version where it has one. */
  chart: string;
  /** helm's revision the plan starts from; absent for an install. */
  fromRevision?: number;
  /** sha256 of the rendered manifest, for releases without secret values (their inputs hash covers them). */
  manifestSha256?: string;
  /** The rendered manifest to review, for releases without secret values (never written with one). */
  manifest?: string;
  objects: PlannedObject[];
}

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  environment: string;
  kubeContext?: string;
  createdAt: string;
  /** Every selected release, so `sync --plan` can tell a selection that is not the one reviewed. */
  selected: string[];
  releases: PlannedRelease[];
}

const planSchema = {
  type: 'object',
  required: ['format', 'environment', 'createdAt', 'selected', 'releases'],
  additionalProperties: false,
  properties: {
    format: { const: PLAN_FORMAT },
    environment: { type: 'string', minLength: 1 },
    kubeContext: { type: 'string' },
    createdAt: { type: 'string' },
    selected: { type: 'array', items: { type: 'string' } },
    releases: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'action', 'reasons', 'inputsHash', 'chart', 'objects'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[^/]+/[^/]+$' },
          action: { enum: ['install', 'upgrade', 'uninstall'] },
          reasons: { type: 'array', items: { type: 'string' } },
          inputsHash: { type: 'string' },
          chart: { type: 'string' },
          fromRevision: { type: 'integer', minimum: 1 },
          manifestSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          manifest: { type: 'string' },
          objects: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'resourceVersion'],
              additionalProperties: false,
              properties: {
                key: { type: 'string' },
                resourceVersion: { type: 'string' },
                generation: { type: 'integer' },
                meta: { type: 'string' },
              },
            },
          },
        },
      },
    },
  },
} as const;

let validator: ReturnType<ReturnType<typeof newAjv>['compile']> | undefined;

/** A saved plan read back: every problem located at its line and column, as releases.yaml's are (exit 2). */
export function readPlanFile(text: string, file: string): SavedPlan {
  const parsed = parseYaml(text, file);
  if (parsed.issues.length > 0) throw new ConfigError(parsed.issues);
  validator ??= newAjv({ validateSchema: false }).compile(planSchema);
  if (validator(parsed.value)) return parsed.value as SavedPlan;
  const issues = (validator.errors ?? []).map((error): ConfigIssue => {
    const path = pointerToPath(error.instancePath);
    return issueAt(parsed, path, `${error.instancePath || 'the plan'} ${messageOf(error)}`, hintOf(error));
  });
  throw new ConfigError(issues);
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'const')
    return `must be ${JSON.stringify(PLAN_FORMAT)}: this file is not a boutique plan, or one of another format version`;
  if (error.keyword === 'additionalProperties')
    return `has an unknown key "${String(error.params.additionalProperty)}"`;
  return error.message ?? error.keyword;
}

function hintOf(error: ErrorObject): string {
  return error.keyword === 'const'
    ? 'make the plan again with this boutique: boutique diff --save-plan FILE'
    : 'a plan is written by boutique diff --save-plan FILE and applied unchanged: make it again rather than editing it';
}

export function writePlanFile(plan: SavedPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

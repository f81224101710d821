import { AppError } from '../errors.js';
import { documentToJs, parseGoYamlDocuments } from '../yaml/go-yaml.js';
import { isRecord } from '../yaml/record.js';

/** A Kubernetes object as rendered by helm or returned by the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** A helm hook as a release holds it: its object's manifest and the events helm runs it on. */
export interface HelmHook {
  manifest: string;
  events: string[];
}

/** A manifest document that is not valid YAML or not a Kubernetes object; `documentIndex` is 1-based. */
export class ManifestParseError extends AppError {
  readonly code = 'MANIFEST';

  constructor(
    readonly documentIndex: number,
    detail: string,
  ) {
    super(`Parsing manifest document ${documentIndex}: ${detail}`, {
      suggestions: ['render the release with boutique template to see the manifest'],
    });
  }
}

/**
 * Splits multi-document YAML (helm template / helm get manifest output, or kubectl JSON) into objects.
 * Empty and comment-only documents are skipped; a `kind: List` (kubectl get -o json) is flattened into its items.
 */
export function parseManifests(text: string): KubeObject[] {
  // helm accepts duplicate keys (the last one wins), so a manifest helm installs must parse here too; and it reads
  // YAML 1.1, so `defaultMode: 0755` is 493 here as it is for the API server.
  const documents = parseGoYamlDocuments(text, { uniqueKeys: false });
  return documents.flatMap((document, index) => {
    const documentIndex = index + 1;
    const [firstError] = document.errors;
    if (firstError) throw new ManifestParseError(documentIndex, firstError.message);
    const value: unknown = documentToJs(document);
    if (value === null || value === undefined) return [];
    if (isRecord(value) && value.kind === 'List' && Array.isArray(value.items)) {
      return value.items.map((item: unknown) => asKubeObject(item, documentIndex));
    }
    return [asKubeObject(value, documentIndex)];
  });
}

function asKubeObject(value: unknown, documentIndex: number): KubeObject {
  if (!isRecord(value)) throw new ManifestParseError(documentIndex, 'expected a mapping (a Kubernetes object)');
  const metadata = value.metadata;
  const missing = [
    typeof value.apiVersion === 'string' && value.apiVersion !== '' ? undefined : 'apiVersion',
    typeof value.kind === 'string' && value.kind !== '' ? undefined : 'kind',
    isRecord(metadata) && typeof metadata.name === 'string' && metadata.name !== '' ? undefined : 'metadata.name',
  ].filter((field) => field !== undefined);
  if (missing.length > 0) throw new ManifestParseError(documentIndex, `missing ${missing.join(', ')}`);
  return value as KubeObject;
}

/** A core Secret, whose data and stringData values are never shown. */
export function isCoreSecret(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return obj.apiVersion === 'v1' && obj.kind === 'Secret';
}

// Built-in kinds that live outside namespaces; a rendered namespace on them is ignored by the API server.
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService',
  'CSIDriver',
  'CSINode',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `core`. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? 'core' : apiVersion.slice(0, slash);
}

/**
 * Stable identity of an object across rendered, deployed and live copies: `group/Kind/namespace/name`,
 * or `group/Kind/name` for cluster-scoped kinds. The version is left out on purpose: `autoscaling/v1`
 * and `autoscaling/v2` HorizontalPodAutoscalers are the same stored object.
 */
export function objectKey(obj: KubeObject, defaultNamespace: string): string {
  const group = apiGroup(obj.apiVersion);
  const namespace = objectNamespace(obj, defaultNamespace);
  return namespace === undefined
    ? `${group}/${obj.kind}/${obj.metadata.name}`
    : `${group}/${obj.kind}/${namespace}/${obj.metadata.name}`;
}

/** The namespace an object lives in, or undefined for a cluster-scoped kind. */
export function objectNamespace(obj: KubeObject, defaultNamespace: string): string | undefined {
  return CLUSTER_SCOPED_KINDS.has(obj.kind) ? undefined : (obj.metadata.namespace ?? defaultNamespace);
}

/** kubectl's fully qualified resource for a kind (`Deployment.v1.apps`, `Service.v1.`): never ambiguous. */
export function qualifiedKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const slash = obj.apiVersion.indexOf('/');
  return slash === -1
    ? `${obj.kind}.${obj.apiVersion}.`
    : `${obj.kind}.${obj.apiVersion.slice(slash + 1)}.${obj.apiVersion.slice(0, slash)}`;
}

/** The kinds a live read lists, by namespace ('' for cluster-scoped), each sorted: one list request per scope. */
export type KindsByScope = Record<string, string[]>;

export function kindsByScope(objects: readonly KubeObject[], defaultNamespace: string): KindsByScope {
  const kinds: Record<string, Set<string>> = {};
  for (const obj of objects)
    (kinds[objectNamespace(obj, defaultNamespace) ?? ''] ??= new Set()).add(qualifiedKind(obj));
  return Object.fromEntries(Object.entries(kinds).map(([scope, set]) => [scope, [...set].sort()]));
}

/** Whether a read of `listed` returned every object a read of `wanted` would. */
export function coversKinds(listed: KindsByScope, wanted: KindsByScope): boolean {
  return Object.entries(wanted).every(([scope, kinds]) => kinds.every((kind) => listed[scope]?.includes(kind)));
}

/** A CustomResourceDefinition of the API server's own group (not a custom resource that happens to share the kind). */
export const isCustomResourceDefinition = (obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean =>
  obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/');

/** Display reference in kubectl style: `Deployment/frontend`. */
export function objectRef(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.name}`;
}

/** The value at a field path such as `['spec', 'template']`, or undefined when any step is missing. */
export function fieldAt(value: unknown, path: readonly string[]): unknown {
  let node = value;
  for (const step of path) {
    if (!isRecord(node)) return undefined;
    node = node[step];
  }
  return node;
}

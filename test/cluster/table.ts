/** meta.k8s.io/v1 Table responses for `kubectl get` without -o: the columns kubectl users expect per kind. */
import type { JsonObject, KubeObject, ResourceType } from './kinds.js';

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',')[0]?.includes('as=Table') ?? false;
}

/** kubectl's HumanDuration, shortened: 45s, 3m12s, 2h5m, 4d. */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${minutes % 60 ? `${minutes % 60}m` : ''}`;
  return `${Math.floor(hours / 24)}d`;
}

type Column = [name: string, cell: (object: KubeObject) => string | number];

const field = (object: KubeObject, section: 'spec' | 'status', key: string): unknown => ((object[section] ?? {}) as JsonObject)[key];
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

const columns: Record<string, Column[]> = {
  Deployment: [
    ['Ready', (object) => `${count(field(object, 'status', 'readyReplicas'))}/${count(field(object, 'spec', 'replicas'))}`],
    ['Up-to-date', (object) => count(field(object, 'status', 'updatedReplicas'))],
    ['Available', (object) => count(field(object, 'status', 'availableReplicas'))],
  ],
  ReplicaSet: [
    ['Desired', (object) => count(field(object, 'spec', 'replicas'))],
    ['Current', (object) => count(field(object, 'status', 'replicas'))],
    ['Ready', (object) => count(field(object, 'status', 'readyReplicas'))],
  ],
  StatefulSet: [['Ready', (object) => `${count(field(object, 'status', 'readyReplicas'))}/${count(field(object, 'spec', 'replicas'))}`]],
  Service: [
    ['Type', (object) => String(field(object, 'spec', 'type') ?? 'ClusterIP')],
    ['Cluster-IP', (object) => String(field(object, 'spec', 'clusterIP') ?? '<none>')],
    [
      'External-IP',
      (object) => {
        const ingress = (((object.status ?? {}) as JsonObject).loadBalancer as JsonObject | undefined)?.ingress as JsonObject[] | undefined;
        if (ingress?.length) return ingress.map((entry) => String(entry.ip ?? entry.hostname)).join(',');
        return field(object, 'spec', 'type') === 'LoadBalancer' ? '<pending>' : '<none>';
      },
    ],
    [
      'Port(s)',
      (object) =>
        ((field(object, 'spec', 'ports') ?? []) as JsonObject[])
          .map((port) => `${port.port}${port.nodePort ? `:${port.nodePort}` : ''}/${port.protocol ?? 'TCP'}`)
          .join(',') || '<none>',
    ],
  ],
  ConfigMap: [['Data', (object) => Object.keys((object.data ?? {}) as JsonObject).length + Object.keys((object.binaryData ?? {}) as JsonObject).length]],
  Secret: [
    ['Type', (object) => String(object.type ?? 'Opaque')],
    ['Data', (object) => Object.keys((object.data ?? {}) as JsonObject).length],
  ],
  Namespace: [['Status', (object) => String(field(object, 'status', 'phase') ?? 'Active')]],
  PersistentVolumeClaim: [['Status', (object) => String(field(object, 'status', 'phase') ?? 'Pending')]],
  Pod: [['Status', (object) => String(field(object, 'status', 'phase') ?? 'Pending')]],
  Job: [['Completions', (object) => `${count(field(object, 'status', 'succeeded'))}/${count(field(object, 'spec', 'completions'))}`]],
};

/** Render one object or a list as a Table; rows carry the object's metadata so kubectl can show labels and names. */
export function renderTable(type: ResourceType, result: unknown): JsonObject {
  const listed = result as { items?: KubeObject[]; metadata?: JsonObject };
  const objects = Array.isArray(listed.items) ? listed.items : [result as KubeObject];
  const extra = columns[type.kind] ?? [];
  const definition = (name: string, format = ''): JsonObject => ({ name, type: 'string', format, description: '', priority: 0 });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: Array.isArray(listed.items) ? listed.metadata?.resourceVersion : (result as KubeObject).metadata.resourceVersion },
    columnDefinitions: [definition('Name', 'name'), ...extra.map(([name]) => definition(name)), definition('Age')],
    rows: objects.map((object) => ({
      cells: [object.metadata.name, ...extra.map(([, cell]) => cell(object)), humanAge(object.metadata.creationTimestamp)],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}

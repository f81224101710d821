import type { RuleDefinition } from '../rule.js';
import { list, record } from '../untyped.js';
import { allContainers, namespaceOf, type PodSpec } from '../workloads.js';

/** Names of the ConfigMaps a pod reads, through volumes, projected volumes, env and envFrom. */
function consumedConfigMaps(spec: PodSpec): Set<string> {
  const names: unknown[] = [];
  for (const volume of list(spec.volumes).map(record)) {
    names.push(record(volume.configMap).name);
    for (const source of list(record(volume.projected).sources).map(record)) names.push(record(source.configMap).name);
  }
  for (const container of allContainers(spec)) {
    for (const env of list(container.env).map(record)) names.push(record(record(env.valueFrom).configMapKeyRef).name);
    for (const envFrom of list(container.envFrom).map(record)) names.push(record(envFrom.configMapRef).name);
  }
  return new Set(names.filter((name): name is string => typeof name === 'string'));
}

export const configChecksum: RuleDefinition = {
  id: 'config-checksum',
  severity: 'warning',
  summary:
    'Pods that consume a ConfigMap of their release carry a `checksum/*` annotation, so config changes roll them.',
  fix: 'Annotate the pod template with checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}.',
  check: ({ target, workloads }) => {
    // Only ConfigMaps rendered by this release can be checksummed by its chart.
    const rendered = new Set(
      target.objects
        .filter((object) => object.kind === 'ConfigMap')
        .map((object) => `${namespaceOf(object, target.namespace)}/${object.metadata.name}`),
    );
    return workloads.flatMap((workload) => {
      if (Object.keys(workload.template.annotations).some((key) => key.startsWith('checksum/'))) return [];
      const namespace = namespaceOf(workload.object, target.namespace);
      const unchecked = [...consumedConfigMaps(workload.template.spec)].filter((name) =>
        rendered.has(`${namespace}/${name}`),
      );
      if (unchecked.length === 0) return [];
      const names = unchecked.map((name) => `"${name}"`).join(', ');
      return [
        {
          object: workload.object,
          message: `consumes ConfigMap ${names} but its pod template has no checksum/* annotation`,
        },
      ];
    });
  },
};

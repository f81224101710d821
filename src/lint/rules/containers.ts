import type { RuleContext, RuleDefinition, Violation } from '../rule.js';
import type { Container, Probe, Workload } from '../workloads.js';
import { allContainers, appContainers, containerRef } from '../workloads.js';

/** Runs `check` on the chosen containers of every workload that `applies`, collecting its messages. */
function perContainer(
  context: RuleContext,
  containers: typeof appContainers,
  check: (container: Container, workload: Workload) => string | undefined,
  applies: (workload: Workload) => boolean = () => true,
): Violation[] {
  return context.workloads.filter(applies).flatMap((workload) =>
    containers(workload.template.spec).flatMap((container) => {
      const message = check(container, workload);
      return message === undefined
        ? []
        : [{ object: workload.object, message: `${containerRef(container)} ${message}` }];
    }),
  );
}

export const imageTag: RuleDefinition = {
  id: 'image-tag',
  severity: 'error',
  summary: 'Images are pinned to a tag other than `latest`, or to a digest.',
  fix: 'Pin the image to a released tag or digest, e.g. `repo/app:v1.2.3`.',
  check: (context) =>
    perContainer(context, allContainers, ({ image }) => {
      if (typeof image !== 'string' || image.includes('@')) return undefined;
      const lastSlash = image.lastIndexOf('/');
      const colon = image.lastIndexOf(':');
      if (colon <= lastSlash) return `image "${image}" has no tag, so it runs whatever \`latest\` is`;
      return image.slice(colon + 1) === 'latest' ? `image "${image}" uses the mutable tag \`latest\`` : undefined;
    }),
};

export const readinessProbe: RuleDefinition = {
  id: 'readiness-probe',
  severity: 'warning',
  summary: 'Long-running containers have a readinessProbe, so traffic waits until they can serve it.',
  fix: 'Add a readinessProbe (httpGet, tcpSocket or grpc) on the port the container serves.',
  check: (context) =>
    perContainer(
      context,
      appContainers,
      (container) => (container.readinessProbe ? undefined : 'has no readinessProbe'),
      (workload) => workload.longRunning,
    ),
};

export const livenessProbe: RuleDefinition = {
  id: 'liveness-probe',
  severity: 'warning',
  summary: 'Long-running containers have a livenessProbe, so a hung process is restarted.',
  fix: 'Add a livenessProbe (httpGet, tcpSocket or grpc) that fails only when the process must be restarted.',
  check: (context) =>
    perContainer(
      context,
      appContainers,
      (container) => (container.livenessProbe ? undefined : 'has no livenessProbe'),
      (workload) => workload.longRunning,
    ),
};

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

function probePortOf(probe: Probe | undefined): number | string | undefined {
  return probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
}

export const probePort: RuleDefinition = {
  id: 'probe-port',
  severity: 'error',
  summary: "A probe that names its port names one of the container's ports (a numeric port needs no declaration).",
  fix: 'Name a port declared under `ports`, or give the probe the port number.',
  check: (context) =>
    perContainer(context, appContainers, (container) => {
      const ports = Array.isArray(container.ports) ? container.ports : [];
      // The kubelet probes any number it is given; only a name must resolve to a declared port.
      const problems = PROBES.flatMap((probeName) => {
        const port = probePortOf(container[probeName]);
        if (typeof port !== 'string' || ports.some((declaredPort) => declaredPort?.name === port)) return [];
        return [`${probeName} port ${JSON.stringify(port)}`];
      });
      if (problems.length === 0) return undefined;
      const exposed = ports.map((port) =>
        port?.name ? `${port.name}=${port.containerPort}` : String(port?.containerPort),
      );
      return `${problems.join(', ')} not among its ports (${exposed.join(', ') || 'none declared'})`;
    }),
};

export const resourceRequests: RuleDefinition = {
  id: 'resource-requests',
  severity: 'warning',
  summary: 'Containers request cpu and memory, so the scheduler can place them.',
  fix: 'Set resources.requests.cpu and resources.requests.memory, e.g. 100m and 64Mi.',
  check: (context) =>
    perContainer(context, appContainers, ({ resources }) => {
      const missing = ['cpu', 'memory'].filter((resource) => resources?.requests?.[resource] === undefined);
      return missing.length === 0 ? undefined : `has no ${missing.join(' or ')} request`;
    }),
};

export const memoryLimit: RuleDefinition = {
  id: 'memory-limit',
  severity: 'warning',
  summary: 'Containers have a memory limit, so a leak cannot starve the node.',
  fix: 'Set resources.limits.memory, e.g. twice the memory request.',
  check: (context) =>
    perContainer(context, appContainers, ({ resources }) =>
      resources?.limits?.memory === undefined ? 'has no memory limit' : undefined,
    ),
};

export const runAsNonRoot: RuleDefinition = {
  id: 'run-as-non-root',
  severity: 'warning',
  summary: 'Containers run with `runAsNonRoot: true` (set on the pod or the container).',
  fix: 'Set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod.',
  check: (context) =>
    perContainer(context, allContainers, (container, workload) => {
      const effective = container.securityContext?.runAsNonRoot ?? workload.template.spec.securityContext?.runAsNonRoot;
      return effective === true ? undefined : 'may run as root: runAsNonRoot is not true';
    }),
};

export const privileged: RuleDefinition = {
  id: 'privileged',
  severity: 'warning',
  summary: 'No container runs privileged.',
  fix: 'Remove securityContext.privileged, or grant only the capabilities the container needs.',
  check: (context) =>
    perContainer(context, allContainers, ({ securityContext }) =>
      securityContext?.privileged === true ? 'runs privileged' : undefined,
    ),
};

export const privilegeEscalation: RuleDefinition = {
  id: 'privilege-escalation',
  severity: 'warning',
  summary: 'Containers set `allowPrivilegeEscalation: false` (it defaults to true).',
  fix: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  check: (context) =>
    perContainer(context, allContainers, ({ securityContext }) =>
      securityContext?.allowPrivilegeEscalation === false
        ? undefined
        : 'allows privilege escalation: allowPrivilegeEscalation is not false',
    ),
};

export const writableRootFs: RuleDefinition = {
  id: 'writable-root-fs',
  severity: 'warning',
  summary: 'Containers mount their root filesystem read-only.',
  fix: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.',
  check: (context) =>
    perContainer(context, allContainers, ({ securityContext }) =>
      securityContext?.readOnlyRootFilesystem === true ? undefined : 'has a writable root filesystem',
    ),
};

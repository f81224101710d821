/** Run the pinned helm and kubectl against an emulator, for the conformance suites. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { helmBinary, kubectlBinary } from '../support/tools.js';
import type { Emulator } from './emulator.js';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(binary: string, emulator: Emulator, args: string[], input?: string): Promise<ToolResult> {
  const result = await execa(binary, args, {
    env: emulator.env,
    reject: false,
    ...(input !== undefined ? { input } : {}),
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * client-go's reflector logs this when a wait ends the watches it started and the read of a stream sees the cancel
 * before the reflector does: a race of client-go's own, seen against every API server (werf/kubedog#364,
 * kubernetes-sigs/cluster-api#11141). Dropped, so that an empty stderr still means helm warned of nothing.
 */
const ownCancelledWatch = /^I\d{4} [\d:.]+ +\d+ reflector\.go:\d+\] "Warning: watch ended with error" .*context canceled.*\n?/gm;

export const helm = async (emulator: Emulator, args: string[]): Promise<ToolResult> => {
  const result = await run(helmBinary(), emulator, args);
  return { ...result, stderr: result.stderr.replace(ownCancelledWatch, '') };
};

export const kubectl = (emulator: Emulator, args: string[], input?: string): Promise<ToolResult> => run(kubectlBinary(), emulator, args, input);

/** A chart `name` in `directory` with the given values.yaml text and templates (file name → text). */
export async function writeChartFiles(directory: string, name: string, values: string, templates: Record<string, string>): Promise<string> {
  const chart = join(directory, name);
  await mkdir(join(chart, 'templates'), { recursive: true });
  await writeFile(join(chart, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nappVersion: "1.0"\n`);
  await writeFile(join(chart, 'values.yaml'), values);
  for (const [file, text] of Object.entries(templates)) await writeFile(join(chart, 'templates', file), text);
  return chart;
}

/**
 * A throwaway chart: ConfigMap + Deployment + Service, and a post-install/upgrade hook Job when `hook=true`.
 * Values: message (ConfigMap data and container env), image, replicas.
 */
export function writeChart(directory: string): Promise<string> {
  return writeChartFiles(directory, 'demo', 'message: hello\nimage: nginx:1.27\nreplicas: 1\nhook: false\n', {
    'app.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
data:
  message: {{ .Values.message | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  labels: {app: {{ .Release.Name }}-web}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}-web}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}-web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          ports: [{name: http, containerPort: 8080}]
          env: [{name: MESSAGE, value: {{ .Values.message | quote }}}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {app: {{ .Release.Name }}-web}
  ports: [{name: http, port: 80, targetPort: http}]
`,
    'hook.yaml': `{{- if .Values.hook }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
          command: [sh, -c, "true"]
{{- end }}
`,
  });
}

/** Every kind the shipped charts render: ServiceAccount, Secret, PVC, LoadBalancer Service, StatefulSet with claims, HPA, PDB, Ingress, NetworkPolicy. */
export function writeAllKindsChart(directory: string): Promise<string> {
  return writeChartFiles(directory, 'kinds', '{}\n', {
    'all.yaml': `apiVersion: v1
kind: ServiceAccount
metadata: {name: {{ .Release.Name }}}
---
apiVersion: v1
kind: Secret
metadata: {name: {{ .Release.Name }}-auth}
stringData: {password: s3cret}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: {{ .Release.Name }}-scratch}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}-lb}
spec:
  type: LoadBalancer
  selector: {app: {{ .Release.Name }}}
  ports: [{port: 80, targetPort: 6379}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: {{ .Release.Name }}-db}
spec:
  serviceName: {{ .Release.Name }}-lb
  replicas: 2
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      serviceAccountName: {{ .Release.Name }}
      containers: [{name: redis, image: "redis:alpine", ports: [{containerPort: 6379}]}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: {{ .Release.Name }}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: {{ .Release.Name }}-db}
  minReplicas: 2
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: {{ .Release.Name }}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: {{ .Release.Name }}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: {{ .Release.Name }}}
spec:
  rules:
    - host: shop.example.com
      http:
        paths: [{path: /, pathType: Prefix, backend: {service: {name: {{ .Release.Name }}-lb, port: {number: 80}}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: {{ .Release.Name }}}
spec:
  podSelector: {matchLabels: {app: {{ .Release.Name }}}}
  ingress: [{from: [{podSelector: {}}]}]
`,
  });
}

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

export const helm = (emulator: Emulator, args: string[]): Promise<ToolResult> => run(helmBinary(), emulator, args);

export const kubectl = (emulator: Emulator, args: string[], input?: string): Promise<ToolResult> => run(kubectlBinary(), emulator, args, input);

/**
 * A throwaway chart: ConfigMap + Deployment + Service, and a post-install/upgrade hook Job when `hook=true`.
 * Values: message (ConfigMap data and container env), image, replicas.
 */
export async function writeChart(directory: string): Promise<string> {
  const chart = join(directory, 'demo');
  await mkdir(join(chart, 'templates'), { recursive: true });
  await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: "1.0"\n');
  await writeFile(join(chart, 'values.yaml'), 'message: hello\nimage: nginx:1.27\nreplicas: 1\nhook: false\n');
  await writeFile(
    join(chart, 'templates', 'app.yaml'),
    `apiVersion: v1
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
  );
  await writeFile(
    join(chart, 'templates', 'hook.yaml'),
    `{{- if .Values.hook }}
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
  );
  return chart;
}

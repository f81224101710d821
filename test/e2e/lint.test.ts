import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boutique } from '../support/cli.js';
import { helmBinary } from '../support/tools.js';

const env = { BOUTIQUE_HELM: helmBinary() };

/** A one-chart system whose Deployment takes its image and an extra container field from values. */
function system(releasesYaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'boutique-lint-'));
  mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
  writeFileSync(
    join(dir, 'chart', 'Chart.yaml'),
    'apiVersion: v2\nname: web\nversion: 0.1.0\nicon: https://example.com/icon.png\n',
  );
  writeFileSync(join(dir, 'chart', 'values.yaml'), 'image: nginx:1.27\nextra: {}\n');
  writeFileSync(
    join(dir, 'chart', 'values.schema.json'),
    JSON.stringify({
      type: 'object',
      additionalProperties: false,
      properties: { image: { type: 'string' }, extra: { type: 'object' } },
    }),
  );
  writeFileSync(
    join(dir, 'chart', 'templates', 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector: { matchLabels: { app: {{ .Release.Name }} } }
  template:
    metadata: { labels: { app: {{ .Release.Name }} } }
    spec:
      securityContext: { runAsNonRoot: true }
      containers:
        - name: web
          image: {{ .Values.image }}
          {{- with .Values.extra }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: http } }
          livenessProbe: { httpGet: { path: /, port: http } }
          resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 32Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }
`,
  );
  writeFileSync(join(dir, 'releases.yaml'), releasesYaml);
  return dir;
}

describe('boutique lint on the shipped Online Boutique', () => {
  it('finds nothing in any environment', async () => {
    for (const environment of ['default', 'dev', 'staging', 'prod']) {
      const result = await boutique(['lint', '-e', environment, '-o', 'json'], { env });
      expect(result.exitCode, `${environment}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, summary: { errors: 0, warnings: 0 } });
    }
  });
});

describe('boutique lint layers', () => {
  it('reports releases.yaml problems with file:line:col and exits 2', async () => {
    const dir = system('releases:\n  - name: web\n    chart: ./chart\n    needs: [db]\n');
    const result = await boutique(['lint', '-o', 'json'], { cwd: dir, env });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).results).toEqual([
      {
        ruleId: 'config',
        layer: 'config',
        severity: 'error',
        release: 'releases.yaml',
        file: 'releases.yaml',
        line: 4,
        column: 13,
        message: 'release default/web needs "db", but no release has that name',
        fix: 'declare the release in releases.yaml or remove the need',
      },
    ]);
  });

  it("reports values that break a local chart's schema at the line that set them, before helm runs", async () => {
    const dir = system('releases:\n  - name: web\n    chart: ./chart\n    values: [{ imagee: nginx }]\n');
    const result = await boutique(['lint', '-o', 'json'], { cwd: dir, env });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).results).toEqual([
      {
        ruleId: 'config',
        layer: 'config',
        severity: 'error',
        release: 'releases.yaml',
        file: 'releases.yaml',
        line: 4,
        column: 16,
        message: 'unknown key "imagee": chart/values.schema.json does not allow it (release default/web)',
        fix: 'did you mean "image"?',
      },
    ]);
  });

  it('validates rendered manifests strictly against the Kubernetes schemas', async () => {
    const dir = system(
      'releases:\n  - name: web\n    chart: ./chart\n    values: [{ extra: { imagePullPolicyy: Always } }]\n',
    );
    const result = await boutique(['lint'], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Deployment/web: spec.template.spec.containers[0].imagePullPolicyy: unknown field');
    expect(result.stdout).toContain('[kube-schema]');
  });

  it('applies best-practice rules, re-levelled or switched off in releases.yaml', async () => {
    const strict = system('releases:\n  - name: web\n    chart: ./chart\n    values: [{ image: nginx:latest }]\n');
    const failing = await boutique(['lint', '-o', 'json'], { cwd: strict, env });
    expect(failing.exitCode).toBe(1);
    expect(JSON.parse(failing.stdout).results).toEqual([
      expect.objectContaining({
        ruleId: 'image-tag',
        layer: 'rules',
        severity: 'error',
        release: 'default/web',
        object: 'Deployment/web',
      }),
    ]);

    const relaxed = system(
      'lint:\n  rules:\n    image-tag: warning\nreleases:\n  - name: web\n    chart: ./chart\n    values: [{ image: nginx:latest }]\n',
    );
    const warned = await boutique(['lint', '-o', 'json'], { cwd: relaxed, env });
    expect(warned.exitCode).toBe(0);
    expect(JSON.parse(warned.stdout)).toMatchObject({ ok: true, summary: { errors: 0, warnings: 1 } });

    const off = system(
      'releases:\n  - name: web\n    chart: ./chart\n    values: [{ image: nginx:latest }]\n    lint: { rules: { image-tag: "off" } }\n',
    );
    expect((await boutique(['lint'], { cwd: off, env })).stdout).toBe('No findings.\n');
  });
});

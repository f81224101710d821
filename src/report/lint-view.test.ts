import { describe, expect, it } from 'vitest';
import { lintExitCode, lintReport, renderLintText, renderRuleList } from './lint-view.js';
import { rules } from '../lint/rules/index.js';
import type { Finding } from '../lint/types.js';

// One finding of each layer's shape, over two releases, as `boutique lint` would collect them.
const findings: Finding[] = [
  {
    ruleId: 'config-schema',
    layer: 'config',
    severity: 'error',
    release: 'boutique/cartservice',
    file: 'releases.yaml',
    line: 12,
    column: 7,
    message: 'unknown property "chrat"',
    fix: 'Did you mean "chart"?',
  },
  {
    ruleId: 'helm-lint',
    layer: 'helm',
    severity: 'error',
    release: 'boutique/cartservice',
    file: 'charts/microservice',
    message: '[ERROR] values.yaml: replicas must be an integer',
  },
  {
    ruleId: 'kube-schema',
    layer: 'schema',
    severity: 'error',
    release: 'boutique/frontend',
    object: 'Deployment/frontend',
    message: 'spec.template.spec.containers[0].imagePullPolicyy: unknown field',
    fix: 'Did you mean "imagePullPolicy"?',
  },
  {
    ruleId: 'readiness-probe',
    layer: 'rules',
    severity: 'warning',
    release: 'boutique/frontend',
    object: 'Deployment/frontend',
    message: 'container "server" has no readinessProbe',
    fix: 'Add a readinessProbe (httpGet, tcpSocket or grpc) on the port the container serves.',
  },
  {
    ruleId: 'plaintext-secret',
    layer: 'rules',
    severity: 'error',
    release: 'boutique/frontend',
    file: 'values/prod.yaml',
    line: 7,
    column: 18,
    message: 'auth.adminPassword holds a literal secret',
    fix: 'Reference a Secret instead.',
  },
  {
    ruleId: 'kube-schema-missing',
    layer: 'schema',
    severity: 'info',
    release: 'boutique/frontend',
    object: 'ServiceMonitor/frontend',
    message:
      'no schema for monitoring.coreos.com/v1 ServiceMonitor in Kubernetes 1.35 or in the rendered CRDs; not validated',
  },
];

describe('renderLintText', () => {
  it('groups findings by release with location, rule id, fix and the counts', async () => {
    await expect(renderLintText(findings, { color: false })).toMatchFileSnapshot(
      '../../test/fixtures/lint/expected-text.txt',
    );
  });

  it('colours severities only when asked', () => {
    const coloured = renderLintText(findings, { color: true });
    expect(coloured).toContain('\u001b[31merror  \u001b[39m');
    expect(coloured).toContain('\u001b[33mwarning\u001b[39m');
    expect(renderLintText(findings, { color: false })).not.toContain('\u001b[');
  });

  it('says so when there is nothing to report', () => {
    expect(renderLintText([], { color: false })).toBe('No findings.\n');
  });
});

describe('lintReport', () => {
  it('is a JSON document with the pass verdict, counts and every finding', () => {
    const report = JSON.parse(JSON.stringify(lintReport(findings)));
    expect(Object.keys(report)).toEqual(['passed', 'summary', 'findings']);
    expect(report.passed).toBe(false);
    expect(report.summary).toEqual({ errors: 4, warnings: 1, info: 1 });
    expect(report.findings).toEqual(findings);
  });

  it('passes, and exits 0, when only warnings and notices remain', () => {
    const remaining = findings.filter((finding) => finding.severity !== 'error');
    expect(lintReport(remaining).passed).toBe(true);
    expect(lintExitCode(remaining)).toBe(0);
    expect(lintExitCode(findings)).toBe(1);
  });
});

describe('renderRuleList', () => {
  it('lists every rule with its default severity, ids aligned', () => {
    const lines = renderRuleList(rules, { color: false }).trimEnd().split('\n');
    expect(lines).toHaveLength(rules.length);
    expect(lines[0]).toBe(
      'image-tag             error    Images are pinned to a tag other than `latest`, or to a digest.',
    );
    expect(lines.at(-1)).toBe(
      'nodeport-service      warning  Services are not of type NodePort, which opens a port on every node.',
    );
  });
});

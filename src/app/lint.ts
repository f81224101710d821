import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Release, ReleasesConfig } from '../config/types.js';
import type { ConfigIssue } from '../errors.js';
import { parseManifests, type KubeObject } from '../kube/objects.js';
import type { Helm } from '../helm/helm.js';
import { lintObjects, validateSchemas, type Finding, type Severity } from '../lint/index.js';
import { kubeTarget } from './kube-catalogues.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles } from './values-files.js';
import { maskerOf } from '../secrets/mask.js';

const helmSeverity: Record<string, Severity> = { ERROR: 'error', WARNING: 'warning' };

/**
 * helm lint's findings, helm's words kept. `[INFO]` lines (icon is recommended…) are left out; a finding's
 * continuation lines (a schema error's details) stay with it.
 */
export function parseHelmLint(output: string, release: string): Finding[] {
  const findings: Finding[] = [];
  let current: Finding | undefined;
  for (const line of output.split('\n')) {
    const match = /^\[(ERROR|WARNING|INFO)\] (.*)$/.exec(line);
    if (match) {
      current = helmSeverity[match[1]!] ? { ruleId: 'helm-lint', layer: 'helm', severity: helmSeverity[match[1]!]!, release, message: match[2]!.trimEnd() } : undefined;
      if (current) findings.push(current);
    } else if (current && line.trim() !== '' && !line.startsWith('==>') && !/^Error: \d+ chart\(s\) linted/.test(line)) {
      current.message += `\n${line.trimEnd()}`;
    } else if (line.trim() === '') {
      current = undefined;
    }
  }
  return findings;
}

/** One release's helm lint findings and, when it renders, its objects. */
async function renderAndHelmLint(release: Release, helm: Helm, values: string[]): Promise<{ findings: Finding[]; objects?: KubeObject[] }> {
  const findings: Finding[] = [];
  if (release.chart.kind === 'local' && release.lintRules['helm-lint'] !== 'off') {
    const strict = release.lintRules['helm-lint-strict'] !== 'off';
    const { passed, output } = await helm.lint(release, values, { strict });
    findings.push(...parseHelmLint(output, release.id));
    // helm failed and named no error: with --strict its warnings failed it; otherwise its last line says why.
    if (!passed && findings.every((finding) => finding.severity !== 'error')) {
      const message = strict && findings.length > 0 ? 'helm lint --strict fails on the warnings above' : output.trim().split('\n').at(-1)!;
      const fix = strict ? 'fix the warnings, or set lint.rules.helm-lint-strict: off for this release to lint it without --strict' : undefined;
      findings.push({ ruleId: 'helm-lint', layer: 'helm', severity: 'error', release: release.id, message, ...(fix && { fix }) });
    }
  }
  let manifest: string;
  try {
    manifest = await helm.template(release, values);
  } catch (error) {
    // helm lint already explains a chart that does not render; say it once more only when it did not.
    if (!findings.some((finding) => finding.severity === 'error')) {
      findings.push({ ruleId: 'helm-template', layer: 'helm', severity: 'error', release: release.id, message: (error as Error).message.trim() });
    }
    return { findings };
  }
  return { findings, objects: parseManifests(manifest) };
}

/** The CRDs that the releases a release needs (transitively) render: an operator's, for a release of its custom resources. */
function crdsOfNeeds(release: Release, config: ReleasesConfig, rendered: ReadonlyMap<string, KubeObject[]>): KubeObject[] {
  const byId = new Map(config.releases.map((candidate) => [candidate.id, candidate]));
  const seen = new Set<string>();
  const pending = [...release.needs];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    pending.push(...(byId.get(id)?.needs ?? []));
  }
  return [...seen].flatMap((id) => (rendered.get(id) ?? []).filter((obj) => obj.kind === 'CustomResourceDefinition'));
}

/** releases.yaml problems as lint findings (layer 1), so lint reports them in its own formats. */
export function configFindings(issues: readonly ConfigIssue[]): Finding[] {
  return issues.map((issue) => ({
    ruleId: 'config', layer: 'config', severity: 'error', release: issue.file, file: issue.file, line: issue.line, column: issue.column, message: issue.message,
    ...(issue.hint && { fix: issue.hint }),
  }));
}

/** Layers 2 to 4 of boutique lint for each release, in parallel; layer 1 (releases.yaml) is loading the config. */
export async function lintReleases(config: ReleasesConfig, releases: readonly Release[], helm: Helm, options: { concurrency: number; kubeVersion: string }): Promise<Finding[]> {
  // Read before any render: a version with no schemas is a usage error, found before helm runs.
  const kube = kubeTarget(options.kubeVersion);
  const perRelease = await withValuesFiles((valuesFiles) => mapInOrder(releases, options.concurrency, (release) => renderAndHelmLint(release, helm, valuesFiles.argsFor(release))));
  const rendered = new Map(releases.flatMap((release, index) => (perRelease[index]!.objects ? [[release.id, perRelease[index]!.objects!] as const] : [])));
  return releases.flatMap((release, index) => {
    const { findings, objects } = perRelease[index]!;
    if (!objects) return findings;
    const valuesFiles = release.values.flatMap((layer) => (layer.kind === 'file' ? [{ path: relative(process.cwd(), layer.path), text: readFileSync(layer.path, 'utf8') }] : []));
    // A finding about a rendered object may quote it: what it says of a secret value is masked as text.
    const masker = maskerOf(release);
    return [
      ...findings,
      ...validateSchemas(objects, kube, release.id, crdsOfNeeds(release, config, rendered)),
      ...lintObjects({ release: release.id, namespace: release.namespace, production: config.environment.production, objects, valuesFiles, rules: release.lintRules }),
    ].map((finding) => (masker.active ? { ...finding, message: masker.helmMessage(finding.message), ...(finding.fix && { fix: masker.helmMessage(finding.fix) }) } : finding));
  });
}

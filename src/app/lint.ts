import { relative } from 'node:path';
import { valuesReaderOf } from '../config/load.js';
import type { Release, ReleasesConfig } from '../config/types.js';
import type { ConfigIssue } from '../errors.js';
import { transitiveNeeds } from '../graph/dag.js';
import { parseManifests, type KubeObject } from '../kube/objects.js';
import type { Helm } from '../helm/helm.js';
import { lintObjects, validateSchemas, type Finding, type Severity } from '../lint/index.js';
import { kubeTarget } from './kube-catalogues.js';
import { mapInOrder } from './pool.js';
import { withValuesFiles } from './values-files.js';
import { withSopsValues } from './sops-values.js';
import { maskerOf } from '../secrets/mask.js';
import { withStandIns } from './cluster-secrets.js';

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
      current = helmSeverity[match[1]!]
        ? {
            ruleId: 'helm-lint',
            layer: 'helm',
            severity: helmSeverity[match[1]!]!,
            release,
            message: match[2]!.trimEnd(),
          }
        : undefined;
      if (current) findings.push(current);
    } else if (
      current &&
      line.trim() !== '' &&
      !line.startsWith('==>') &&
      !/^Error: \d+ chart\(s\) linted/.test(line)
    ) {
      current.message += `\n${line.trimEnd()}`;
    } else if (line.trim() === '') {
      current = undefined;
    }
  }
  return findings;
}

/** The findings of one helm lint run, and the error that says why helm failed when it named none. */
function helmLintFindings(run: { passed: boolean; output: string }, release: Release, strict: boolean): Finding[] {
  const findings = parseHelmLint(run.output, release.id);
  // helm failed and named no error: with --strict its warnings failed it; otherwise its last line says why.
  if (!run.passed && findings.every((finding) => finding.severity !== 'error')) {
    const message =
      strict && findings.length > 0
        ? 'helm lint --strict fails on the warnings above'
        : run.output.trim().split('\n').at(-1)!;
    const fix = strict
      ? 'fix the warnings, or set lint.rules.helm-lint-strict: warning for this release to show them without failing'
      : undefined;
    findings.push({
      ruleId: 'helm-lint',
      layer: 'helm',
      severity: 'error',
      release: release.id,
      message,
      ...(fix && { fix }),
    });
  }
  return findings;
}

/**
 * helm lint of a local chart, without --strict as helm and helmfile lint by default. Since helm 3.2 --strict only
 * fails the chart on its warnings, so what it would add is said at the `helm-lint-strict` setting (default warning)
 * beside them; `helm-lint-strict: error` (or `boutique lint --strict`) lints with --strict, `off` says nothing more.
 */
async function helmLint(release: Release, helm: Helm, values: string[], strictRequested: boolean): Promise<Finding[]> {
  const setting = strictRequested ? 'error' : (release.lintRules['helm-lint-strict'] ?? 'warning');
  const strict = setting === 'error';
  const findings = helmLintFindings(await helm.lint(release, values, { strict }), release, strict);
  const warnings = findings.filter((finding) => finding.severity === 'warning').length;
  if (strict || setting === 'off' || warnings === 0) return findings;
  return [
    ...findings,
    {
      ruleId: 'helm-lint-strict',
      layer: 'helm',
      severity: setting,
      release: release.id,
      message: `helm lint --strict would fail on ${warnings === 1 ? 'the warning' : `the ${warnings} warnings`} above`,
      fix: 'fix them, or set lint.rules.helm-lint-strict: error (boutique lint --strict for every release) to fail on them as helm lint --strict does',
    },
  ];
}

/** One release's helm lint findings and, when it renders, its objects. */
async function renderAndHelmLint(
  release: Release,
  helm: Helm,
  values: string[],
  strict: boolean,
): Promise<{ findings: Finding[]; objects?: KubeObject[] }> {
  // helm lint and helm template of one release run side by side: each reads the same values, and for a large
  // values file each spends most of its time parsing them.
  const linting =
    release.chart.kind === 'local' && release.lintRules['helm-lint'] !== 'off'
      ? helmLint(release, helm, values, strict)
      : Promise.resolve<Finding[]>([]);
  // With crds/: custom resources are validated against the CRDs the chart installs before them.
  const rendering = helm.templateWithCrds(release, values).then(
    (manifest) => ({ manifest }),
    (error: Error) => ({ error }),
  );
  const [findings, rendered] = await Promise.all([linting, rendering]);
  if ('error' in rendered) {
    // helm lint already explains a chart that does not render; say it once more only when it did not.
    if (!findings.some((finding) => finding.severity === 'error')) {
      findings.push({
        ruleId: 'helm-template',
        layer: 'helm',
        severity: 'error',
        release: release.id,
        message: rendered.error.message.trim(),
      });
    }
    return { findings };
  }
  return { findings, objects: parseManifests(rendered.manifest) };
}

/** The CRDs that the releases a release needs (transitively) render: an operator's, for a release of its custom resources. */
function crdsOfNeeds(
  release: Release,
  config: ReleasesConfig,
  rendered: ReadonlyMap<string, KubeObject[]>,
): KubeObject[] {
  return [...transitiveNeeds(config.releases, [release.id])].flatMap((id) =>
    (rendered.get(id) ?? []).filter((obj) => obj.kind === 'CustomResourceDefinition'),
  );
}

/** releases.yaml problems as lint findings (layer 1), so lint reports them in its own formats. */
export function configFindings(issues: readonly ConfigIssue[]): Finding[] {
  return issues.map((issue) => ({
    ruleId: 'config',
    layer: 'config',
    severity: 'error',
    release: issue.file,
    file: issue.file,
    line: issue.line,
    column: issue.column,
    message: issue.message,
    ...(issue.hint && { fix: issue.hint }),
  }));
}

/** Layers 2 to 4 of boutique lint for each release, in parallel; layer 1 (releases.yaml) is loading the config. */
/** `strict`: helm lint --strict for every release (boutique lint --strict), as `helm-lint-strict: error` asks per release. */
export async function lintReleases(
  config: ReleasesConfig,
  sealed: readonly Release[],
  helm: Helm,
  options: { concurrency: number; kubeVersion: string; strict?: boolean },
): Promise<Finding[]> {
  // Read before any render: a version with no schemas is a usage error, found before helm runs.
  const kube = kubeTarget(options.kubeVersion);
  helm.checkDependencies(sealed);
  // helm lint checks the chart with the values a sync would give it, so sops files are decrypted here too.
  const releases = await withSopsValues(sealed);
  const perRelease = await withValuesFiles((valuesFiles) =>
    mapInOrder(releases, options.concurrency, (release) => {
      const offline = withStandIns(release);
      return renderAndHelmLint(offline, helm, valuesFiles.argsFor(offline), options.strict ?? false);
    }),
  );
  const rendered = new Map(
    releases.flatMap((release, index) =>
      perRelease[index]!.objects ? [[release.id, perRelease[index]!.objects!] as const] : [],
    ),
  );
  return releases.flatMap((release, index) => {
    const { findings, objects } = perRelease[index]!;
    if (!objects) return findings;
    const valuesFiles = release.values.flatMap((layer) => {
      if (layer.kind !== 'file') return [];
      const { doc, lineCounter } = valuesReaderOf(release).read(layer.path);
      return [{ path: relative(process.cwd(), layer.path), document: doc, lineCounter }];
    });
    // A finding about a rendered object may quote it: what it says of a secret value is masked as text.
    const masker = maskerOf(release);
    return [
      ...findings,
      ...validateSchemas(objects, kube, release.id, crdsOfNeeds(release, config, rendered)),
      ...lintObjects({
        release: release.id,
        namespace: release.namespace,
        production: config.environment.production,
        objects,
        valuesFiles,
        rules: release.lintRules,
      }),
    ].map((finding) =>
      masker.active
        ? {
            ...finding,
            message: masker.helmMessage(finding.message),
            ...(finding.fix && { fix: masker.helmMessage(finding.fix) }),
          }
        : finding,
    );
  });
}

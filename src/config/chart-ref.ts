import { isAbsolute } from 'node:path';

/** A chart as written in releases.yaml, split into its parts, or what is wrong with it. */
export type ChartReference =
  | { kind: 'local'; path: string }
  | { kind: 'repository'; repository: string; name: string; version?: string }
  | { kind: 'oci'; url: string; version?: string }
  | { kind: 'invalid'; problem: string; hint: string };

// helm's chart and repository names; OCI path segments as the distribution spec allows them.
const namePattern = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;
const ociSegment = /^[a-z0-9]+([._-][a-z0-9]+)*$/;
const ociHost = /^[A-Za-z0-9.-]+(:[0-9]+)?$/;

/**
 * What helm's --version accepts that boutique checks before helm sees it: a semantic version (1.2.3, v1.2.3-rc.1)
 * or a single constraint such as ^1.2, ~1.2.3, >=1.0 or 1.2.x; never a space, which would split the argument.
 */
const versionPattern =
  /^(\^|~|>=|<=|>|<|=)?v?(0|[1-9][0-9]*|x|\*)(\.(0|[1-9][0-9]*|x|\*)){0,2}(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export function isLocalChart(chart: string): boolean {
  return chart.startsWith('./') || chart.startsWith('../') || isAbsolute(chart) || chart === '.';
}

/** Why `version` is not a chart version, or undefined when it is one. */
export function versionProblem(version: string): { problem: string; hint: string } | undefined {
  if (versionPattern.test(version)) return undefined;
  return {
    problem: `"${version}" is not a chart version`,
    hint: 'write a semantic version such as 1.2.3 (or a constraint such as ^1.2), without spaces',
  };
}

/** Reads `./path`, `repo/chart[@version]` and `oci://host/path/chart[@version]`. */
export function parseChartReference(chart: string): ChartReference {
  if (isLocalChart(chart)) return { kind: 'local', path: chart };
  const ats = chart.split('@').length - 1;
  if (ats > 1)
    return invalid(`chart "${chart}" has more than one "@"`, 'write one version after the chart: chart@1.2.3');
  const [base, version] = chart.split('@') as [string, string | undefined];
  if (version === '')
    return invalid(
      `chart "${chart}" ends in "@" without a version`,
      `write ${base}@1.2.3, or remove the "@" and set version:`,
    );
  if (version !== undefined) {
    const bad = versionProblem(version);
    if (bad) return invalid(`chart "${chart}": ${bad.problem}`, bad.hint);
  }
  if (base.startsWith('oci://')) {
    const [host = '', ...path] = base.slice('oci://'.length).split('/');
    if (host === '')
      return invalid(`chart "${chart}" names no registry`, 'write oci://registry.example.com/path/chart@1.2.3');
    if (!ociHost.test(host))
      return invalid(
        `chart "${chart}": "${host}" is not a registry host`,
        'write oci://registry.example.com/path/chart@1.2.3',
      );
    if (path.length === 0 || path.at(-1) === '')
      return invalid(
        `chart "${chart}" names a registry but no chart`,
        `write oci://${host}/path/chart@1.2.3: the last part of the path is the chart's name`,
      );
    const badSegment = path.find((segment) => !ociSegment.test(segment));
    if (badSegment !== undefined)
      return invalid(
        `chart "${chart}": "${badSegment}" is not a valid OCI repository name`,
        'use lowercase letters, digits and single ".", "_" or "-" between them',
      );
    return { kind: 'oci', url: base, version };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(base))
    return invalid(
      `chart "${chart}" is a URL`,
      'declare the repository under repositories: and write repo/chart, or write oci:// for an OCI registry',
    );
  const parts = base.split('/');
  if (parts.length !== 2)
    return invalid(
      `chart "${chart}" is neither a local path, repo/chart nor oci://`,
      'write ./path for a chart in this repository, repo/chart for a declared repository, or oci://registry/path/chart',
    );
  const [repository, name] = parts as [string, string];
  if (!namePattern.test(repository) || !namePattern.test(name)) {
    return invalid(
      `chart "${chart}" is not repo/chart`,
      'repository and chart names start with a letter or digit, then letters, digits, "-", "_" and "."',
    );
  }
  return { kind: 'repository', repository, name: base, version };
}

function invalid(problem: string, hint: string): ChartReference {
  return { kind: 'invalid', problem, hint };
}

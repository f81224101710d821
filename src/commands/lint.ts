import { Flags } from '@oclif/core';
import {
  configFindings,
  DEFAULT_KUBE_VERSION,
  lintReleases,
  promotionFindings,
  rules,
  type Finding,
} from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { ConfigError, ExitCode } from '../errors.js';
import { lintExitCode, lintReport, renderLintText, renderRuleList } from '../report/lint-view.js';

export default class Lint extends BoutiqueCommand {
  static override description =
    'Check every selected release before it touches a cluster: releases.yaml, helm lint, Kubernetes schemas (strict) and best-practice rules. Exit 1 on any error-level finding.';

  static override flags = {
    'kube-version': Flags.string({
      description: `Kubernetes version to validate manifests against (default: lint.kubeVersion in releases.yaml, else ${DEFAULT_KUBE_VERSION})`,
    }),
    strict: Flags.boolean({
      description:
        'helm lint --strict for every release: its warnings and unset values fail the lint (per release: lint.rules.helm-lint-strict: error)',
      default: false,
    }),
    'list-rules': Flags.boolean({
      description: 'list the best-practice rules with their ids, severities and fixes',
      default: false,
    }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Lint);
    if (flags['list-rules']) {
      return {
        summary: { rules: rules.length },
        results: rules.map(({ id, severity, summary, fix }) => ({ id, severity, summary, fix })),
        text: renderRuleList(rules, { color: this.colorEnabled() }),
      };
    }
    let findings: Finding[];
    let exitCode: number;
    try {
      const { config, plan } = this.loadPlan();
      const helm = (await this.wiring(config)).helm();
      const kubeVersion = flags['kube-version'] ?? config.kubeVersion ?? DEFAULT_KUBE_VERSION;
      findings = [
        ...(await lintReleases(
          config,
          plan.releases.filter((release) => release.installed),
          helm,
          { concurrency: this.globalFlags.concurrency, kubeVersion, strict: flags.strict },
        )),
        ...promotionFindings(config, plan.releases),
      ];
      exitCode = lintExitCode(findings);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      findings = configFindings(error.issues);
      exitCode = ExitCode.config;
    }
    const report = lintReport(findings);
    return {
      summary: report.summary,
      results: report.findings,
      text: renderLintText(findings, { color: this.colorEnabled() }),
      verdict: exitCode,
    };
  }
}

import { Flags } from '@oclif/core';
import { listHealthRules } from '../app/index.js';
import { BoutiqueCommand } from '../cli/base-command.js';
import type { Outcome } from '../cli/outcome.js';
import { UsageError } from '../errors.js';
import { healthRulesJson, renderHealthRules } from '../report/health-view.js';

export default class Health extends BoutiqueCommand {
  static override description =
    "List the health rules that decide when custom resources are ready: releases.yaml's (for the selected releases), then the built-in library, in Flux's healthCheckExprs shape.";

  static override flags = {
    list: Flags.boolean({ description: 'list the health rules', default: false }),
    builtin: Flags.boolean({ description: 'only the built-in library (no releases.yaml needed)', default: false }),
  };

  protected async outcome(): Promise<Outcome> {
    const { flags } = await this.parseFlags(Health);
    if (!flags.list)
      throw new UsageError('boutique health lists rules: pass --list', {
        suggestions: ['boutique health --list; what a release waits on shows in boutique status and in sync progress'],
      });
    const rules = listHealthRules(flags.builtin ? [] : this.loadPlan().plan.releases);
    return { results: healthRulesJson(rules), text: renderHealthRules(rules) };
  }
}

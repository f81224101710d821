import type { Document, LineCounter } from 'yaml';
import type { RuleSetting, Severity } from '../registry/lint-rules.js';

export type { RuleSetting, Severity } from '../registry/lint-rules.js';
export interface LintRuleSettings {
  [ruleId: string]: RuleSetting;
}

export type LintLayer = 'config' | 'helm' | 'schema' | 'rules';

export interface Finding {
  ruleId: string;
  layer: LintLayer;
  severity: Severity;
  /** Release id "namespace/name". */
  release: string;
  /** "Kind/name" of the rendered object the finding is about. */
  object?: string;
  file?: string;
  line?: number;
  column?: number;
  message: string;
  /** One line telling the user how to resolve it. */
  fix?: string;
}

import type { KubeObject } from '../kube/objects.js';

export type { KubeObject };

/** A values file as the run's values reader parsed it (config/values-reader.ts): a 50 MB file is parsed once. */
export interface ValuesFile {
  path: string;
  document: Document;
  lineCounter: LineCounter;
}

export interface LintTarget {
  /** Release id "namespace/name". */
  release: string;
  namespace: string;
  /** The environment is marked production. */
  production: boolean;
  /** Rendered manifests, parsed. */
  objects: KubeObject[];
  /** The release's values files in layering order (plaintext-secret reports line:col in them). */
  valuesFiles: ValuesFile[];
  /** Merged settings: global `lint.rules`, then the release's `lint.rules`. */
  rules: LintRuleSettings;
}

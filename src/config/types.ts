import type { RuleSetting } from '../registry/lint-rules.js';
import type { HealthRule, HealthRuleSpec } from '../health/rules.js';

/** releases.yaml as written (validated by schema/releases.schema.json). */
export interface RawRepository {
  name: string;
  url: string;
}

export interface RawReleasesFile {
  repositories?: RawRepository[];
  environments?: Record<string, RawEnvironment>;
  defaults?: RawReleaseOptions;
  lint?: RawLintConfig;
  releases: RawRelease[];
}

export interface RawEnvironment {
  namespace?: string;
  values?: string[];
  kubeContext?: string;
  production?: boolean;
  valuesDir?: string;
  /** The environment whose deployed, ready versions this one may run (the promotion gate). */
  promotedFrom?: string;
  /** The versions file (release → image tag or digest), relative to releases.yaml. Default: versions/<environment>.yaml. */
  versionsFile?: string;
  /** The namespace of the Lease that lets one sync, destroy or rollback at a time write here. Default: default. */
  lockNamespace?: string;
  /** Health rules for custom resources in this environment, between the release's own and the defaults'. */
  health?: HealthRuleSpec[];
}

/** A drift ignore rule: fields (JSON pointers) of objects of a kind (and name) that another controller owns. */
export interface IgnoreDifference {
  kind?: string;
  name?: string;
  jsonPointers: string[];
}

export interface RawReleaseOptions {
  ignoreDifferences?: IgnoreDifference[];
  namespace?: string;
  createNamespace?: boolean;
  wait?: boolean;
  timeout?: number | string;
  atomic?: boolean;
  historyMax?: number;
  /** Health rules for custom resources (Flux's healthCheckExprs shape); see src/health/. */
  health?: HealthRuleSpec[];
}

export type { RuleSetting };

export interface RawLintConfig {
  kubeVersion?: string;
  /** false: YAML 1.1 reads an unquoted `off` as false. */
  rules?: Record<string, RuleSetting | false>;
}

/**
 * Where a secret value comes from when it is not written in releases.yaml (issue 31): an environment variable or
 * a file (relative to releases.yaml's folder), read as releases.yaml is loaded; or a key of a Secret in the target
 * cluster (`namespace/name`), read at run time as Flux's valuesFrom does.
 */
export type ValueSource = { env: string } | { file: string } | { secret: string; key: string };

export interface RawSetValue {
  name: string;
  value: string | number | boolean;
  secret?: boolean;
  /** The value is brought in from elsewhere, and is secret (see ValueSource); releases.yaml gives no value. */
  valueFrom?: ValueSource;
  /** A cluster Secret's value not read yet: no helm may run with it (src/secrets/sources.ts). */
  unresolved?: true;
}

export interface RawRelease extends Omit<RawReleaseOptions, 'namespace'> {
  name: string;
  namespace?: string;
  chart: string;
  version?: string;
  values?: (string | Record<string, unknown>)[];
  set?: RawSetValue[];
  needs?: string[];
  labels?: Record<string, string>;
  installed?: boolean | Record<string, boolean>;
  lint?: { rules?: Record<string, RuleSetting | false> };
  versionKeys?: Partial<VersionKeys>;
}

/** The values keys a versions-file entry sets: a `sha256:` digest goes to `digest`, anything else to `tag`. */
export interface VersionKeys {
  tag: string;
  digest: string;
}

/** A chart reference, resolved. */
export type ChartRef =
  | { kind: 'local'; path: string }
  | { kind: 'repository'; name: string; version?: string; repository: RawRepository }
  | { kind: 'oci'; url: string; version?: string };

/** One layer of values, lowest precedence first. */
export type ValuesLayer =
  | { kind: 'file'; path: string }
  /** `source`: JSON pointer of the map in releases.yaml, for messages about its keys (none: from the versions file). */
  | { kind: 'inline'; values: Record<string, unknown>; source?: string }
  /**
   * A values file encrypted by sops, decrypted in memory for this run (app/sops-values.ts): its values, and the
   * leaves that were encrypted, as helm --set paths, which every output masks. Never written anywhere but to helm.
   */
  | { kind: 'sops'; path: string; values: Record<string, unknown>; secrets: { path: string; value: unknown }[] };

/** A release as boutique acts on it: defaults applied, paths absolute, the environment resolved. */
export interface Release {
  /** `namespace/name`: unique within a releases.yaml, used by needs and in every message. */
  id: string;
  name: string;
  namespace: string;
  chart: ChartRef;
  /** The chart as written in releases.yaml, for display. */
  chartSource: string;
  values: ValuesLayer[];
  set: RawSetValue[];
  /** Ids of the releases this one needs, in declaration order. */
  needs: string[];
  labels: Record<string, string>;
  installed: boolean;
  createNamespace: boolean;
  wait: boolean;
  /** Go duration for helm --timeout, e.g. "300s". */
  timeout: string;
  atomic: boolean;
  historyMax: number;
  /** The file's defaults.ignoreDifferences, then the release's own. */
  ignoreDifferences: IgnoreDifference[];
  lintRules: Record<string, RuleSetting>;
  /**
   * The health rules releases.yaml gives this release, the first for a kind winning: the release's own, then its
   * environment's, then the defaults'. The built-in library comes after them (health/library.ts).
   */
  health: HealthRule[];
  /** Set by normalize; read it through versionKeysOf. */
  versionKeys?: VersionKeys;
}

export interface Environment {
  name: string;
  namespace?: string;
  kubeContext?: string;
  production: boolean;
  promotedFrom?: string;
  /** Where the environment's lock (a Lease) lives; an existing namespace the runs may write in. */
  lockNamespace: string;
  /** Absolute path of the environment's versions file (it may not exist yet); set by normalize. */
  versionsFile?: string;
}

/** A loaded, valid releases.yaml for one environment. */
export interface ReleasesConfig {
  file: string;
  baseDir: string;
  environment: Environment;
  /** Declaration order. */
  releases: Release[];
  kubeVersion?: string;
}

import { posix } from 'node:path';
import type {
  RawEnvironment,
  RawRelease,
  RawReleaseOptions,
  RawReleasesFile,
  RawRepository,
  RawSetValue,
} from '../config/types.js';
import { ConfigError } from '../errors.js';
import { stringifyGoYaml } from '../yaml/go-yaml.js';
import {
  environmentTest,
  markerPattern,
  scanTemplate,
  type Condition,
  type Expression,
  type Region,
} from './gotmpl.js';
import { typeOfSetText } from './set-value.js';
import { entry, parseHelmfileYaml, toValue, type YEntry, type YNode } from './yaml-model.js';

/** Something in helmfile.yaml that has no equivalent in releases.yaml, where it is and what to do instead. */
export interface ImportNote {
  line: number;
  message: string;
}

/** A values file the import writes next to releases.yaml (an inline map that helmfile applies before a file). */
export interface ImportedFile {
  /** Relative to the folder of releases.yaml. */
  path: string;
  text: string;
}

export interface HelmfileImport {
  releasesFile: RawReleasesFile;
  /** In line order: exactly what was left out. */
  notes: ImportNote[];
  files: ImportedFile[];
}

export interface ConvertOptions {
  /** The helmfile's name, for error messages; a name ending in `.gotmpl` is a template, as helmfile v1 reads it. */
  file: string;
  /** Rewrites a path relative to the helmfile into one relative to the releases.yaml being written. */
  rebasePath?: (path: string) => string;
  /** Whether a path relative to the helmfile is a folder (helmfile reads `charts/x` as a local chart when it is). */
  isDirectory?: (path: string) => boolean;
  /** A file relative to the helmfile, or undefined when there is none (environment values, for `condition:`). */
  readText?: (path: string) => string | undefined;
  /** Whether a file relative to the releases.yaml being written exists (a per-environment values file boutique would apply). */
  isOutputFile?: (path: string) => boolean;
}

const optionKeys = ['wait', 'timeout', 'atomic', 'rollbackOnFailure', 'createNamespace', 'historyMax'] as const;

/** helm flags whose helmfile default is helm's own (off): `false` changes nothing, `true` has no counterpart. */
const offByDefault = new Set([
  'verify',
  'devel',
  'force',
  'recreatePods',
  'cleanupOnFail',
  'skipCRDs',
  'skipDeps',
  'waitForJobs',
  'enableDNS',
  'reuseValues',
  'disableValidation',
  'disableOpenAPIValidation',
  'insecureSkipTLSVerify',
  'skipSchemaValidation',
  'forceConflicts',
  'takeOwnership',
  'deleteWait',
  'skipRefresh',
]);

/**
 * Why helmfile features have no releases.yaml counterpart, with what to do instead. Keys are top-level keys of
 * helmfile.yaml or keys of a release.
 */
const unsupported: Record<string, string> = {
  hooks: 'boutique runs no hooks: use a Job with helm.sh/hook annotations in the chart, or a CI step',
  secrets:
    'boutique has no secrets backend (helm-secrets, vals): decrypt in CI into a values file, or use set with secret: true',
  helmfiles: 'nested helmfiles are not followed: import each one and merge the releases',
  bases: 'bases are not merged: import the base and this file, then merge',
  defaultInherit: 'release templates are not expanded: write the shared keys into each release (or defaults)',
  values:
    'template values only feed {{ }} expressions, which boutique does not have: per-environment release values go in values/<environment>/<release>.yaml',
  kubeContext: 'a kube context belongs to an environment in boutique (environments.<env>.kubeContext)',
  missingFileHandler: 'boutique reports a missing values file as an error',
  inherit: 'release templates are not expanded: write the shared keys into the release',
  postRenderer: 'boutique passes no post-renderer to helm: render changes into the chart',
  strategicMergePatches: 'patches are not applied: put the change in the chart or its values',
  jsonPatches: 'patches are not applied: put the change in the chart or its values',
  transformers: 'transformers are not applied: put the change in the chart or its values',
  apiVersions: 'boutique asks the cluster for its API versions (diff and sync run helm against it)',
  valuesTemplate: 'release templates are not expanded: write the values into each release',
  setTemplate: 'release templates are not expanded: write the set values into each release',
};

/** A string field once templating is resolved: one text, one text per environment, or a template boutique cannot follow. */
type Text =
  | { kind: 'plain'; text: string }
  | { kind: 'per-environment'; text: (environment: string) => string }
  | { kind: 'templated'; sources: string[] };

/** The release a field belongs to, for helmfile's per-release template pass ({{ .Release.Name }} in a values path). */
interface ReleaseContext {
  name: string;
  namespace?: string;
}

/** The environments a part of the file applies to (undefined: all), or why it cannot be known. */
interface Applies {
  environments?: (name: string) => boolean;
  unknown?: Condition;
}

interface ValuesLayer {
  kind: 'file' | 'inline' | 'overlay';
  line: number;
  path?: string;
  /** A `.gotmpl` values file whose only actions are constants: the text it renders, written to a file of its own. */
  rendered?: { text: string; source: string };
  values?: Record<string, unknown>;
  /** What the layer gives an environment (a path relative to the helmfile, or a map), if anything. */
  overlay?: (environment: string) => OverlaySource | undefined;
  /** How the layer varies, for notes: its path with `<environment>`, or the condition it stands under. */
  varies?: string;
}

type OverlaySource = { path: string } | { values: Record<string, unknown> };

/** Keys of an inline map in blocks on the environment's name, by path, gathered for the per-environment file. */
interface KeysPerEnvironment {
  at: string[];
  entries: { applies: (environment: string) => boolean; path: string[]; value: unknown }[];
}

/** The reference's order of a release's keys, whatever the helmfile's. */
function inReferenceOrder(release: RawRelease): RawRelease {
  const order = ['name', 'chart', 'namespace', 'version', 'values', 'set', 'needs', 'labels', 'installed'];
  const rank = (key: string) => order.indexOf(key) + 1 || order.length + 1;
  return Object.fromEntries(
    Object.keys(release)
      .sort((a, b) => rank(a) - rank(b))
      .map((key) => [key, release[key as keyof RawRelease]]),
  ) as unknown as RawRelease;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

const booleanWords: Record<string, boolean> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  y: true,
  Y: true,
  yes: true,
  Yes: true,
  YES: true,
  on: true,
  On: true,
  ON: true,
  n: false,
  N: false,
  no: false,
  No: false,
  NO: false,
  off: false,
  Off: false,
  OFF: false,
};

class Converter {
  readonly notes: ImportNote[] = [];
  readonly files: ImportedFile[] = [];
  /** Releases whose namespace is the environment's ({{ .Environment.Name }} in it), and what it is per environment. */
  private readonly namespaces = new Map<RawRelease, (environment: string) => string>();
  /** Per release, the environments whose per-environment values file the import decided. */
  private readonly overlays = new Map<string, Set<string>>();
  private readonly releaseLines = new Map<string, number>();
  readonly out: RawReleasesFile = { releases: [] };
  readonly repositories = new Map<string, RawRepository & { oci: boolean }>();
  readonly environments: Record<string, RawEnvironment> = {};
  /** Per environment: the folder boutique's overlay <valuesDir>/<release>.yaml is read from, and who asked for it. */
  private readonly valuesDirs = new Map<string, { dir: string; release: string }>();
  private readonly environmentValues = new Map<string, Record<string, unknown>[]>();
  private readonly templated: boolean;
  private readonly expressions: Expression[] = [];
  private readonly regions: Region[] = [];

  constructor(
    private readonly source: string,
    private readonly options: ConvertOptions,
  ) {
    this.templated = options.file.endsWith('.gotmpl');
  }

  note(line: number, message: string): void {
    this.notes.push({ line, message });
  }

  /** The environments helmfile knows: those declared, and `default`, which helmfile uses without -e. */
  environmentNames(): string[] {
    return ['default', ...Object.keys(this.environments).filter((name) => name !== 'default')];
  }

  convert(): HelmfileImport {
    let source = this.source;
    if (this.templated) {
      const scan = scanTemplate(this.source);
      if (scan.problems.length > 0)
        throw new ConfigError(
          scan.problems.map(({ line, message }) => ({ file: this.options.file, line, column: 1, path: '', message })),
        );
      source = scan.text;
      this.expressions.push(...scan.expressions);
      this.regions.push(...scan.regions);
    }
    const documents = parseHelmfileYaml(source, this.options.file);
    const byKey = (key: string) =>
      documents.flatMap((doc) => (doc.kind === 'map' ? doc.entries.filter((each) => each.key === key) : []));
    for (const doc of documents) this.checkDuplicates(doc);
    // Environments first: release conditions and per-environment values name them.
    for (const environments of byKey('environments')) this.convertEnvironments(environments);
    const defaults: RawReleaseOptions = {};
    let defaultContext: string | undefined;
    const commonLabels: Record<string, string> = {};
    const releaseNodes: YNode[] = [];
    for (const doc of documents) {
      if (doc.kind !== 'map') continue;
      for (const pair of doc.entries) {
        if (this.templatedKey(pair, 'helmfile')) continue;
        if (this.outsideRegion(pair, {}) !== undefined) {
          this.note(
            pair.line,
            `${pair.key} (lines ${pair.at[0]}–${pair.at[1]}) applies only ${this.conditionText(pair)}: not converted`,
          );
          continue;
        }
        switch (pair.key) {
          case 'environments':
            break;
          case 'templates':
            // Only `inherit:` reads release templates (noted where it stands); anchors in them are resolved already.
            break;
          case 'repositories':
            this.convertRepositories(pair.value);
            break;
          case 'helmDefaults':
            for (const option of this.entries(pair.value)) {
              if (this.releaseOption(option, defaults, 'helmDefaults')) continue;
              if (option.key === 'kubeContext')
                defaultContext = this.plainText(option.value, 'helmDefaults.kubeContext');
              else if (offByDefault.has(option.key) && this.bool(option.value) === false) continue;
              else
                this.note(
                  option.line,
                  `helmDefaults.${option.key} is not converted: boutique sets only wait, timeout, atomic, createNamespace and historyMax`,
                );
            }
            break;
          case 'releases':
            if (pair.value.kind === 'seq') releaseNodes.push(...pair.value.items);
            else this.note(pair.line, 'releases is not a list: not converted');
            break;
          case 'commonLabels':
            for (const label of this.entries(pair.value)) {
              const value = this.plainText(label.value, `commonLabels.${label.key}`);
              if (value !== undefined) commonLabels[label.key] = value;
            }
            break;
          case 'kubeVersion': {
            const version = /^v?(\d+\.\d+)/.exec(this.plainText(pair.value, 'kubeVersion') ?? '');
            if (version) this.out.lint = { kubeVersion: version[1]! };
            break;
          }
          default:
            this.note(pair.line, `${pair.key}: ${unsupported[pair.key] ?? 'not converted'}`);
        }
      }
    }
    // helmfile's own defaults where boutique's differ: helmfile does not wait unless told to.
    defaults.wait ??= false;
    this.out.defaults = defaults;
    if (this.repositories.size > 0) {
      const plain = [...this.repositories.values()].filter((repository) => !repository.oci);
      if (plain.length > 0) this.out.repositories = plain.map(({ name, url }) => ({ name, url }));
    }
    if (defaultContext) {
      for (const name of Object.keys(this.environments).length > 0 ? Object.keys(this.environments) : ['default']) {
        this.environments[name] ??= {};
        this.environments[name]!.kubeContext ??= defaultContext;
      }
    }
    for (const node of releaseNodes) {
      const release = this.convertRelease(node);
      if (!release) continue;
      // helmfile sets commonLabels over a release's own labels.
      if (Object.keys(commonLabels).length > 0) release.labels = { ...release.labels, ...commonLabels };
      this.out.releases.push(release);
    }
    this.environmentNamespaces();
    for (const [environment, { dir }] of this.valuesDirs) {
      if (dir !== `values/${environment}`) (this.environments[environment] ??= {}).valuesDir = dir;
    }
    this.out.releases = this.out.releases.map(inReferenceOrder);
    const declared = Object.entries(this.environments).filter(
      ([name, environment]) => name !== 'default' || Object.keys(environment).length > 0,
    );
    if (declared.length > 0) this.out.environments = Object.fromEntries(declared);
    this.unexpectedOverlays();
    return { releasesFile: this.out, notes: this.notes.sort((a, b) => a.line - b.line), files: this.files };
  }

  /**
   * A namespace that differs per environment becomes the environments' `namespace`, which releases without one of
   * their own take; so those get helmfile's `default` written out. Releases that disagree are left out.
   */
  private environmentNamespaces(): void {
    if (this.namespaces.size === 0) return;
    const [first, ...others] = [...this.namespaces];
    const environments = this.environmentNames();
    for (const [release, namespace] of others) {
      const differs = environments.find((environment) => namespace(environment) !== first![1](environment));
      if (!differs) continue;
      this.note(
        this.releaseLines.get(release.name)!,
        `release ${release.name}: its namespace is ${namespace(differs)} in environment ${differs}, release ${first![0].name}'s ${first![1](differs)}; boutique has one namespace per environment for releases without their own: left out`,
      );
      this.out.releases.splice(this.out.releases.indexOf(release), 1);
    }
    for (const environment of environments) (this.environments[environment] ??= {}).namespace = first![1](environment);
    for (const release of this.out.releases)
      if (!this.namespaces.has(release) && release.namespace === undefined) release.namespace = 'default';
  }

  /** boutique applies <valuesDir>/<release>.yaml wherever it exists; helmfile only the files a release names. */
  private unexpectedOverlays(): void {
    for (const environment of this.environmentNames()) {
      const versions = `versions/${environment}.yaml`;
      if (this.options.isOutputFile?.(versions))
        this.note(
          1,
          `${versions} exists, and boutique sets the image tags it lists in environment ${environment} (its versions file); helmfile did not: move it, or leave it if it says what is deployed`,
        );
    }
    for (const [environment, settings] of Object.entries(this.out.environments ?? {})) {
      for (const release of this.out.releases.filter((each) => !this.overlays.get(each.name)?.has(environment))) {
        const overlay = `${settings.valuesDir ?? `values/${environment}`}/${release.name}.yaml`;
        if (this.options.isOutputFile?.(overlay) !== true) continue;
        this.note(
          this.releaseLines.get(release.name) ?? 1,
          `release ${release.name}: ${overlay} exists, and boutique applies it in environment ${environment} (its per-environment values file); helmfile did not: move it, or name it in the release's values and import again`,
        );
      }
    }
  }

  /** go-yaml v3 refuses a key twice in one map; blocks of a template (if/else) may hold one key each. */
  private checkDuplicates(node: YNode): void {
    if (node.kind === 'seq') node.items.forEach((item) => this.checkDuplicates(item));
    if (node.kind !== 'map') return;
    const seen = new Map<string, YEntry>();
    for (const each of node.entries) {
      const first = seen.get(each.key);
      if (
        first &&
        first.at[0] !== each.at[0] &&
        this.regionsOf(first).length === 0 &&
        this.regionsOf(each).length === 0
      ) {
        throw new ConfigError([
          {
            file: this.options.file,
            line: each.line,
            column: 1,
            path: '',
            message: `the key "${each.key}" appears twice in the same map (first on line ${first.line}); helmfile refuses it too`,
          },
        ]);
      }
      seen.set(each.key, first ?? each);
      this.checkDuplicates(each.value);
    }
  }

  // ---- templating -------------------------------------------------------------------------------------------

  /** The regions of a .gotmpl that hold the whole of a unit. */
  private regionsOf(unit: { at: [number, number] }): Region[] {
    return this.regions.filter((region) => region.start <= unit.at[0] && unit.at[1] <= region.end);
  }

  /** Where a unit applies beyond where its parent does, or undefined when it applies wherever its parent does. */
  private outsideRegion(unit: { at: [number, number] }, parent: { at?: [number, number] }): Applies | undefined {
    const inherited = parent.at ? this.regionsOf({ at: parent.at }) : [];
    const own = this.regionsOf(unit).filter((region) => !inherited.includes(region));
    if (own.length === 0) return undefined;
    const unknown = own.find((region) => !region.condition.environments);
    if (unknown) return { unknown: unknown.condition };
    return { environments: (name) => own.every((region) => region.condition.environments!(name)) };
  }

  private conditionText(unit: { at: [number, number] }): string {
    return this.regionsOf(unit)
      .map((region) => `under ${region.condition.text}`)
      .join(', ');
  }

  /** A string field. `release`: helmfile renders this field again per release (name, chart, namespace, values paths…). */
  text(node: YNode, release?: ReleaseContext): Text | undefined {
    if (node.kind !== 'scalar') return undefined;
    let text = node.text;
    const sources: string[] = [];
    let perEnvironment = false;
    if (this.templated) {
      text = text.replace(markerPattern, (_, index: string) => {
        const expression = this.expressions[Number(index)]!;
        if (expression.environmentName) {
          perEnvironment = true;
          return '\u0000';
        }
        sources.push(expression.source);
        return '';
      });
    }
    if (release) {
      // helmfile's second pass over this field: constants and what it knows of the release and the environment.
      const scan = scanTemplate(text);
      for (const expression of scan.expressions) {
        const body = expression.source.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
        if (/^\$?\.Environment\.Name$/.test(body)) perEnvironment = true;
        else if (
          /^\$?\.Release\.Name$/.test(body) ||
          (/^\$?\.Release\.Namespace$/.test(body) && release.namespace !== undefined)
        )
          continue;
        else sources.push(expression.source);
      }
      if (scan.regions.length > 0) sources.push(text);
      text = scan.text.replace(markerPattern, (_, index: string) => {
        const body = scan.expressions[Number(index)]!.source.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
        if (/Environment\.Name$/.test(body)) return '\u0000';
        if (/Release\.Name$/.test(body)) return release.name;
        if (/Release\.Namespace$/.test(body)) return release.namespace ?? '';
        return '';
      });
    }
    if (sources.length > 0) return { kind: 'templated', sources };
    if (perEnvironment) {
      const written = text;
      return { kind: 'per-environment', text: (environment) => written.replace(/\u0000/g, environment) };
    }
    return { kind: 'plain', text };
  }

  /** A string field that boutique takes only as one text; anything else is noted and undefined. */
  plainText(node: YNode, where: string, release?: ReleaseContext): string | undefined {
    const text = this.text(node, release);
    if (text?.kind === 'plain') return text.text;
    if (!text) this.note(node.line, `${where} is not a string: not converted`);
    else if (text.kind === 'templated')
      this.note(node.line, `${where}: template ${text.sources.join(' ')}: not converted; write what it renders`);
    else
      this.note(
        node.line,
        `${where} differs per environment ({{ .Environment.Name }}): not converted; boutique has no per-environment ${where.split('.').pop()}`,
      );
    return undefined;
  }

  /** A scalar that is one action testing the environment's name (`{{ eq .Environment.Name "prod" | toYaml }}`), as a test. */
  private environmentExpression(node: YNode): ((name: string) => boolean) | undefined {
    if (node.kind !== 'scalar' || !this.templated) return undefined;
    const body = (index: string) =>
      this.expressions[Number(index)]!.source.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
    const only = /^__boutique_tmpl_(\d+)__$/.exec(node.text);
    if (only) return environmentTest(body(only[1]!).replace(/\s*\|\s*toYaml$/, ''));
    // {{ if eq .Environment.Name "prod" }}false{{ else }}true{{ end }}
    const branches = /^__boutique_tmpl_(\d+)__(\w+)__boutique_tmpl_(\d+)__(\w+)__boutique_tmpl_(\d+)__$/.exec(
      node.text,
    );
    if (!branches || body(branches[3]!) !== 'else' || body(branches[5]!) !== 'end') return undefined;
    const test = /^if\s+(.*)$/.exec(body(branches[1]!));
    const holds = test ? environmentTest(test[1]!) : undefined;
    const [then, otherwise] = [booleanWords[branches[2]!], booleanWords[branches[4]!]];
    if (!holds || then === undefined || otherwise === undefined) return undefined;
    return (name) => (holds(name) ? then : otherwise);
  }

  /** A go-yaml v3 bool field: plain YAML 1.1 words are still read into a typed bool; a quoted one is an error to helmfile. */
  bool(node: YNode): boolean | undefined {
    const text = this.text(node);
    return text?.kind === 'plain' && node.kind === 'scalar' && node.plain ? booleanWords[text.text] : undefined;
  }

  entries(node: YNode): YEntry[] {
    return node.kind === 'map' ? node.entries : [];
  }

  path(path: string): string {
    return this.options.rebasePath ? this.options.rebasePath(path) : path;
  }

  // ---- top level -------------------------------------------------------------------------------------------

  private convertRepositories(node: YNode): void {
    for (const item of node.kind === 'seq' ? node.items : []) {
      const name = entry(item, 'name');
      const url = entry(item, 'url');
      const nameText = name && this.plainText(name.value, 'repository name');
      const urlText = url && this.plainText(url.value, `repository ${nameText ?? ''} url`);
      if (!nameText || !urlText) {
        if (!name || !url) this.note(item.line, 'repository without a name and url: not converted');
        continue;
      }
      const oci = entry(item, 'oci');
      this.repositories.set(nameText, {
        name: nameText,
        url: urlText,
        oci: oci !== undefined && this.bool(oci.value) === true,
      });
      for (const extra of this.entries(item).filter((each) => !['name', 'url', 'oci'].includes(each.key))) {
        this.note(
          extra.line,
          `repository ${nameText}: ${extra.key} is not converted; credentials and TLS files belong to helm on the machine (helm repo add / helm registry login)`,
        );
      }
    }
  }

  private convertEnvironments(pair: YEntry): void {
    for (const environment of this.entries(pair.value)) {
      const converted: RawEnvironment = (this.environments[environment.key] ??= {});
      const layers: Record<string, unknown>[] = [];
      for (const setting of this.entries(environment.value)) {
        if (setting.key === 'kubeContext') {
          const context = this.plainText(setting.value, `environments.${environment.key}.kubeContext`);
          if (context) converted.kubeContext = context;
          continue;
        }
        if (setting.key === 'values' && setting.value.kind === 'seq') {
          // Template values have no meaning of their own in releases.yaml: each use (a condition, an expression) is
          // converted or noted where it stands.
          for (const item of setting.value.items) {
            const value = item.kind === 'map' ? toValue(item) : this.readValues(item);
            if (value && typeof value === 'object' && !Array.isArray(value))
              layers.push(value as Record<string, unknown>);
          }
          continue;
        }
        this.note(
          setting.line,
          `environments.${environment.key}.${setting.key}: ${unsupported[setting.key] ?? 'not converted'}`,
        );
      }
      this.environmentValues.set(environment.key, layers);
    }
  }

  private readValues(item: YNode): unknown {
    const path = item.kind === 'scalar' ? this.text(item) : undefined;
    if (path?.kind !== 'plain' || path.text.endsWith('.gotmpl')) return undefined;
    const text = this.options.readText?.(path.text);
    if (text === undefined) return undefined;
    try {
      const [doc] = parseHelmfileYaml(text, path.text);
      return doc ? toValue(doc) : undefined;
    } catch {
      return undefined;
    }
  }

  /** wait, timeout, atomic (or rollbackOnFailure), createNamespace and historyMax; false when the key is another. */
  releaseOption(pair: YEntry, target: RawReleaseOptions, where: string): boolean {
    const key = pair.key;
    if (!(optionKeys as readonly string[]).includes(key)) return false;
    if (key === 'timeout' || key === 'historyMax') {
      const text = this.plainText(pair.value, `${where}.${key}`);
      if (text === undefined) return true;
      const number = /^[0-9]+$/.test(text) ? Number(text) : undefined;
      if (number === undefined || (key === 'timeout' && number === 0))
        this.note(
          pair.line,
          `${where}.${key}: ${text} is not a whole number${key === 'timeout' ? ' of seconds above 0' : ''}: not converted`,
        );
      else target[key] = number;
      return true;
    }
    const value = this.bool(pair.value);
    if (value === undefined) {
      this.note(pair.line, `${where}.${key} is not a boolean: not converted`);
      return true;
    }
    if (key === 'rollbackOnFailure') {
      // helm 4's name for --atomic; helmfile refuses both at once.
      if (value) target.atomic = true;
      else target.atomic ??= false;
    } else target[key as 'wait' | 'atomic' | 'createNamespace'] = value;
    return true;
  }

  // ---- releases ----------------------------------------------------------------------------------------------

  private convertChart(chart: string, line: number, where: string): string | undefined {
    if (/^[a-z0-9+.-]+::/i.test(chart) || chart.startsWith('git+')) {
      this.note(
        line,
        `${where}: chart ${chart} is fetched by a getter (go-getter, helm-git): not converted, and the release left out; vendor the chart into the repository (chart: ./charts/…) or publish it to a chart repository`,
      );
      return undefined;
    }
    if (chart.startsWith('oci://') || chart.startsWith('/')) return chart;
    if (chart.startsWith('./') || chart.startsWith('../')) return this.path(chart);
    const [repository, ...rest] = chart.split('/');
    const declared = this.repositories.get(repository!);
    if (declared?.oci) return `oci://${declared.url.replace(/\/$/, '')}/${rest.join('/')}`;
    if (declared) return chart;
    // helmfile reads a chart that names no repository as a local folder when one is there.
    if (this.options.isDirectory?.(chart) !== true)
      this.note(
        line,
        `${where}: chart ${chart}: no repository "${repository}" is declared and no such folder exists; converted as the local folder ./${chart}`,
      );
    return this.path(`./${chart}`);
  }

  private convertRelease(node: YNode): RawRelease | undefined {
    const releaseApplies = this.outsideRegion(node, {});
    const nameEntry = entry(node, 'name');
    const chartEntry = entry(node, 'chart');
    const name = nameEntry && this.plainText(nameEntry.value, 'release name');
    if (!name || !chartEntry) {
      this.note(node.line, `release ${name ?? ''} without a name and a chart: not converted`.replace('  ', ' '));
      return undefined;
    }
    const where = `release ${name}`;
    if (releaseApplies?.unknown) {
      this.note(
        node.line,
        `${where} (lines ${node.at[0]}–${node.at[1]}) is declared only ${this.conditionText(node)}: left out; declare it with installed: per environment`,
      );
      return undefined;
    }
    const namespaceEntry = entry(node, 'namespace');
    const namespaceText = namespaceEntry && this.text(namespaceEntry.value, { name });
    const namespace = namespaceText?.kind === 'plain' ? namespaceText.text : undefined;
    if (namespaceEntry && !namespace && namespaceText?.kind !== 'per-environment') {
      this.plainText(namespaceEntry.value, `${where}: namespace`, { name });
      this.note(node.line, `${where}: left out, its namespace is not known`);
      return undefined;
    }
    const context: ReleaseContext = { name, namespace: namespace ?? (namespaceEntry ? undefined : '') };
    const chartText = this.plainText(chartEntry.value, `${where}: chart`, context);
    if (chartText === undefined) {
      this.note(node.line, `${where}: left out, its chart is not known`);
      return undefined;
    }
    const chart = this.convertChart(chartText, chartEntry.line, where);
    if (chart === undefined) return undefined;
    const release: RawRelease = { name, chart };
    this.releaseLines.set(name, node.line);
    if (namespaceText?.kind === 'per-environment') this.namespaces.set(release, namespaceText.text);
    if (namespace) release.namespace = namespace;
    // installed per environment: the release's own key, then keys in blocks on the environment's name, in order.
    const installed: { applies?: (name: string) => boolean; value: boolean }[] = [];
    const layers: ValuesLayer[] = [];
    const sets: RawSetValue[] = [];
    let leaveOut = false;
    for (const pair of this.entries(node)) {
      if (this.templatedKey(pair, where)) continue;
      const applies = this.outsideRegion(pair, node);
      if (pair.key === 'installed' && !applies?.unknown) {
        const value = this.bool(pair.value);
        const test = this.environmentExpression(pair.value);
        if (test) {
          // installed: {{ ne .Environment.Name "prod" }}: true where the test holds, false elsewhere.
          installed.push({ applies: (name) => (applies?.environments?.(name) ?? true) && test(name), value: true });
          installed.push({ applies: (name) => (applies?.environments?.(name) ?? true) && !test(name), value: false });
        } else if (value === undefined) {
          this.note(
            pair.line,
            `${where}: installed is not a boolean${this.templated ? ' (templated)' : ''}: left out with its release, whose installation it decides`,
          );
          leaveOut = true;
        } else installed.push({ applies: applies?.environments, value });
        continue;
      }
      if (applies) {
        if (pair.key === 'installed' || pair.key === 'condition') {
          this.note(
            pair.line,
            `${where}: ${pair.key} applies only ${this.conditionText(pair)}: the release is left out, since whether it is installed is not known`,
          );
          leaveOut = true;
        } else
          this.note(
            pair.line,
            `${where}: ${pair.key} (lines ${pair.at[0]}–${pair.at[1]}) applies only ${this.conditionText(pair)}: left out`,
          );
        continue;
      }
      switch (pair.key) {
        case 'name':
        case 'chart':
        case 'namespace':
          break;
        case 'version': {
          // helm ignores --version for a local chart, so helmfile passing one changes nothing.
          if (chart.startsWith('./') || chart.startsWith('../') || chart.startsWith('/')) break;
          const version = this.plainText(pair.value, `${where}: version`, context);
          if (version !== undefined) release.version = version;
          else {
            // Without it helm would install the newest chart: not what helmfile deploys.
            this.note(pair.line, `${where}: left out, its chart version is not known`);
            leaveOut = true;
          }
          break;
        }
        case 'values':
          this.valuesLayers(pair, where, context, layers);
          break;
        case 'set':
        case 'setString':
          for (const item of pair.value.kind === 'seq' ? pair.value.items : []) {
            if (this.outsideRegion(item, pair)) {
              this.note(
                item.line,
                `${where}: ${pair.key} entry (lines ${item.at[0]}–${item.at[1]}) applies only ${this.conditionText(item)}: left out`,
              );
              continue;
            }
            const converted = this.setValue(item, where, pair.key === 'setString');
            if (converted) sets.push(converted);
          }
          break;
        case 'labels':
          for (const label of this.entries(pair.value)) {
            if (this.outsideRegion(label, pair)) {
              this.note(label.line, `${where}: label ${label.key} applies only ${this.conditionText(label)}: left out`);
              continue;
            }
            const value = this.plainText(label.value, `${where}: label ${label.key}`, context);
            if (value !== undefined) (release.labels ??= {})[label.key] = value;
          }
          break;
        case 'needs':
          for (const item of pair.value.kind === 'seq' ? pair.value.items : []) {
            const need = this.plainText(item, `${where}: need`);
            if (need === undefined) continue;
            const parts = need.split('/');
            if (parts.length === 3)
              this.note(
                item.line,
                `${where}: need ${need}: the kube context "${parts[0]}" is dropped (boutique releases of one run share a context)`,
              );
            (release.needs ??= []).push(parts.slice(-2).filter(Boolean).join('/'));
          }
          break;
        case 'condition': {
          const decided = this.condition(pair, where);
          if (decided) installed.push(...decided);
          else leaveOut = true;
          break;
        }
        case 'hooks': {
          const events = (pair.value.kind === 'seq' ? pair.value.items : []).flatMap((hook) => {
            const list = entry(hook, 'events')?.value;
            return list?.kind === 'seq' ? list.items.map((event) => (event.kind === 'scalar' ? event.text : '')) : [];
          });
          this.note(
            pair.line,
            `${where}: hooks${events.length ? ` (${[...new Set(events)].join(', ')})` : ''}: ${unsupported.hooks}`,
          );
          break;
        }
        default:
          if (this.releaseOption(pair, release, where)) break;
          if (offByDefault.has(pair.key) && this.bool(pair.value) === false) break;
          this.note(
            pair.line,
            `${where}: ${pair.key}: ${unsupported[pair.key] ?? 'a helm option boutique does not set; not converted'}`,
          );
      }
    }
    if (leaveOut) return undefined;
    this.placeLayers(layers, release, where);
    if (sets.length > 0) release.set = sets;
    const environments = this.environmentNames();
    const decide = (environment: string) =>
      (releaseApplies?.environments?.(environment) ?? true) &&
      installed.reduce((value, each) => (each.applies && !each.applies(environment) ? value : each.value), true);
    const off = environments.filter((environment) => !decide(environment));
    if (off.length === environments.length) release.installed = false;
    else if (off.length > 0) release.installed = Object.fromEntries(off.map((environment) => [environment, false]));
    return release;
  }

  /** helmfile's `condition: a.enabled`: installed where the environment's values say so; undefined when that is not known. */
  private condition(pair: YEntry, where: string): { applies: (name: string) => boolean; value: boolean }[] | undefined {
    const path = this.plainText(pair.value, `${where}: condition`);
    if (path === undefined) return undefined;
    const decided: { applies: (name: string) => boolean; value: boolean }[] = [];
    for (const environment of this.environmentNames()) {
      if (!(environment in this.environments)) {
        // helmfile without -e has no values for the condition to read, unless `default` is declared.
        decided.push({ applies: (name) => name === environment, value: false });
        continue;
      }
      let value: unknown;
      for (const layer of this.environmentValues.get(environment) ?? []) {
        const found = path
          .split('.')
          .reduce<unknown>(
            (at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined),
            layer,
          );
        if (found !== undefined) value = found;
      }
      if (typeof value !== 'boolean') {
        this.note(
          pair.line,
          `${where}: condition ${path} is not a boolean in the values of environment ${environment} that boutique can read: the release is left out; write installed: per environment`,
        );
        return undefined;
      }
      decided.push({ applies: (name) => name === environment, value });
    }
    return decided;
  }

  private valuesLayers(pair: YEntry, where: string, release: ReleaseContext, layers: ValuesLayer[]): void {
    if (pair.value.kind !== 'seq') {
      this.note(pair.line, `${where}: values is not a list: not converted`);
      return;
    }
    pair.value.items.forEach((item, index) => {
      const label = `${where}: values[${index}]`;
      const applies = this.outsideRegion(item, pair);
      if (applies?.unknown) {
        this.note(
          item.line,
          `${label} (lines ${item.at[0]}–${item.at[1]}) applies only ${this.conditionText(item)}: left out`,
        );
        return;
      }
      // In a block on the environment's name: boutique's per-environment file, where the block holds.
      const only = applies?.environments;
      const varies = only
        ? `under ${this.regionsOf(item)
            .map((region) => region.condition.text)
            .join(', ')}`
        : undefined;
      if (item.kind === 'map') {
        const keys: KeysPerEnvironment = { at: [], entries: [] };
        const values = this.inlineValues(item, label, only ? undefined : keys) as Record<string, unknown>;
        if (only)
          layers.push({
            kind: 'overlay',
            line: item.line,
            overlay: (name) => (only(name) ? { values } : undefined),
            varies,
          });
        else layers.push({ kind: 'inline', line: item.line, values });
        if (keys.entries.length > 0) {
          // Its keys are apart from the map's own (helmfile refuses a key twice), so the order of the two is free.
          const overlay = (name: string) => {
            const merged: Record<string, unknown> = {};
            for (const each of keys.entries.filter((entry) => entry.applies(name)))
              setPath(merged, each.path, each.value);
            return Object.keys(merged).length > 0 ? { values: merged } : undefined;
          };
          layers.push({
            kind: 'overlay',
            line: item.line,
            overlay,
            varies: `keys under ${this.regions
              .filter((region) => region.start >= item.at[0] && region.end <= item.at[1])
              .map((region) => region.condition.text)
              .join(', ')}`,
          });
        }
        return;
      }
      const text = this.text(item, release);
      if (!text || text.kind === 'templated') {
        this.note(
          item.line,
          text
            ? `${label}: template ${text.sources.join(' ')} in a values path: left out; write what it renders`
            : `${label} is neither a path nor a map: left out`,
        );
        return;
      }
      if (text.kind === 'plain' && !only) {
        if (text.text.endsWith('.gotmpl')) this.templateValuesFile(text.text, item.line, label, layers);
        else layers.push({ kind: 'file', line: item.line, path: this.path(text.text) });
        return;
      }
      const path = text.kind === 'plain' ? () => text.text : text.text;
      layers.push({
        kind: 'overlay',
        line: item.line,
        overlay: (name) => (!only || only(name) ? { path: path(name) } : undefined),
        varies: varies ?? path('<environment>'),
      });
    });
  }

  /** A `.gotmpl` values file: as it stands with no action, rendered when its actions are constants, else noted. */
  private templateValuesFile(path: string, line: number, label: string, layers: ValuesLayer[]): void {
    const template = this.options.readText?.(path);
    if (template !== undefined && !template.includes('{{')) {
      layers.push({ kind: 'file', line, path: this.path(path) });
      return;
    }
    const scan = template === undefined ? undefined : scanTemplate(template);
    if (scan && scan.expressions.length === 0 && scan.regions.length === 0 && scan.problems.length === 0) {
      layers.push({ kind: 'file', line, rendered: { text: scan.text, source: path } });
      return;
    }
    const first = scan?.expressions[0]?.line ?? (scan?.regions[0] ? scan.regions[0].start - 1 : undefined);
    this.note(
      line,
      `${label}: values file ${path} is a template${first ? ` (line ${first}: ${scan!.expressions[0]?.source ?? 'a block'})` : ''}: left out; render it once per environment into plain values files`,
    );
  }

  /**
   * helmfile hands values to helm in the order written; boutique applies a release's files, then its overlay
   * <valuesDir>/<release>.yaml, then its inline maps. An inline map with a file after it is written to a file of its
   * own so the order stays; a per-environment path becomes the overlay when nothing but inline maps follows it.
   */
  private placeLayers(layers: ValuesLayer[], release: RawRelease, where: string): void {
    const values: (string | Record<string, unknown>)[] = [];
    const trailingInline: Record<string, unknown>[] = [];
    let written = 0;
    layers.forEach((layer, index) => {
      const later = layers.slice(index + 1);
      if (layer.kind === 'file' && layer.rendered) {
        const path = `imported-values/${release.name}-${++written}.yaml`;
        this.files.push({
          path,
          text: `# ${layer.rendered.source}, rendered by boutique import: its only template actions were constants.\n${layer.rendered.text}`,
        });
        values.push(`./${path}`);
      } else if (layer.kind === 'file') values.push(layer.path!);
      else if (layer.kind === 'inline') {
        if (later.some((each) => each.kind !== 'inline')) {
          const path = `imported-values/${release.name}-${++written}.yaml`;
          this.files.push({
            path,
            text: `# values[${index}] of ${where} in ${this.options.file}, kept in its place among the values files.\n${stringifyGoYaml(layer.values)}`,
          });
          values.push(`./${path}`);
        } else trailingInline.push(layer.values!);
      } else {
        const clash = this.environmentNames().find(
          (name) => layer.overlay!(name) && layers.some((other) => other !== layer && other.overlay?.(name)),
        );
        if (clash || later.some((each) => each.kind === 'file')) {
          this.note(
            layer.line,
            `${where}: values[${index}] (${layer.varies}) differs per environment and ${clash ? `is not the only values that do in environment ${clash}` : 'comes before other values files'}; boutique applies one per-environment file (<valuesDir>/<release>.yaml) after the release's files: left out`,
          );
          return;
        }
        this.overlay(layer, release, where, index);
      }
    });
    values.push(...trailingInline);
    if (values.length > 0) release.values = values;
  }

  /**
   * A layer that differs per environment, as boutique's per-environment file <valuesDir>/<release>.yaml: a path
   * named for the release sets the environment's valuesDir, a map is written to that file. All or nothing.
   */
  private overlay(layer: ValuesLayer, release: RawRelease, where: string, index: number): void {
    const label = `${where}: values[${index}] (${layer.varies})`;
    const dirs = new Map<string, string>();
    const writes: ImportedFile[] = [];
    const environments = this.environmentNames();
    for (const environment of environments) {
      const source = layer.overlay!(environment);
      if (!source) continue;
      const taken = this.valuesDirs.get(environment);
      if ('values' in source) {
        const dir = taken?.dir ?? `values/${environment}`;
        const file = `${dir}/${release.name}.yaml`;
        if (this.options.isOutputFile?.(file)) {
          this.note(
            layer.line,
            `${label}: boutique's per-environment file ${file} exists already: left out; merge these values into it`,
          );
          return;
        }
        dirs.set(environment, dir);
        writes.push({
          path: file,
          text: `# values[${index}] of ${where} in ${this.options.file}, for environment ${environment}.\n${stringifyGoYaml(source.values)}`,
        });
        continue;
      }
      // helmfile without -e reads the file of an undeclared `default` environment only if it is there: so does boutique.
      if (environment === 'default' && !(environment in this.environments)) continue;
      const path = posix.normalize(this.path(source.path));
      if (posix.basename(path) !== `${release.name}.yaml`) {
        const moves = environments.flatMap((each) => {
          const other = each !== 'default' || each in this.environments ? layer.overlay!(each) : undefined;
          return other && 'path' in other
            ? [`${posix.normalize(this.path(other.path))} → values/${each}/${release.name}.yaml`]
            : [];
        });
        this.note(
          layer.line,
          `${label}: boutique's per-environment file is <valuesDir>/${release.name}.yaml, named for the release: left out; move the files (${moves.join(', ')}), which boutique then applies on its own`,
        );
        return;
      }
      const dir = posix.dirname(path);
      if (taken && taken.dir !== dir) {
        this.note(
          layer.line,
          `${label} reads environment ${environment}'s files from ${dir}, release ${taken.release} from ${taken.dir}; boutique has one folder per environment: left out`,
        );
        return;
      }
      dirs.set(environment, dir);
    }
    for (const [environment, dir] of dirs) {
      this.valuesDirs.set(environment, this.valuesDirs.get(environment) ?? { dir, release: release.name });
      if (!this.overlays.has(release.name)) this.overlays.set(release.name, new Set());
      this.overlays.get(release.name)!.add(environment);
    }
    this.files.push(...writes);
  }

  /** An inline values map as helmfile hands it to helm, without the keys a template decides (each one noted). */
  private inlineValues(node: YNode, where: string, keys?: KeysPerEnvironment): unknown {
    if (node.kind === 'scalar') return node.value;
    if (node.kind === 'seq') {
      return node.items.flatMap((item, index) => {
        const dropped = this.dropped(item, `${where}[${index}]`, node);
        return dropped ? [] : [this.inlineValues(item, `${where}[${index}]`)];
      });
    }
    const out: Record<string, unknown> = {};
    for (const each of node.entries) {
      const label = `${where}.${each.key}`;
      if (this.templatedKey(each, where)) continue;
      const applies = keys && this.outsideRegion(each, node)?.environments;
      if (applies) {
        // A key in a block on the environment's name: it belongs to the per-environment file, where the block holds.
        keys.entries.push({ applies, path: [...keys.at, each.key], value: this.inlineValues(each.value, label) });
        continue;
      }
      if (this.dropped(each, label, node)) continue;
      const value = this.inlineValues(each.value, label, keys && { at: [...keys.at, each.key], entries: keys.entries });
      // A map whose every key a template wrote is left out whole: `key: {}` would say more than helmfile did.
      const emptied =
        each.value.kind === 'map' && each.value.entries.length > 0 && Object.keys(value as object).length === 0;
      if (!emptied) out[each.key] = value;
    }
    return out;
  }

  /** A key a template writes ({{ toYaml … }} alone on its line): noted, and left out. */
  private templatedKey(pair: YEntry, where: string): boolean {
    const only = this.templated ? /^__boutique_tmpl_(\d+)__$/.exec(pair.key) : null;
    if (!only) return false;
    this.note(
      pair.line,
      `${where}: ${this.expressions[Number(only[1])]!.source} writes keys here: left out; write what it renders`,
    );
    return true;
  }

  /** Whether a unit of inline values depends on a template (noted then). */
  private dropped(unit: YEntry | YNode, label: string, parent: { at: [number, number] }): boolean {
    if (this.outsideRegion(unit, parent)) {
      this.note(
        unit.line,
        `${label} (lines ${unit.at[0]}–${unit.at[1]}) applies only ${this.conditionText(unit)}: left out`,
      );
      return true;
    }
    const leaf = 'key' in unit ? unit.value : unit;
    if (leaf.kind === 'scalar' && this.templated && /__boutique_tmpl_\d+__/.test(leaf.text)) {
      const sources = [...leaf.text.matchAll(markerPattern)].map((match) => this.expressions[Number(match[1])]!.source);
      const env = sources.find((source) => /\b(requiredEnv|env)\b/.test(source));
      const why = env
        ? `reads an environment variable (${env}); pass it in CI with --set`
        : `is templated (${sources.join(' ')}); write what it renders`;
      this.note(leaf.line, `${label} ${why}: left out`);
      return true;
    }
    return false;
  }

  /** One `set` (or `setString`) entry, typed as helm types what helmfile passes; undefined when it has no counterpart. */
  private setValue(item: YNode, where: string, isString: boolean): RawSetValue | undefined {
    const nameEntry = entry(item, 'name');
    const valueEntry = entry(item, 'value');
    const name = nameEntry && this.plainText(nameEntry.value, `${where}: set name`);
    if (!name) return undefined;
    const label = `${where}: ${isString ? 'setString' : 'set'} ${name}`;
    if (!valueEntry) {
      this.note(item.line, `${label} with values: or file: is not converted: put it in a values file`);
      return undefined;
    }
    if (valueEntry.value.kind === 'scalar' && valueEntry.value.text === '') {
      this.note(item.line, `${label}: helmfile passes nothing for an empty value: not converted`);
      return undefined;
    }
    const text = this.text(valueEntry.value);
    if (text?.kind !== 'plain') {
      const env =
        text?.kind === 'templated' ? text.sources.find((source) => /\b(requiredEnv|env)\b/.test(source)) : undefined;
      this.note(
        valueEntry.line,
        `${label} ${env ? `reads an environment variable (${env})` : 'has a templated value'}: not converted; pass it in CI with --set ${name}=…`,
      );
      return undefined;
    }
    if (/[,{}\\]/.test(text.text)) {
      this.note(
        valueEntry.line,
        `${label}: the value ${JSON.stringify(text.text)} holds , { } or \\, which boutique hands to helm unescaped: not converted; put it in an inline values map`,
      );
      return undefined;
    }
    if (isString) return { name, value: text.text };
    const typed = typeOfSetText(text.text);
    if (typed.kind === 'null' || typed.kind === 'unsafe-integer') {
      this.note(
        valueEntry.line,
        `${label}=${text.text}: ${typed.kind === 'null' ? 'helm removes the key, which set in releases.yaml cannot say' : 'an integer beyond what boutique keeps exactly'}: not converted; put it in an inline values map`,
      );
      return undefined;
    }
    return { name, value: typed.value };
  }
}

/**
 * Converts helmfile.yaml text into releases.yaml data, and lists exactly what it left out (templating it cannot
 * follow, hooks, secrets, patches, helm flags boutique does not set…) by line. Pure: the command reads and writes
 * the files.
 */
export function convertHelmfile(text: string, options: ConvertOptions): HelmfileImport {
  return new Converter(text, options).convert();
}

/** releases.yaml text for the converted file, in the order the reference documents its sections. */
export function renderReleasesYaml(
  result: HelmfileImport,
  helmfile: string,
  schema = './schema/releases.schema.json',
): string {
  const { repositories, environments, defaults, lint, releases } = result.releasesFile;
  const ordered = Object.fromEntries(
    Object.entries({ repositories, environments, defaults, lint, releases }).filter(([, value]) => value !== undefined),
  );
  const header = [`# yaml-language-server: $schema=${schema}`, `# Converted from ${helmfile} by boutique import.`];
  if (result.notes.length > 0)
    header.push(
      `# ${result.notes.length} thing${result.notes.length === 1 ? ' was' : 's were'} not converted; boutique import listed each with its line in ${helmfile}.`,
    );
  return `${header.join('\n')}\n${stringifyGoYaml(ordered)}`;
}

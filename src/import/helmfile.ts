import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { RawEnvironment, RawRelease, RawReleaseOptions, RawReleasesFile, RawRepository, RawSetValue } from '../config/types.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { parseGoYamlDocuments, stringifyGoYaml } from '../yaml/go-yaml.js';

/** Something in helmfile.yaml that has no equivalent in releases.yaml, where it is and what to do instead. */
export interface ImportNote {
  line: number;
  message: string;
}

export interface HelmfileImport {
  releasesFile: RawReleasesFile;
  /** In line order: exactly what was left out. */
  notes: ImportNote[];
}

export interface ConvertOptions {
  /** The helmfile's name, for error messages. */
  file: string;
  /** Rewrites a path relative to the helmfile into one relative to the releases.yaml being written. */
  rebasePath?: (path: string) => string;
}

// A {{ … }} expression, replaced before parsing by a marker that keeps the line and is recognised as "templated".
const templateExpression = /\{\{-?[\s\S]*?-?\}\}/g;
const templated = '__boutique_import_gotmpl__';
const optionKeys = ['wait', 'timeout', 'atomic', 'createNamespace', 'historyMax'] as const;

/**
 * Why helmfile features have no releases.yaml counterpart, with what to do instead. Keys are top-level keys of
 * helmfile.yaml or keys of a release.
 */
const unsupported: Record<string, string> = {
  hooks: 'boutique runs no hooks: use a Job with helm.sh/hook annotations in the chart, or a CI step',
  secrets: 'boutique has no secrets backend (helm-secrets, vals): decrypt in CI into a values file, or use set with secret: true',
  helmfiles: 'nested helmfiles are not followed: import each one and merge the releases',
  bases: 'bases are not merged: import the base and this file, then merge',
  templates: 'release templates are not expanded: write the shared keys into each release (or defaults)',
  values: 'template values only feed {{ }} expressions, which boutique does not have: per-environment release values go in values/<environment>/<release>.yaml',
  kubeContext: 'a kube context belongs to an environment in boutique (environments.<env>.kubeContext)',
  missingFileHandler: 'boutique reports a missing values file as an error',
  condition: 'use installed: (true, false, or per environment)',
  inherit: 'release templates are not expanded: write the shared keys into the release',
  postRenderer: 'boutique passes no post-renderer to helm: render changes into the chart',
  strategicMergePatches: 'patches are not applied: put the change in the chart or its values',
  jsonPatches: 'patches are not applied: put the change in the chart or its values',
  transformers: 'transformers are not applied: put the change in the chart or its values',
  apiVersions: 'boutique asks the cluster for its API versions (diff and sync run helm against it)',
};

class Converter {
  readonly notes: ImportNote[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    text: string,
    private readonly options: ConvertOptions,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.lineStarts.push(i + 1);
  }

  lineOf(node: Node | null | undefined): number {
    const offset = node?.range?.[0] ?? 0;
    let line = 0;
    while (line + 1 < this.lineStarts.length && this.lineStarts[line + 1]! <= offset) line++;
    return line + 1;
  }

  note(node: Node | null | undefined, message: string): void {
    this.notes.push({ line: this.lineOf(node), message });
  }

  /** A scalar's value, or undefined (with no note: its line already has one) when a template produced it. */
  scalar(node: unknown): string | number | boolean | undefined {
    if (!isScalar(node)) return undefined;
    const value = node.value;
    if (this.isTemplated(node)) return undefined;
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  }

  isTemplated(node: unknown): boolean {
    return isScalar(node) && typeof node.value === 'string' && node.value.includes(templated);
  }

  string(node: unknown): string | undefined {
    const value = this.scalar(node);
    return value === undefined ? undefined : String(value);
  }

  plain(node: unknown): unknown {
    const value = isMap(node) || isSeq(node) || isScalar(node) ? node.toJSON() : undefined;
    return JSON.stringify(value ?? null).includes(templated) ? undefined : value;
  }

  path(path: string): string {
    return this.options.rebasePath ? this.options.rebasePath(path) : path;
  }

  /** wait, timeout, atomic, createNamespace and historyMax, in helmDefaults or on a release; false when the key is another. */
  releaseOption(pair: Pair, target: RawReleaseOptions): boolean {
    const key = String((pair.key as { value?: unknown }).value);
    if (!(optionKeys as readonly string[]).includes(key)) return false;
    const value = this.scalar(pair.value);
    if (value === undefined) return true;
    if (key === 'timeout' && (typeof value === 'number' || typeof value === 'string')) target.timeout = value;
    else if (key === 'historyMax' && typeof value === 'number') target.historyMax = value;
    else if (key !== 'timeout' && key !== 'historyMax' && typeof value === 'boolean') target[key as 'wait' | 'atomic' | 'createNamespace'] = value;
    else this.note(pair.value as Node, `${key}: ${String(value)} is not a ${key === 'timeout' ? 'duration' : key === 'historyMax' ? 'number' : 'boolean'}`);
    return true;
  }
}

const keyOf = (pair: Pair): string => String((pair.key as { value?: unknown }).value);
const pairs = (node: unknown): Pair[] => (isMap(node) ? (node as YAMLMap).items : []);

/**
 * Converts helmfile.yaml text into releases.yaml data, and lists exactly what it left out (templating, hooks,
 * secrets, patches, helm flags boutique does not set…) by line. Pure: the command reads and writes the files.
 */
export function convertHelmfile(text: string, options: ConvertOptions): HelmfileImport {
  const notes: ImportNote[] = [];
  const lines = text.split('\n').map((line, index) => {
    if (!line.includes('{{')) return line;
    notes.push({ line: index + 1, message: `template ${(line.match(templateExpression) ?? [line.trim()]).join(' ')}: boutique does not template releases.yaml; write what it renders for each environment (values/<environment>/<release>.yaml, installed: {env: false})` });
    // A line of template actions only ({{ if }}, {{ end }}, {{ range }}) becomes empty, keeping what it encloses as
    // written; an inline expression becomes a marker, and the key that holds it is left out.
    return line.replace(templateExpression, '').trim() === '' ? '' : line.replace(templateExpression, templated);
  });
  const source = lines.join('\n');
  const converter = new Converter(source, options);
  const documents = parseGoYamlDocuments(source);
  const syntax: ConfigIssue[] = documents.flatMap((doc) =>
    doc.errors.map((error) => ({ file: options.file, line: error.linePos?.[0].line ?? 1, column: error.linePos?.[0].col ?? 1, path: '', message: error.message.split('\n')[0]! })),
  );
  if (syntax.length > 0) throw new ConfigError(syntax);

  const out: RawReleasesFile = { releases: [] };
  const repositories = new Map<string, RawRepository & { oci: boolean }>();
  const environments: Record<string, RawEnvironment> = {};
  const defaults: RawReleaseOptions = {};
  const commonLabels: Record<string, string> = {};
  let defaultContext: string | undefined;
  const releaseNodes: YAMLMap[] = [];

  for (const doc of documents) {
    for (const pair of pairs(doc.contents)) {
      const key = keyOf(pair);
      const value = pair.value as Node;
      switch (key) {
        case 'repositories':
          for (const item of isSeq(value) ? value.items : []) {
            const name = converter.string((item as YAMLMap).get?.('name', true));
            const url = converter.string((item as YAMLMap).get?.('url', true));
            if (!name || !url) {
              converter.note(item as Node, 'repository without a plain name and url');
              continue;
            }
            const oci = (item as YAMLMap).get('oci') === true;
            repositories.set(name, { name, url, oci });
            for (const extra of pairs(item).filter((p) => !['name', 'url', 'oci'].includes(keyOf(p)))) {
              converter.note(extra.key as Node, `repository ${name}: ${keyOf(extra)} is not converted; credentials and TLS files belong to helm on the machine (helm repo add / helm registry login)`);
            }
          }
          break;
        case 'helmDefaults':
          for (const option of pairs(value)) {
            if (converter.releaseOption(option, defaults)) continue;
            if (keyOf(option) === 'kubeContext') defaultContext = converter.string(option.value);
            else converter.note(option.key as Node, `helmDefaults.${keyOf(option)} is not converted: boutique sets only wait, timeout, atomic, createNamespace and historyMax`);
          }
          break;
        case 'environments':
          for (const environment of pairs(value)) {
            const name = keyOf(environment);
            const converted: RawEnvironment = {};
            for (const setting of pairs(environment.value)) {
              const settingKey = keyOf(setting);
              if (settingKey === 'kubeContext') {
                const context = converter.string(setting.value);
                if (context) converted.kubeContext = context;
              } else {
                converter.note(setting.key as Node, `environments.${name}.${settingKey}: ${unsupported[settingKey] ?? 'not converted'}`);
              }
            }
            environments[name] = converted;
          }
          break;
        case 'releases':
          for (const item of isSeq(value) ? value.items : []) if (isMap(item)) releaseNodes.push(item);
          break;
        case 'commonLabels':
          for (const label of pairs(value)) {
            const labelValue = converter.string(label.value);
            if (labelValue !== undefined) commonLabels[keyOf(label)] = labelValue;
          }
          break;
        case 'kubeVersion': {
          const version = /^v?(\d+\.\d+)/.exec(converter.string(value) ?? '');
          if (version) out.lint = { kubeVersion: version[1]! };
          break;
        }
        default:
          converter.note(pair.key as Node, `${key}: ${unsupported[key] ?? 'not converted'}`);
      }
    }
  }

  if (repositories.size > 0) {
    const plain = [...repositories.values()].filter((repository) => !repository.oci);
    if (plain.length > 0) out.repositories = plain.map(({ name, url }) => ({ name, url }));
  }
  if (defaultContext) {
    for (const name of Object.keys(environments).length > 0 ? Object.keys(environments) : ['default']) {
      environments[name] ??= {};
      environments[name]!.kubeContext ??= defaultContext;
    }
  }
  const declared = Object.entries(environments).filter(([name, environment]) => name !== 'default' || Object.keys(environment).length > 0);
  if (declared.length > 0) out.environments = Object.fromEntries(declared);
  if (Object.keys(defaults).length > 0) out.defaults = defaults;

  for (const node of releaseNodes) {
    const release = convertRelease(node, converter, repositories);
    if (!release) continue;
    if (Object.keys(commonLabels).length > 0) release.labels = { ...commonLabels, ...release.labels };
    out.releases.push(release);
  }
  return { releasesFile: out, notes: [...notes, ...converter.notes].sort((a, b) => a.line - b.line) };
}

function convertChart(chart: string, converter: Converter, repositories: ReadonlyMap<string, RawRepository & { oci: boolean }>, node: Node): string {
  if (chart.startsWith('oci://') || chart.startsWith('./') || chart.startsWith('../') || chart.startsWith('/')) {
    return chart.startsWith('oci://') || chart.startsWith('/') ? chart : converter.path(chart);
  }
  const [repository, ...rest] = chart.split('/');
  const declared = repositories.get(repository!);
  if (declared?.oci) return `oci://${declared.url.replace(/\/$/, '')}/${rest.join('/')}`;
  if (declared) return chart;
  converter.note(node, `chart ${chart}: no repository "${repository}" is declared, so it is read as the local folder ./${chart}`);
  return converter.path(`./${chart}`);
}

function convertRelease(node: YAMLMap, converter: Converter, repositories: ReadonlyMap<string, RawRepository & { oci: boolean }>): RawRelease | undefined {
  const name = converter.string(node.get('name', true));
  const chart = converter.string(node.get('chart', true));
  if (!name || !chart) {
    converter.note(node, 'release without a plain name and chart: not converted');
    return undefined;
  }
  const release: RawRelease = { name, chart: '' };
  for (const pair of node.items) {
    const key = keyOf(pair);
    const value = pair.value as Node;
    const where = `release ${name}`;
    switch (key) {
      case 'name':
        break;
      case 'chart':
        release.chart = convertChart(chart, converter, repositories, value);
        break;
      case 'namespace':
      case 'version': {
        const text = converter.string(value);
        if (text) release[key] = text;
        break;
      }
      case 'values':
        for (const item of isSeq(value) ? value.items : []) {
          if (isScalar(item)) {
            const path = converter.string(item);
            if (path === undefined) continue;
            if (/\.gotmpl$/.test(path)) converter.note(item, `${where}: values file ${path} is a template: render it once per environment into plain values files`);
            else (release.values ??= []).push(converter.path(path));
          } else {
            const inline = converter.plain(item);
            if (inline && typeof inline === 'object' && !Array.isArray(inline)) (release.values ??= []).push(inline as Record<string, unknown>);
          }
        }
        break;
      case 'set':
        for (const item of isSeq(value) ? value.items : []) {
          const setName = converter.string((item as YAMLMap).get?.('name', true));
          const setValue = converter.scalar((item as YAMLMap).get?.('value', true));
          if (setName !== undefined && setValue !== undefined) (release.set ??= []).push({ name: setName, value: setValue } satisfies RawSetValue);
          else if (converter.isTemplated((item as YAMLMap).get?.('value', true))) converter.note(item as Node, `${where}: set ${setName ?? ''} has a templated value: not converted; pass it in CI with --set ${setName ?? 'KEY'}=…`);
          else converter.note(item as Node, `${where}: set ${setName ?? ''} with values: or file: is not converted: put it in a values file`);
        }
        break;
      case 'labels':
        for (const label of pairs(value)) {
          const labelValue = converter.string(label.value);
          if (labelValue !== undefined) (release.labels ??= {})[keyOf(label)] = labelValue;
        }
        break;
      case 'needs':
        for (const item of isSeq(value) ? value.items : []) {
          const need = converter.string(item);
          if (need === undefined) continue;
          const parts = need.split('/');
          if (parts.length === 3) converter.note(item as Node, `${where}: need ${need}: the kube context "${parts[0]}" is dropped (boutique releases of one run share a context)`);
          (release.needs ??= []).push(parts.slice(-2).filter(Boolean).join('/'));
        }
        break;
      case 'installed': {
        const installed = converter.scalar(value);
        if (typeof installed === 'boolean') release.installed = installed;
        break;
      }
      case 'hooks': {
        const events = (isSeq(value) ? value.items : []).flatMap((hook) => ((converter.plain((hook as YAMLMap).get?.('events', true)) as string[] | undefined) ?? []));
        converter.note(pair.key as Node, `${where}: hooks${events.length ? ` (${[...new Set(events)].join(', ')})` : ''}: ${unsupported.hooks}`);
        break;
      }
      default:
        if (converter.releaseOption(pair, release)) break;
        converter.note(pair.key as Node, `${where}: ${key}: ${unsupported[key] ?? 'a helm option boutique does not set; not converted'}`);
    }
  }
  return release;
}

/** releases.yaml text for the converted file, in the order the reference documents its sections. */
export function renderReleasesYaml(result: HelmfileImport, helmfile: string): string {
  const { repositories, environments, defaults, lint, releases } = result.releasesFile;
  const ordered = Object.fromEntries(Object.entries({ repositories, environments, defaults, lint, releases }).filter(([, value]) => value !== undefined));
  const header = [`# Converted from ${helmfile} by boutique import.`];
  if (result.notes.length > 0) header.push(`# ${result.notes.length} thing${result.notes.length === 1 ? ' was' : 's were'} not converted; boutique import listed each with its line in ${helmfile}.`);
  return `${header.join('\n')}\n${stringifyGoYaml(ordered)}`;
}

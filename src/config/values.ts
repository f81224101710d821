import type { ErrorObject, ValidateFunction } from 'ajv';
import { join } from 'node:path';
import type { ConfigIssue } from '../errors.js';
import { newAjv } from '../jsonschema/ajv.js';
import { acceptedBefore } from './accepted.js';
import { pathsMeet, setPathSteps } from './values-path.js';
import { issueAt, locate, pathToPointer, pointerToPath, type ParsedDocument, type PathSegment } from './parse.js';
import type { FileProbe } from './file-probe.js';
import { coalesceValues } from './values-merge.js';
import type { ValuesFileReader } from './values-reader.js';
import { isRecord } from '../yaml/record.js';
import { isSopsDocument } from './sops-file.js';
import { didYouMean } from '../text/suggest.js';
import { article, describe } from './validate.js';
import type { Release, ReleasesConfig } from './types.js';

/** Where a layer's values came from, to point a schema error at the line that set the offending value. */
/** The file of an issue in a --set value of the command line, which has no file: it is reported as a usage error. */
export const commandLine = '(command line)';

interface Layer {
  values: Record<string, unknown>;
  /** A --set of the command line, as typed (`--set replicaCount=abc`); a secret one is never quoted. */
  commandLine?: { flag: string; secret: boolean };
  /** The document that holds the layer, and the path of the layer's map within it. */
  parsed: ParsedDocument;
  at: PathSegment[];
  /** A `set` entry: every key of the layer points at the entry's value. */
  isSet?: boolean;
}

/**
 * Validates each installed release with a local chart against the chart's values.schema.json, as helm would: the
 * chart's values.yaml, then the release's layers in helm's order, then `set`. A rejected value is reported at the
 * line of the layer that set it last (a values file, or releases.yaml for inline values and set), never at a
 * temporary file. Repository and OCI charts are validated by helm once it has fetched them.
 */
export function chartValuesIssues(
  config: ReleasesConfig,
  releasesFile: ParsedDocument,
  reader: ValuesFileReader,
  files: FileProbe,
  commandLineSets: ReadonlySet<unknown> = new Set(),
): ConfigIssue[] {
  const schemas = new Map<string, ChartSchema | undefined>();
  return config.releases.flatMap((release, index) => {
    if (!release.installed || release.chart.kind !== 'local') return [];
    const chartDir = release.chart.path;
    if (!schemas.has(chartDir)) schemas.set(chartDir, chartSchema(chartDir, files));
    const schema = schemas.get(chartDir);
    if (!schema) return [];
    // The values of a sops file are known only once a run decrypts them (app/sops-values.ts): helm checks them then.
    if (
      release.values.some(
        (layer) =>
          layer.kind === 'sops' ||
          (layer.kind === 'file' &&
            reader.issues(layer.path).length === 0 &&
            isSopsDocument(reader.read(layer.path).value)),
      )
    )
      return [];
    const inputs = layerInputs(release, chartDir, reader, files);
    if (inputs === undefined) return [];
    const accepted = acceptedBefore(schema.text, inputs);
    if (accepted.hit) return [];
    const layers = releaseLayers(release, index, chartDir, releasesFile, reader, files, commandLineSets);
    if (layers === undefined) return [];
    const validate = schema.compiled();
    if (!validate) return [];
    if (validate(mergeLayers(layers))) {
      accepted.remember();
      return [];
    }
    return (validate.errors ?? [])
      .filter((error) => error.keyword !== 'if')
      .flatMap((error) => schemaIssue(error, layers, release, index, releasesFile));
  });
}

/**
 * What a release's merged values are made of, without parsing a values file: the texts of its files, its inline
 * values and set entries. The same inputs merge to the same values, so a schema that accepted them accepts them
 * again. Undefined when a values file is broken (reported already).
 */
function layerInputs(
  release: Release,
  chartDir: string,
  reader: ValuesFileReader,
  files: FileProbe,
): unknown[] | undefined {
  const chartValues = join(chartDir, 'values.yaml');
  const filePaths = [
    ...(files.isFile(chartValues) ? [chartValues] : []),
    ...release.values.flatMap((layer) => (layer.kind === 'file' ? [layer.path] : [])),
  ];
  if (filePaths.some((path) => reader.issues(path).length > 0)) return undefined;
  return [
    files.isFile(chartValues) ? reader.text(chartValues) : null,
    ...release.values.map((layer) =>
      layer.kind === 'file' ? { file: reader.text(layer.path) } : { inline: layer.values },
    ),
    // Secret entries carry their mark: inputs that hold one are never remembered.
    ...release.set.map((entry) =>
      entry.secret ? { name: entry.name, value: entry.value, secret: true } : [entry.name, entry.value],
    ),
  ];
}

/** A chart's values.schema.json, compiled only when some release's values were not accepted before. */
interface ChartSchema {
  text: string;
  compiled(): ValidateFunction | undefined;
}

function chartSchema(chartDir: string, files: FileProbe): ChartSchema | undefined {
  const path = join(chartDir, 'values.schema.json');
  if (!files.isFile(path)) return undefined;
  const text = files.readText(path);
  let compiled: ValidateFunction | undefined | null = null;
  return {
    text,
    compiled() {
      if (compiled !== null) return compiled;
      try {
        compiled = newAjv().compile(JSON.parse(text) as object);
      } catch {
        // A schema helm cannot use either: helm lint and helm template say what is wrong with it.
        compiled = undefined;
      }
      return compiled;
    },
  };
}

/** The release's layers, lowest precedence first; undefined when a values file is unreadable (reported already). */
function releaseLayers(
  release: Release,
  index: number,
  chartDir: string,
  releasesFile: ParsedDocument,
  reader: ValuesFileReader,
  files: FileProbe,
  commandLineSets: ReadonlySet<unknown>,
): Layer[] | undefined {
  const fileLayer = (path: string): Layer | undefined | 'broken' => {
    if (reader.issues(path).length > 0) return 'broken';
    const parsed = reader.read(path);
    return isRecord(parsed.value) ? { values: parsed.value, parsed, at: [] } : undefined;
  };
  const chartValues = join(chartDir, 'values.yaml');
  const layers = [
    files.isFile(chartValues) ? fileLayer(chartValues) : undefined,
    ...release.values.map((layer): Layer | undefined | 'broken' => {
      if (layer.kind === 'file') return fileLayer(layer.path);
      // A versions-file entry has no line of releases.yaml: its keys point at the release's name.
      if (layer.kind === 'sops') return undefined;
      return layer.source === undefined
        ? { values: layer.values, parsed: releasesFile, at: ['releases', index, 'name'], isSet: true }
        : { values: layer.values, parsed: releasesFile, at: pointerToPath(layer.source) };
    }),
    // A value from a cluster Secret is not known before the run reads it: helm checks it then.
    ...release.set.map((entry, setIndex) => {
      if (entry.unresolved) return undefined;
      const layer = setLayer(entry.name, entry.value, releasesFile, [
        'releases',
        index,
        'set',
        setIndex,
        entry.valueFrom ? 'valueFrom' : 'value',
      ]);
      return layer && commandLineSets.has(entry)
        ? {
            ...layer,
            commandLine: {
              flag: entry.secret ? `--set-secret ${entry.name}` : `--set ${entry.name}=${String(entry.value)}`,
              secret: entry.secret === true,
            },
          }
        : layer;
    }),
  ];
  if (layers.includes('broken')) return undefined;
  return layers.filter((layer): layer is Layer => layer !== undefined && layer !== 'broken');
}

/**
 * A `set` entry as a layer of its own. Only plain dotted paths are read (`image.tag`); helm's list indexes and
 * escaped dots are left to helm, so a value boutique cannot place is never misreported.
 */
function setLayer(name: string, value: unknown, parsed: ParsedDocument, at: PathSegment[]): Layer | undefined {
  if (!/^[^.[\]\\,=]+(\.[^.[\]\\,=]+)*$/.test(name)) return undefined;
  const keys = name.split('.');
  const values: Record<string, unknown> = {};
  let map = values;
  for (const key of keys.slice(0, -1)) map = (map[key] = {}) as Record<string, unknown>;
  map[keys.at(-1)!] = value;
  return { values, parsed, at, isSet: true };
}

/** The layers' values coalesced as helm does (values-merge.ts). */
function mergeLayers(layers: readonly Layer[]): Record<string, unknown> {
  return coalesceValues(layers.map((layer) => layer.values));
}

function has(values: unknown, path: readonly PathSegment[]): boolean {
  let node = values;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !(String(segment) in node)) return false;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return true;
}

function schemaIssue(
  error: ErrorObject,
  layers: readonly Layer[],
  release: Release,
  index: number,
  releasesFile: ParsedDocument,
): ConfigIssue[] {
  const path = pointerToPath(error.instancePath);
  const unknownKey = error.keyword === 'additionalProperties' ? String(error.params.additionalProperty) : undefined;
  const subject = unknownKey === undefined ? path : [...path, unknownKey];
  const name = subject.length === 0 ? 'the values' : describe(subject);
  const where = join(release.chartSource, 'values.schema.json');
  // A secret value (or a map holding one) is never echoed: its place is enough to find it (issue 27).
  const secret = release.set.some((entry) => entry.secret && pathsMeet(setPathSteps(entry.name), subject));
  const { message, hint } = describeError(error, name, where, unknownKey, secret);
  // The highest layer holding the value set it last; a missing required key is held by none: point at the release.
  const setter =
    error.keyword === 'required' ? undefined : [...layers].reverse().find((layer) => has(layer.values, subject));
  if (!setter)
    return [issueAt(releasesFile, ['releases', index, 'chart'], `values of release ${release.id}: ${message}`, hint)];
  if (setter.commandLine) {
    // A secret value is never quoted: helm checks it, and says only where.
    if (setter.commandLine.secret) return [];
    return [
      {
        file: commandLine,
        line: 1,
        column: 1,
        path: pathToPointer(subject),
        message: `${setter.commandLine.flag}: ${message} (release ${release.id})`,
        hint,
      },
    ];
  }
  const target = setter.isSet ? setter.at : [...setter.at, ...subject];
  // An unknown key is pointed at itself, a wrong value at the value.
  const { line, column } =
    setter.isSet || unknownKey === undefined
      ? locate(setter.parsed, target)
      : locate(setter.parsed, [...setter.at, ...path], unknownKey);
  return [
    {
      file: setter.parsed.file,
      line,
      column,
      path: pathToPointer(target),
      message: `${message} (release ${release.id})`,
      hint,
    },
  ];
}

function describeError(
  error: ErrorObject,
  name: string,
  where: string,
  unknownKey: string | undefined,
  secret: boolean,
): { message: string; hint: string } {
  const data = secret ? 'the secret value given (not shown)' : JSON.stringify(error.data);
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return {
        message: `unknown key "${unknownKey}": ${where} does not allow it`,
        hint:
          didYouMean(unknownKey!, allowed) ??
          (allowed.length > 0 ? `allowed keys: ${allowed.join(', ')}` : 'remove it'),
      };
    }
    case 'required':
      return {
        message: `${name} is missing the key "${String(error.params.missingProperty)}" that ${where} requires`,
        hint: `set ${String(error.params.missingProperty)} in a values file or inline values of the release`,
      };
    case 'type':
      return {
        message: `${name} must be ${article(String(error.params.type))}, not ${data}`,
        hint:
          !secret && typeof error.data === 'string' && error.data.trim() !== '' && !Number.isNaN(Number(error.data))
            ? 'write the number without quotes'
            : `write ${article(String(error.params.type))}, as ${where} declares`,
      };
    case 'enum':
      return {
        message: `${name} must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}, not ${data}`,
        hint:
          (!secret && didYouMean(String(error.data), (error.params.allowedValues as unknown[]).map(String))) ||
          `${where} lists the allowed values`,
      };
    default:
      return {
        message: `${name} ${error.message ?? 'is invalid'} (${where})`,
        hint: `see ${where} for what ${name} accepts`,
      };
  }
}

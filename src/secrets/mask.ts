import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { pathsMeet, setPathSteps } from '../config/values-path.js';
import { isCoreSecret, objectKey, parseManifests, type KubeObject } from '../kube/objects.js';
import { isRecord } from '../yaml/record.js';
import { documentToJs, parseGoYamlDocuments } from '../yaml/go-yaml.js';

/**
 * One value a release must never show: where it goes in the release's values (a helm --set path, `db.password`)
 * and what it is. Where it came from (releases.yaml `secret: true`, `--set-secret`, and later the environment, a
 * file, a cluster Secret or a SOPS file) makes no difference to how it is kept out of every output (issue 27, 31).
 */
export interface SecretValue {
  path: string;
  value: unknown;
}

/** The secret values of a release: every set entry marked secret, whatever brought it in, and the encrypted leaves of its sops files. */
export function secretValuesOf(
  release:
    | {
        set: readonly { name: string; value: unknown; secret?: boolean }[];
        values?: readonly ({ kind: string } | { kind: 'sops'; secrets: readonly SecretValue[] })[];
      }
    | undefined,
): SecretValue[] {
  const fromSops = (release?.values ?? []).flatMap((layer) => ('secrets' in layer ? layer.secrets : []));
  return [
    ...fromSops,
    ...(release?.set ?? []).filter((entry) => entry.secret).map((entry) => ({ path: entry.name, value: entry.value })),
  ];
}

/** What every Secret value and every secret value is replaced with. */
export const MASK = '***';

/**
 * A secret value is looked for by its text, anywhere in an output, only from this many characters on. A shorter
 * one (`v1`, `admin`, a PIN) would hide unrelated text (`apiVersion: v1`) and is masked only where boutique knows it
 * lands: in every Secret's data and stringData of its release, in helm's messages about its values path, and where a
 * render with stand-ins puts it (secretPlaces).
 */
export const MIN_MATCHED_LENGTH = 8;

/**
 * Stand-ins for a release's short secret values, for a render that finds where they land: a string becomes a long
 * text no chart holds, a number a long number; a boolean says nothing of where it goes and has none. Undefined
 * when the release has no short secret value.
 */
export function standInsFor(
  release: Parameters<typeof secretValuesOf>[0] & {},
  random: () => string,
): { name: string; value: string | number | boolean; secret?: boolean }[] | undefined {
  const short = (entry: { value: unknown; secret?: boolean }) =>
    entry.secret &&
    (typeof entry.value === 'string' || typeof entry.value === 'number') &&
    String(entry.value).length < MIN_MATCHED_LENGTH;
  // A sops file's short leaves are stood in for by secret set entries at their paths, which win over every layer.
  const fromSops = secretValuesOf({ set: [], values: release.values }).map((secret) => ({
    name: secret.path,
    value: secret.value,
    secret: true,
  }));
  if (!release.set.some(short) && !fromSops.some(short)) return undefined;
  const standIn = (entry: { name: string; value: unknown; secret?: boolean }) => {
    if (!short(entry)) return entry as { name: string; value: string | number | boolean; secret?: boolean };
    const stand = random();
    return {
      ...entry,
      value:
        typeof entry.value === 'number'
          ? Number.parseInt(stand.replace(/\D/g, '').padEnd(12, '7').slice(0, 12), 10)
          : `boutique-stand-in-${stand}`,
    };
  };
  return [...fromSops.filter(short).map(standIn), ...release.set.map(standIn)];
}

/** The place of a value in a release's objects: the object's key and the path of map keys and list indexes in it. */
const placeOf = (root: KubeObject, namespace: string, steps: Steps): string =>
  [objectKey(root, namespace), ...steps.map(String)].join('\0');

/**
 * Where the stand-ins of a render (standInsFor) land in its manifest: the same places hold the real values in the
 * release's real render, however short they are. A render that cannot be read finds no place.
 */
export function secretPlaces(manifest: string, standIns: readonly SecretValue[], namespace: string): Set<string> {
  const finder = new Masker(standIns.filter(({ value }) => String(value).length >= MIN_MATCHED_LENGTH));
  const places = new Set<string>();
  let objects: KubeObject[];
  try {
    objects = parseManifests(manifest);
  } catch {
    return places;
  }
  for (const root of objects) {
    const walk = (node: unknown, steps: Steps): void => {
      if (typeof node === 'string' || typeof node === 'number') {
        if (finder.holds(String(node))) places.add(placeOf(root, namespace, steps));
      } else if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...steps, String(index)]));
      else if (isRecord(node)) for (const [key, field] of Object.entries(node)) walk(field, [...steps, key]);
    };
    walk(root, []);
  }
  return places;
}

/** A path in a values tree or an object: map keys and list indexes. */
type Steps = readonly (string | number)[];

/**
 * The one masker of a release's secret values, for every output: rendered objects (diff's model), helm's manifests
 * as printed (`template`), values trees, and unstructured text (helm's messages, traces). Structure first: a string
 * that holds a secret is replaced whole by `***`, so YAML and JSON stay valid; every Secret's data and stringData are
 * masked by location, whatever their values. A string holds a secret when it contains it plainly, escaped as
 * `| quote`, `toJson` or YAML escape it, URL-encoded, or inside base64, also base64 of a longer text
 * (`printf "user:%s" .Values.pw | b64enc`).
 */
export class Masker {
  private readonly forms: string[];
  private readonly paths: Steps[];

  /** `places`: where a render with stand-ins put the release's short secret values, in objects of `namespace`. */
  constructor(
    secrets: readonly SecretValue[],
    private readonly where: { places: ReadonlySet<string>; namespace: string } = { places: new Set(), namespace: '' },
  ) {
    this.paths = secrets.map((secret) => setPathSteps(secret.path));
    const texts = secrets.flatMap(({ value }) =>
      typeof value === 'string' || typeof value === 'number' ? [String(value)] : [],
    );
    const long = texts.filter((text) => text.length >= MIN_MATCHED_LENGTH);
    this.forms = [...new Set(long.flatMap(encodedForms))]
      .filter((form) => form.length >= MIN_MATCHED_LENGTH)
      .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** True when the release has secret values: its outputs must go through this masker. */
  get active(): boolean {
    return this.paths.length > 0;
  }

  /** Whether a text holds a secret value, in any of the encodings above (base64 and URL decoded up to twice). */
  holds(text: string, depth = 0): boolean {
    if (this.forms.length === 0) return false;
    if (this.forms.some((form) => text.includes(form))) return true;
    if (depth >= 2) return false;
    for (const token of text.match(BASE64_TOKEN) ?? []) if (this.holds(decodeBase64(token), depth + 1)) return true;
    const unescaped = decodeUrl(text);
    return unescaped !== text && this.holds(unescaped, depth + 1);
  }

  /** Unstructured text (a message, a trace): each encoded form of a secret, and each base64 run that holds one, becomes `***`. */
  text(text: string): string {
    if (this.forms.length === 0) return text;
    const plain = this.forms.reduce((masked, form) => masked.split(form).join(MASK), text);
    return plain.replace(BASE64_TOKEN, (token) => (this.holds(decodeBase64(token), 1) ? MASK : token));
  }

  /** Whether the value at `steps` of an object is shown as `***`: a Secret's data, or a string that holds a secret. */
  masksAt(root: KubeObject, steps: Steps, value: unknown): boolean {
    if (steps.length === 2 && (steps[0] === 'data' || steps[0] === 'stringData') && isCoreSecret(root)) return true;
    if (typeof value === 'string' && this.holds(value)) return true;
    return (
      this.where.places.size > 0 &&
      (typeof value === 'string' || typeof value === 'number') &&
      isRecord(root.metadata) &&
      this.where.places.has(placeOf(root, this.where.namespace, steps))
    );
  }

  /** A JSON-like value with every string that holds a secret replaced by `***`, map keys masked as text. */
  value<T>(value: T): T {
    if (this.forms.length === 0) return value;
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.holds(node) ? MASK : node;
      if (Array.isArray(node)) return node.map(walk);
      if (!isRecord(node)) return node;
      return Object.fromEntries(Object.entries(node).map(([key, field]) => [this.key(key), walk(field)]));
    };
    return walk(value) as T;
  }

  /** A map key as shown: keys are rarely secret, and a masked one keeps a distinct name, so the map stays a map. */
  key(key: string): string {
    return this.holds(key) ? `${MASK}${this.text(key) === MASK ? '' : ` ${this.text(key)}`}` : key;
  }

  /**
   * helm's output as printed (a manifest stream, `helm template`), byte for byte but for each masked scalar, which
   * becomes `"***"` in place: the text stays valid YAML and every other line is helm's. Secrets' data are masked in
   * a release with secret values. Text that is not YAML is masked as text.
   */
  manifest(text: string): string {
    if (!this.active) return text;
    const documents = parseGoYamlDocuments(text, { uniqueKeys: false });
    if (documents.some((document) => document.errors.length > 0)) return this.text(text);
    const ranges: [number, number][] = [];
    for (const document of documents) {
      const root = documentToJs(document);
      const object = isRecord(root) ? (root as KubeObject) : undefined;
      const visit = (node: Node | null | undefined, steps: Steps): void => {
        if (isMap(node)) {
          for (const pair of node.items) {
            const key = isScalar(pair.key) ? String(pair.key.value) : '';
            if (isScalar(pair.key) && this.holds(key) && pair.key.range)
              ranges.push([pair.key.range[0], pair.key.range[1]]);
            visit(pair.value as Node | null, [...steps, key]);
          }
        } else if (isSeq(node)) {
          node.items.forEach((item, index) => visit(item as Node, [...steps, index]));
        } else if (
          isScalar(node) &&
          node.range &&
          (object ? this.masksAt(object, steps, node.value) : typeof node.value === 'string' && this.holds(node.value))
        ) {
          ranges.push([node.range[0], node.range[1]]);
        }
      };
      visit(document.contents, []);
    }
    let masked = '';
    let at = 0;
    for (const [start, end] of ranges.sort((a, b) => a[0] - b[0])) {
      // A block scalar's range takes its last line break along.
      masked += `${text.slice(at, start)}"${MASK}"${text.slice(start, end).endsWith('\n') ? '\n' : ''}`;
      at = end;
    }
    return this.text(masked + text.slice(at));
  }

  /** Whether a values location (JSON pointer steps, as helm's schema errors give them) is, holds or is inside a secret. */
  coversValuesPath(steps: Steps): boolean {
    return this.paths.some((path) => pathsMeet(path, steps));
  }

  /**
   * helm's messages: a values schema error about a secret values path (`- at '/db/password': … does not match
   * pattern`) says no more than that, whatever the value's length; then the text is masked as text.
   */
  helmMessage(text: string): string {
    if (!this.active) return text;
    const scrubbed = text.replace(/^(\s*- at '([^']*)'):.*$/gm, (line, head: string, pointer: string) =>
      this.coversValuesPath(pointerSteps(pointer))
        ? `${head}: ${MASK} (a secret value: helm's message about it is not shown)`
        : line,
    );
    return this.text(scrubbed);
  }
}

/**
 * An error as it may be printed: its message, stack and stderr (helm's or kubectl's words about the release, an API
 * server's message quoting an object) masked as helm's messages are. The same error, so its type still decides the
 * exit code.
 */
export function maskError<E extends Error>(masker: Masker, error: E): E {
  if (!masker.active) return error;
  for (const field of ['message', 'stack', 'stderr'] as const) {
    const text = (error as Record<string, unknown>)[field];
    if (typeof text === 'string')
      Object.defineProperty(error, field, { value: masker.helmMessage(text), writable: true, configurable: true });
  }
  return error;
}

/** A release's masker. */
export function maskerOf(release: Parameters<typeof secretValuesOf>[0]): Masker {
  return new Masker(secretValuesOf(release));
}

const pointerSteps = (pointer: string): string[] =>
  pointer === '' || pointer === '/'
    ? []
    : pointer
        .replace(/^\//, '')
        .split('/')
        .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));

/** A run of base64 (standard or URL-safe alphabet) long enough to hold a secret's base64. */
const BASE64_TOKEN = /[A-Za-z0-9+/_-]{11,}={0,2}/g;

function decodeBase64(token: string): string {
  return Buffer.from(token, 'base64').toString('latin1');
}

function decodeUrl(text: string): string {
  if (!/%[0-9A-Fa-f]{2}|\+/.test(text)) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * The ways a chart, helm, a diff or a JSON output may print a value: as it is, JSON-escaped (JSON.stringify, and Go's
 * json.Marshal, which escapes <, > and &), Go-quoted (`| quote` is Go's %q), with backslashes doubled, YAML
 * single-quoted, URL-encoded (encodeURIComponent, and Go's QueryEscape as `urlquery` writes it), and each line of a
 * multi-line value (a PEM key is printed line by line). base64 is decoded where it is found instead.
 */
function encodedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    value,
    json,
    json.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`),
    goQuote(value),
    value.replace(/\\/g, '\\\\'),
    value.replace(/'/g, "''"),
    encodeURIComponent(value),
    encodeURIComponent(value)
      .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+'),
    latin1(value),
    ...value.split(/\r?\n/).filter((line) => line.length >= MIN_MATCHED_LENGTH),
  ];
}

/** Go's strconv.Quote without its quotes: the escapes `| quote` prints. */
function goQuote(value: string): string {
  const named: Record<string, string> = {
    '\u0007': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '"': '\\"',
    '\\': '\\\\',
  };
  return [...value]
    .map(
      (char) =>
        named[char] ??
        (/[\u0000-\u001f\u007f]/.test(char) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char),
    )
    .join('');
}

/** A value's UTF-8 bytes read as latin1: how base64 decoding here presents it. */
function latin1(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1');
}

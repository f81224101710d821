/**
 * Decoder for the Kubernetes protobuf envelope that typed clients (helm's release storage, `kubectl create
 * namespace|configmap|secret`) send as request bodies: `k8s\0` + Unknown{1 TypeMeta{1 apiVersion, 2 kind}, 2 raw}.
 * Only the messages those clients write are understood; anything else is reported as unsupported.
 */
import type { JsonObject, KubeObject } from './kinds.js';

type WireValue = { wireType: 0; value: bigint } | { wireType: 2; bytes: Buffer } | { wireType: 1 | 5; bytes: Buffer };

/** Every field of one message, grouped by field number, in wire order. */
type Fields = Map<number, WireValue[]>;

function readVarint(buffer: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let position = offset; position < buffer.length; position++) {
    const byte = buffer[position] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, position + 1];
    shift += 7n;
  }
  throw new Error('truncated varint');
}

export function decodeFields(buffer: Buffer): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  while (offset < buffer.length) {
    const [tag, afterTag] = readVarint(buffer, offset);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let value: WireValue;
    if (wireType === 0) {
      const [varint, next] = readVarint(buffer, afterTag);
      value = { wireType: 0, value: varint };
      offset = next;
    } else if (wireType === 2) {
      const [length, start] = readVarint(buffer, afterTag);
      const end = start + Number(length);
      if (end > buffer.length) throw new Error('truncated length-delimited field');
      value = { wireType: 2, bytes: buffer.subarray(start, end) };
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      value = { wireType, bytes: buffer.subarray(afterTag, afterTag + size) };
      offset = afterTag + size;
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

function bytesOf(fields: Fields, field: number): Buffer | undefined {
  const values = fields.get(field);
  const last = values?.[values.length - 1];
  return last?.wireType === 2 ? last.bytes : undefined;
}

function allBytes(fields: Fields, field: number): Buffer[] {
  return (fields.get(field) ?? []).flatMap((value) => (value.wireType === 2 ? [value.bytes] : []));
}

function stringOf(fields: Fields, field: number): string | undefined {
  const text = bytesOf(fields, field)?.toString('utf8');
  return text === '' ? undefined : text;
}

function varintOf(fields: Fields, field: number): bigint | undefined {
  const values = fields.get(field);
  const last = values?.[values.length - 1];
  return last?.wireType === 0 ? last.value : undefined;
}

/** map<string, V> is a repeated entry message {1 key, 2 value}. */
function mapOf(fields: Fields, field: number, encodeValue: (value: Buffer) => string): Record<string, string> | undefined {
  const entries = allBytes(fields, field).map((entry) => {
    const entryFields = decodeFields(entry);
    return [bytesOf(entryFields, 1)?.toString('utf8') ?? '', encodeValue(bytesOf(entryFields, 2) ?? Buffer.alloc(0))] as const;
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

const utf8 = (value: Buffer): string => value.toString('utf8');
const base64 = (value: Buffer): string => value.toString('base64');

function withoutUndefined(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function decodeObjectMeta(buffer: Buffer | undefined): JsonObject {
  if (!buffer) return {};
  const fields = decodeFields(buffer);
  const timestamp = bytesOf(fields, 8);
  const seconds = timestamp ? varintOf(decodeFields(timestamp), 1) : undefined;
  return withoutUndefined({
    name: stringOf(fields, 1),
    generateName: stringOf(fields, 2),
    namespace: stringOf(fields, 3),
    resourceVersion: stringOf(fields, 6),
    creationTimestamp: seconds ? new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z') : undefined,
    labels: mapOf(fields, 11, utf8),
    annotations: mapOf(fields, 12, utf8),
  });
}

type MessageDecoder = (fields: Fields) => JsonObject;

/** The message bodies helm and kubectl send as protobuf, keyed by apiVersion/kind. */
const decoders: Record<string, MessageDecoder> = {
  'v1/Secret': (fields) =>
    withoutUndefined({
      metadata: decodeObjectMeta(bytesOf(fields, 1)),
      data: mapOf(fields, 2, base64),
      type: stringOf(fields, 3),
      stringData: mapOf(fields, 4, utf8),
    }),
  'v1/ConfigMap': (fields) =>
    withoutUndefined({
      metadata: decodeObjectMeta(bytesOf(fields, 1)),
      data: mapOf(fields, 2, utf8),
      binaryData: mapOf(fields, 3, base64),
    }),
  'v1/Namespace': (fields) => ({ metadata: decodeObjectMeta(bytesOf(fields, 1)) }),
  'v1/ServiceAccount': (fields) => ({ metadata: decodeObjectMeta(bytesOf(fields, 1)) }),
  // DELETE bodies: the options are ignored by the emulator apart from propagationPolicy (field 6).
  'v1/DeleteOptions': (fields) => withoutUndefined({ propagationPolicy: stringOf(fields, 6) }),
  'meta.k8s.io/v1/DeleteOptions': (fields) => withoutUndefined({ propagationPolicy: stringOf(fields, 6) }),
};

const magic = Buffer.from('k8s\0', 'latin1');

export class UnsupportedProtobufError extends Error {}

/** Decode a `application/vnd.kubernetes.protobuf` body into the JSON object the client meant. */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  if (!body.subarray(0, 4).equals(magic)) throw new UnsupportedProtobufError('missing the k8s protobuf envelope prefix');
  const unknown = decodeFields(body.subarray(4));
  const typeMeta = decodeFields(bytesOf(unknown, 1) ?? Buffer.alloc(0));
  const apiVersion = stringOf(typeMeta, 1) ?? '';
  const kind = stringOf(typeMeta, 2) ?? '';
  const decoder = decoders[`${apiVersion}/${kind}`];
  if (!decoder) throw new UnsupportedProtobufError(`protobuf bodies of ${apiVersion}/${kind} are not supported by the emulator`);
  const message = decoder(decodeFields(bytesOf(unknown, 2) ?? Buffer.alloc(0)));
  return { apiVersion, kind, metadata: {}, ...message };
}

/** Protobuf writing, for the emulator's protobuf answers (OpenAPI v2) and for tests building request bodies. */
export function encodeVarint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited field: a message, bytes or a (UTF-8) string. */
export function lengthDelimited(field: number, value: Buffer | string): Buffer {
  const payload = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  return Buffer.concat([encodeVarint((field << 3) | 2), encodeVarint(payload.length), payload]);
}

import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeVarint, lengthDelimited } from './protobuf.js';

const bytesField = lengthDelimited;
const varintField = (field: number, value: number): Buffer => Buffer.concat([encodeVarint(field << 3), encodeVarint(value)]);
const mapEntry = (field: number, key: string, value: Buffer | string): Buffer => bytesField(field, Buffer.concat([bytesField(1, key), bytesField(2, value)]));

function envelope(apiVersion: string, kind: string, message: Buffer): Buffer {
  const typeMeta = Buffer.concat([bytesField(1, apiVersion), bytesField(2, kind)]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytesField(1, typeMeta), bytesField(2, message)]);
}

describe('kubernetes protobuf bodies', () => {
  it('decodes a helm release Secret', () => {
    const metadata = Buffer.concat([
      bytesField(1, 'sh.helm.release.v1.rel.v1'),
      bytesField(3, 'ns'),
      bytesField(8, varintField(1, 1767225600)),
      mapEntry(11, 'owner', 'helm'),
      mapEntry(11, 'status', 'pending-install'),
    ]);
    const secret = Buffer.concat([bytesField(1, metadata), mapEntry(2, 'release', Buffer.from([0, 1, 255])), bytesField(3, 'helm.sh/release.v1')]);
    expect(decodeKubernetesProtobuf(envelope('v1', 'Secret', secret))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'sh.helm.release.v1.rel.v1',
        namespace: 'ns',
        creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { owner: 'helm', status: 'pending-install' },
      },
      data: { release: Buffer.from([0, 1, 255]).toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });

  it('decodes ConfigMap data and treats empty strings as unset', () => {
    const configMap = Buffer.concat([bytesField(1, Buffer.concat([bytesField(1, 'cfg'), bytesField(2, '')])), mapEntry(2, 'k', 'v')]);
    expect(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', configMap))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v' } });
  });

  it('refuses kinds it cannot decode and bodies without the envelope', () => {
    expect(() => decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', Buffer.alloc(0)))).toThrow('apps/v1/Deployment are not supported');
    expect(() => decodeKubernetesProtobuf(Buffer.from('{}'))).toThrow('envelope');
  });
});

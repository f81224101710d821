import { randomBytes } from 'node:crypto';
import type { Kubectl } from '../helm/kubectl.js';
import type { KubeObject } from '../kube/objects.js';

/**
 * The key of the inputs hash's secret part (inputs-hash.ts), one per cluster and lock namespace: a Secret
 * `boutique-inputs-key` beside the environment's lock. Not in the repository, not in any cache folder, the same for
 * every machine and CI job that deploys to the cluster, so the hash stays stable from run to run; who can read it can
 * read helm's records, which hold the values themselves.
 */
export const INPUTS_KEY_NAME = 'boutique-inputs-key';

const keyRef = (namespace: string) => ({ apiVersion: 'v1', kind: 'Secret', namespace, name: INPUTS_KEY_NAME });

const keyOf = (secret: KubeObject | undefined): Buffer | undefined => {
  const text = (secret?.data as Record<string, unknown> | undefined)?.key;
  const key = typeof text === 'string' ? Buffer.from(text, 'base64') : undefined;
  return key && key.length >= 32 ? key : undefined;
};

/**
 * The cluster's inputs key, made (32 random bytes) when `create` and there is none yet; undefined when it cannot
 * be read or made (no access to Secrets there): then every release with secret values is upgraded on each sync,
 * since its inputs cannot be compared without saying something about its secrets.
 */
export async function inputsKey(
  kubectl: Kubectl,
  namespace: string,
  options: { create: boolean },
): Promise<Buffer | undefined> {
  try {
    const found = keyOf(await kubectl.getObject(keyRef(namespace)));
    if (found || !options.create) return found;
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: INPUTS_KEY_NAME, namespace, labels: { 'app.kubernetes.io/managed-by': 'boutique' } },
      type: 'Opaque',
      data: { key: randomBytes(32).toString('base64') },
    };
    const created = await kubectl.createObject(secret);
    // Another run made it first: theirs is the key.
    return keyOf(created === 'exists' ? await kubectl.getObject(keyRef(namespace)) : secret);
  } catch {
    return undefined;
  }
}

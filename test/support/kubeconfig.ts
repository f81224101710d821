import { stringify } from 'yaml';

/**
 * A kubeconfig of one cluster at `url` with a user without credentials, its context current: for a server that is
 * not a cluster (nothing listening, or one that resets every connection), where no request may succeed anyway.
 */
export function kubeconfigFor(url: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'boutique-test', cluster: { server: url } }],
    users: [{ name: 'boutique-test', user: {} }],
    contexts: [
      { name: 'boutique-test', context: { cluster: 'boutique-test', user: 'boutique-test', namespace: 'default' } },
    ],
    'current-context': 'boutique-test',
  });
}

/** `npm run cluster -- --port N [--ready-delay-ms MS] [--apiserver-count N]`: run the test control plane by hand (real kube-apiserver, fake nodes). */
import { parseArgs } from 'node:util';
import { startControlPlane } from './control-plane.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'ready-delay-ms': { type: 'string', default: '200' },
    'log-requests': { type: 'boolean', default: false },
    'apiserver-count': { type: 'string', default: '1' },
  },
});

const cluster = await startControlPlane({
  port: Number(values.port),
  readyDelayMs: Number(values['ready-delay-ms']),
  apiServerCount: Number(values['apiserver-count']),
});
console.log(
  `Kubernetes test control plane (kube-apiserver ${cluster.apiServerUrl}, nodes run no containers) listening on ${cluster.url}`,
);
console.log(`kubeconfig: ${cluster.kubeconfigPath} (context ${cluster.contextName})`);
console.log(`export KUBECONFIG=${cluster.kubeconfigPath} KUBECACHEDIR=${cluster.env.KUBECACHEDIR}`);
console.log('Press Ctrl-C to stop.');

if (values['log-requests']) {
  let printed = 0;
  setInterval(() => {
    for (const entry of cluster.requests.slice(printed))
      console.log(`${entry.seq} ${entry.method} ${entry.path} ${new URLSearchParams(entry.query)} → ${entry.status}`);
    printed = cluster.requests.length;
  }, 500).unref();
}

const shutdown = (): void => {
  void cluster.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

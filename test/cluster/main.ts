/** `npm run emulator -- --port N [--ready-delay-ms MS] [--tls]`: run the test emulator by hand for debugging. */
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'ready-delay-ms': { type: 'string', default: '200' },
    'log-requests': { type: 'boolean', default: false },
    tls: { type: 'boolean', default: false },
  },
});

const emulator = await startEmulator({ port: Number(values.port), readyDelayMs: Number(values['ready-delay-ms']), tls: values.tls });
console.log(`Kubernetes API emulator (a test harness, not a cluster) listening on ${emulator.url}`);
console.log(`kubeconfig: ${emulator.kubeconfigPath}`);
console.log(`export KUBECONFIG=${emulator.kubeconfigPath} KUBECACHEDIR=${emulator.env.KUBECACHEDIR}`);
console.log('Press Ctrl-C to stop.');

if (values['log-requests']) {
  let printed = 0;
  setInterval(() => {
    for (const entry of emulator.requests.slice(printed)) console.log(`${entry.seq} ${entry.method} ${entry.path} ${new URLSearchParams(entry.query)} → ${entry.status}`);
    printed = emulator.requests.length;
  }, 500).unref();
}

const shutdown = (): void => {
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

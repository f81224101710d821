import { defineConfig } from 'vitest/config';

// Two tiers. unit: pure code and adapters over a recording runner, no helm, no cluster (seconds). e2e: the built CLI,
// real helm and kubectl against a real control plane (test/support/control-plane.ts), the charts rendered by real helm.
export default defineConfig({
  test: {
    // End-to-end suites start real helm processes against the emulator; keep two workers on a 2-core machine.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'test/architecture/**/*.test.ts',
            'test/commands/**/*.test.ts',
            'test/bad-input/**/*.test.ts',
          ],
          // A hang guard for a loaded 2-core machine, not a speed check.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/architecture/**', 'test/commands/**', 'test/bad-input/**'],
          // The e2e tier runs dist/: rebuild it when any source is newer, so a test can never run a stale CLI.
          globalSetup: [
            'test/support/fresh-build.ts',
            'test/support/control-plane-build.ts',
            'test/support/sops-build.ts',
          ],
          setupFiles: ['test/support/own-cache.ts'],
          // A guard against hangs, not a speed check: an end-to-end test runs several boutique and helm processes.
          testTimeout: 180_000,
          // Starting a control plane (etcd, kube-apiserver, controllers) takes seconds, more on a loaded machine.
          hookTimeout: 180_000,
        },
      },
    ],
  },
});

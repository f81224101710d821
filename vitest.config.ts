import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end suites start real helm processes against the emulator; keep two workers on a 2-core machine.
    maxWorkers: 2,
    // A guard against hangs, not a speed check: an end-to-end test runs several boutique and helm processes.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});

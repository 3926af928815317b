import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'agent',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Kernel tests build real namespaces (inside sandboxes) and measure latencies: one file at
    // a time keeps them from competing for the CPU and from seeing each other in timings.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

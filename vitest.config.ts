import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/model', 'apps/agent', 'apps/web'],
  },
});

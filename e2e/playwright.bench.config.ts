/**
 * The page's benchmark (`npm run bench:web`): the e2e setup (Debian's Chromium, the real agent),
 * but the specs of bench/, one long run each, and no trace (recording the page would cost the
 * page more than what is measured).
 */
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

export default defineConfig({
  ...base,
  testDir: './bench',
  outputDir: './test-results/bench',
  timeout: 600_000,
  use: { ...base.use, trace: 'off', viewport: { width: 1400, height: 1000 } },
});

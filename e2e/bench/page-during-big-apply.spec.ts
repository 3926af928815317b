/**
 * What the page does while the agent applies a big lab and streams its namespaces' states back:
 * the class lab of N namespaces on one bridge (the agent bench's), opened as a file, applied
 * with the Apply button. Measured in the page: how long until the plan panel says "Applied",
 * and the main thread's long tasks (over 50 ms: the page does not answer the student) from the
 * click until 8 s after that line, when the observer has read every namespace. Printed, not
 * asserted: the figures go to docs/benchmarks.md ("The page during a big apply").
 */
import { writeFileSync } from 'node:fs';
import { classLab } from '../../packages/model/src/examples/labs';
import { test } from '../support/fixtures';

const SIZES = (process.env['BENCH_WEB_SIZES'] ?? '100,1000').split(',').map(Number);
const AFTER_MS = 8000;

interface LongTask {
  start: number;
  duration: number;
}

for (const n of SIZES)
  test(`apply ${n} namespaces from the page`, async ({ app, page, browser }, testInfo) => {
    const file = testInfo.outputPath(`class-${n}.json`);
    writeFileSync(file, JSON.stringify(classLab(n)));
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      app.toolbar.getByRole('button', { name: 'Open', exact: true }).click(),
    ]);
    await chooser.setFiles(file);
    // Cheap checks only: a locator that matches text walks the whole page on every try.
    await page.waitForFunction(
      (count) => document.querySelectorAll('.react-flow__node').length >= count,
      n + 2,
      { polling: 200, timeout: 120_000 },
    );
    await page.waitForTimeout(2000);
    await page.evaluate(() => {
      const w = window as unknown as { benchTasks: LongTask[]; benchStart: number };
      w.benchTasks = [];
      w.benchStart = performance.now();
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          w.benchTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ entryTypes: ['longtask'] });
    });
    // BENCH_WEB_TRACE=FILE: Chromium's trace of the apply, for chrome://tracing or Perfetto.
    const traceFile = process.env['BENCH_WEB_TRACE'];
    if (traceFile)
      await browser.startTracing(page, {
        path: traceFile,
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'toplevel',
          'blink',
          'v8',
          'disabled-by-default-v8.cpu_profiler',
        ],
      });
    // Clicked from inside the page: Playwright's own click first checks the button against
    // the whole page (visible, stable, not covered), which with 1000 nodes took 5 s of the
    // page's main thread and would be measured as the page's.
    const clickedAt = await page.evaluate(() => {
      const apply = Array.from(document.querySelectorAll('button')).find(
        (b) => b.textContent === 'Apply',
      );
      if (apply === undefined) throw new Error('no Apply button');
      const at = performance.now();
      apply.click();
      return at;
    });
    const clicked = Date.now();
    await page.waitForFunction(
      () =>
        document
          .querySelector('.apply-progress .progress-line')
          ?.textContent?.startsWith('Applied') === true,
      undefined,
      { polling: 100, timeout: 300_000 },
    );
    const appliedAfter = Date.now() - clicked;
    await page.waitForTimeout(AFTER_MS);
    if (traceFile) await browser.stopTracing();
    const tasks = await page.evaluate(
      () => (window as unknown as { benchTasks: LongTask[] }).benchTasks,
    );
    const total = tasks.reduce((sum, t) => sum + t.duration, 0);
    const worst = [...tasks]
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 3)
      .map(
        (t) => `${Math.round(t.duration)} ms at +${((t.start - clickedAt) / 1000).toFixed(1)} s`,
      );
    const line =
      `BENCH page N=${n}: "Applied" shown ${(appliedAfter / 1000).toFixed(1)} s after the click; ` +
      `${tasks.length} long tasks, ${(total / 1000).toFixed(1)} s in all (click to ` +
      `${AFTER_MS / 1000} s after "Applied"); the longest: ${worst.join(', ') || 'none'}`;
    console.log(line);
    testInfo.annotations.push({ type: 'bench', description: line });
  });

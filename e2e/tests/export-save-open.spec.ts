import { readFile } from 'node:fs/promises';
import { expect, test } from '../support/fixtures';
import { BUILT_IN } from '../support/seed';

test('Export script downloads a bash script, and a saved lab file opens back unchanged', async ({
  app,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.gateway);
  const toolbar = app.toolbar;

  // Export script: a bash script with the seed's commands.
  const [scriptDownload] = await Promise.all([
    page.waitForEvent('download'),
    toolbar.getByRole('button', { name: 'Export script', exact: true }).click(),
  ]);
  expect(scriptDownload.suggestedFilename()).toMatch(/\.sh$/);
  const scriptPath = testInfo.outputPath(scriptDownload.suggestedFilename());
  await scriptDownload.saveAs(scriptPath);
  const script = await readFile(scriptPath, 'utf8');
  expect(script.split('\n')[0]).toBe('#!/usr/bin/env bash');
  expect(script).toContain('ip netns add red');
  expect(script).toContain('iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE');

  // Save: the lab as JSON.
  const save = async (name: string): Promise<unknown> => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      toolbar.getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const file = testInfo.outputPath(name);
    await download.saveAs(file);
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  };
  const saved = await save('saved-lab.json');
  expect(saved).toMatchObject({ name: BUILT_IN.gateway });

  // A new, empty lab; then Open the saved file through the file chooser.
  await app.newLab();
  await expect(app.labArea.getByRole('heading', { name: 'Draw a lab' })).toBeVisible();
  await expect(app.node('Namespace red')).toHaveCount(0);
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    toolbar.getByRole('button', { name: 'Open', exact: true }).click(),
  ]);
  await chooser.setFiles(testInfo.outputPath('saved-lab.json'));

  await app.waitForCanvasToSettle();
  for (const label of [
    'Host',
    'Namespace red',
    'Namespace blue',
    'Bridge v-net-0',
    'External network lan',
  ])
    await expect(app.node(label)).toBeVisible();
  await expect(toolbar).toContainText(BUILT_IN.gateway);
  await expect(app.statusBar).toContainText('4 nodes and the host, 3 cables');
  await page.screenshot({ path: testInfo.outputPath('saved-lab-opened-again.png') });

  // Saved again, it is the same file.
  expect(await save('saved-again.json')).toEqual(saved);
});

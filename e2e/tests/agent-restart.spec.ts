import { expect, test } from '../support/fixtures';
import { BUILT_IN, MAC, stateBadge } from '../support/seed';

test('when the agent stops and starts again, the page shows it reconnecting, then the same lab and its live tables', async ({
  app,
  agent,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.bridge);
  await app.apply();
  const redTables = await app.showTables('Namespace red', 'red');
  const interfaces = redTables.getByRole('table', { name: 'Interfaces of red', exact: true });
  const vethRed = app.row(interfaces, 'veth-red');
  await expect(vethRed).toContainText('192.168.15.1/24');
  const macBefore = (await vethRed.getByRole('cell').nth(2).innerText()).trim();
  expect(macBefore).toMatch(MAC);

  const before = agent.current;
  await before.stop();
  await expect(app.connection).toContainText(/Agent connection lost: reconnecting/);
  // What needs the agent says so; the drawing stays.
  await expect(app.applyButton).toBeDisabled();
  await expect(app.node('Namespace red')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('agent-gone-reconnecting.png') });

  // The same port and, as a scripted restart does (NETNS_LAB_TOKEN), the same secret: the
  // page reconnects by itself with the cookie it has.
  const after = await agent.start({ port: before.port, token: before.token });
  expect(after.token).toBe(before.token);
  await expect(app.connection).toHaveText('Agent connected', { timeout: 20_000 });

  // The sandbox went with the old agent; the page builds the lab it had applied again, by
  // itself: the same lab, applied, and live tables from the new kernel objects (a new veth
  // has a new MAC, so these are not the old tables left on screen).
  await expect(redTables).toBeVisible();
  const macCell = vethRed.getByRole('cell').nth(2);
  await expect(macCell).not.toHaveText(macBefore, { timeout: 20_000 });
  await expect(macCell).toHaveText(MAC);
  expect((await macCell.innerText()).trim()).not.toBe(macBefore);
  await expect(vethRed).toContainText('192.168.15.1/24');
  await expect(app.plan.getByRole('status')).toHaveText(/^Applied: 14 commands ran in /);
  await expect(app.plan).toContainText('No commands to update the kernel');
  for (const label of ['Host', 'Namespace red', 'Namespace blue', 'Bridge v-net-0'])
    await expect(app.node(label)).toContainText(stateBadge('applied'));
  await page.screenshot({ path: testInfo.outputPath('agent-back-lab-and-tables.png') });
});

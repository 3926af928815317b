import { expect, test } from '../support/fixtures';
import { BUILT_IN, stateBadge } from '../support/seed';

test('the built-in router lab applies, and red pings green across the router', async ({
  app,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.router);
  for (const label of [
    'Namespace red',
    'Namespace green',
    'Namespace router',
    'Bridge v-net-0',
    'Bridge v-net-1',
  ])
    await expect(app.node(label)).toBeVisible();
  await expect(app.statusBar).toContainText('No problems found');

  await app.apply();
  for (const label of ['Namespace red', 'Namespace green', 'Namespace router'])
    await expect(app.node(label)).toContainText(stateBadge('applied'));

  // "Which way?": red sends it to its default gateway, the router's address on v-net-0.
  const whichWay = page.getByRole('region', { name: 'Which way?' });
  await whichWay.getByLabel('From namespace').selectOption({ label: 'red' });
  await whichWay.getByLabel('To address').fill('192.168.16.1');
  await whichWay.getByRole('button', { name: 'Which way?' }).click();
  const answer = whichWay.getByRole('status');
  await expect(answer).toContainText('192.168.15.254');
  await expect(answer).toContainText('veth-red');

  const summary = await app.ping('red', '192.168.16.1', 3);
  await expect(summary).toContainText('3 transmitted, 3 received, 0% loss');
  // One hop through the router: the TTL arrives one lower.
  await expect(
    app.pingTool.getByRole('log', { name: 'Ping replies' }).getByRole('listitem').first(),
  ).toHaveText(/ttl 63$/);
  await page.screenshot({ path: testInfo.outputPath('ping-across-the-router.png') });
});

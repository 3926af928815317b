import { expect, test } from '../support/fixtures';
import { BUILT_IN } from '../support/seed';

test('changing one address plans only that change, and after Apply the live tables follow', async ({
  app,
  page,
}, testInfo) => {
  // What the page sends the agent: an edit goes as a patch of what changed, not the whole lab.
  const sent: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => sent.push(String(payload))),
  );
  await app.open(page.url());
  await app.openBuiltInLab(BUILT_IN.bridge);
  // Nothing is ever shown as differing from the kernel while the new tables come in.
  const differsSeen = await app.watchDiffers();
  await app.apply();
  const redTables = await app.showTables('Namespace red', 'red');
  const interfaces = redTables.getByRole('table', { name: 'Interfaces of red', exact: true });
  const routes = redTables.getByRole('table', { name: 'Routes of red', exact: true });
  await expect(app.row(interfaces, 'veth-red')).toContainText('192.168.15.1/24');

  await app.type(app.interfaceEditor('veth-red'), 'Address 1', '192.168.15.11/24');

  // Only that address changes: the old one goes, the new one comes; nothing else.
  await expect(app.plan).toContainText('2 commands to update the kernel');
  expect(await app.planText()).toEqual([
    'ip -n red addr del 192.168.15.1/24 dev veth-red',
    'ip -n red addr add 192.168.15.11/24 dev veth-red',
  ]);
  await page.screenshot({ path: testInfo.outputPath('plan-of-one-address-change.png') });

  const before = sent.length;
  await expect(await app.apply()).toMatch(/^Applied: 2 commands ran in /);
  const patches = sent.slice(before).filter((frame) => frame.includes('"apply-patch"'));
  expect(patches).toHaveLength(1);
  const patch = (JSON.parse(patches[0]!) as { patch: { nodes: unknown[]; links: unknown[] } })
    .patch;
  expect([patch.nodes.length, patch.links.length]).toEqual([0, 1]);
  const vethRed = app.row(interfaces, 'veth-red');
  await expect(vethRed).toContainText('192.168.15.11/24');
  await expect(vethRed).not.toContainText('192.168.15.1/24');
  await expect(app.row(routes, '192.168.15.0/24')).toContainText('192.168.15.11');
  await expect(app.plan).toContainText('No commands to update the kernel');
  await page.screenshot({ path: testInfo.outputPath('tables-after-the-change.png') });
  expect(await differsSeen()).toEqual([]);
});

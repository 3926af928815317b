import { expect, test } from '../support/fixtures';
import { BUILT_IN, MAC } from '../support/seed';

test("pinging blue from red shows the replies, and red's ARP table learns blue's veth-blue MAC", async ({
  app,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.bridge);
  await app.apply();

  const redTables = await app.showTables('Namespace red', 'red');
  const blueTables = await app.showTables('Namespace blue', 'blue');
  const redArp = redTables.getByRole('table', { name: 'ARP table of red', exact: true });
  const blueInterfaces = blueTables.getByRole('table', { name: 'Interfaces of blue', exact: true });
  await expect(redArp).toBeVisible();
  // Nothing has talked to blue yet.
  await expect(app.row(redArp, '192.168.15.2')).toHaveCount(0);

  const summary = await app.ping('red', '192.168.15.2', 3);
  await expect(summary).toContainText('3 transmitted, 3 received, 0% loss');
  const replies = app.pingTool.getByRole('log', { name: 'Ping replies' }).getByRole('listitem');
  await expect(replies).toHaveCount(3);
  await expect(replies.first()).toHaveText(/^seq 1: [\d.]+ ms, ttl 64$/);

  // red now knows blue's address and MAC: the MAC of veth-blue, as blue's own table shows it.
  const learned = app.row(redArp, '192.168.15.2');
  await expect(learned).toHaveCount(1);
  const learnedMac = (await learned.getByRole('cell').nth(1).innerText()).trim();
  expect(learnedMac).toMatch(MAC);
  await expect(learned.getByRole('cell').nth(2)).toHaveText('veth-red');
  const vethBlue = app.row(blueInterfaces, 'veth-blue');
  await expect(vethBlue.getByRole('cell').nth(2)).toHaveText(learnedMac);

  await learned.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('red-arp-table-after-ping.png') });
});

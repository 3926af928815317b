import { expect, test } from '../support/fixtures';
import { BUILT_IN } from '../support/seed';

test('blue reaches the LAN through the host gateway, and loses it without MASQUERADE, with a hint about the way back', async ({
  app,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.bridge);

  // The host's address on the bridge: 192.168.15.5.
  await app.selectNode('Bridge v-net-0');
  await app.setFirstAddress(
    app.inspector.getByRole('group', { name: 'Addresses on the bridge' }),
    '192.168.15.5/24',
  );

  // blue routes the LAN through it.
  await app.selectNode('Namespace blue');
  const routes = app.inspector.getByRole('group', { name: 'Routes', exact: true });
  await routes.getByRole('button', { name: 'Add route' }).click();
  const route = routes.getByRole('group', { name: 'Route 1', exact: true });
  await app.type(route, 'To', '192.168.1.0/24');
  await app.type(route, 'Via', '192.168.15.5');

  // The LAN, with its host at 192.168.1.3, cabled to the host, which is 192.168.1.2 there.
  await app.dragFromPalette('External network', { x: 120, y: 110 });
  await expect(app.node('External network lan')).toBeVisible();
  // A node just added is selected: the inspector shows it.
  await expect(app.inspector.getByRole('heading', { name: 'lan', exact: true })).toBeVisible();
  await app.type(app.inspector, 'Subnet', '192.168.1.0/24');
  // The web app calls the LAN's hosts "LAN PC" (earlier "LAN host").
  const lanHost = app.inspector.getByRole('group', { name: /^LAN (PC|host) 1$/ });
  await app.type(lanHost, 'Name', 'lan-pc');
  await app.type(lanHost, 'Address', '192.168.1.3');
  await app.connect('host', 'lan');
  await expect(
    app.canvas.getByLabel('Cable veth-lan to veth-lan-br', { exact: true }),
  ).toBeAttached();
  // A cable just drawn is selected too.
  await expect(app.inspector.getByRole('heading', { name: 'host ↔ lan' })).toBeVisible();
  await app.setFirstAddress(
    app.inspector.getByRole('group', { name: 'End in host', exact: true }),
    '192.168.1.2/24',
  );

  // The host forwards and masquerades the namespaces' subnet.
  await app.selectNode('Host');
  const forwarding = app.inspector.getByRole('group', { name: 'Forwarding and NAT' });
  await forwarding.getByLabel('IP forwarding (net.ipv4.ip_forward)').check();
  await forwarding.getByRole('button', { name: 'Add MASQUERADE rule' }).click();
  await app.type(
    forwarding.getByRole('group', { name: 'NAT rule 1', exact: true }),
    'Source',
    '192.168.15.0/24',
  );
  await expect(app.statusBar).toContainText('No problems found');
  // The plan has the seed's section 6 in it.
  const plan = await app.planText();
  for (const command of [
    'ip addr add 192.168.15.5/24 dev v-net-0',
    'ip addr add 192.168.1.2/24 dev veth-lan',
    'ip netns exec blue ip route add 192.168.1.0/24 via 192.168.15.5',
    'sysctl -w net.ipv4.ip_forward=1',
    'iptables -t nat -A POSTROUTING -s 192.168.15.0/24 -j MASQUERADE',
  ])
    expect(plan).toContain(command);

  await app.apply();
  await expect(app.ping('blue', '192.168.1.3', 3)).resolves.toContainText(
    '3 transmitted, 3 received, 0% loss',
  );
  const hostTables = await app.showTables('Host', 'host');
  const nat = hostTables.getByRole('table', { name: 'NAT rules of host', exact: true });
  const masquerade = nat.getByRole('row').filter({ hasText: /192\.168\.15\.0\/24.*MASQUERADE/ });
  await expect(masquerade).toHaveCount(1);
  // The ping's packets went through it.
  await expect(masquerade.getByRole('cell').nth(2)).not.toHaveText('0');
  await masquerade.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('blue-reaches-the-lan.png') });

  // Without MASQUERADE the LAN host has no way back to 192.168.15.0/24.
  await app.selectNode('Host');
  await forwarding.getByRole('button', { name: 'Remove NAT rule 1' }).click();
  await expect
    .poll(() => app.planText())
    .toEqual(['iptables -t nat -D POSTROUTING -s 192.168.15.0/24 -j MASQUERADE']);
  await app.apply();
  const summary = await app.ping('blue', '192.168.1.3', 2);
  await expect(summary).toContainText('2 transmitted, 0 received, 100% loss');

  const hint = /lan-pc \(192\.168\.1\.3\) has no route back to 192\.168\.15\.0\/24/;
  await expect(app.node('Namespace blue').getByRole('img', { name: hint })).toBeVisible();
  await app.selectNode('Namespace blue');
  await expect(route.getByText(hint)).toBeVisible();
  await route.scrollIntoViewIfNeeded();
  await expect(app.statusBar).toContainText('hint');
  await page.screenshot({ path: testInfo.outputPath('no-way-back-hint.png') });
});

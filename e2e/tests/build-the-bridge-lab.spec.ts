import { expect, test } from '../support/fixtures';
import { SEED_BRIDGE_COMMANDS, stateBadge } from '../support/seed';

test("a student builds the seed's bridge lab from an empty canvas by dragging and connecting, and applies it", async ({
  app,
  page,
}, testInfo) => {
  await expect(app.labArea.getByRole('heading', { name: 'Draw a lab' })).toBeVisible();
  await expect(app.statusBar).toContainText('0 nodes and the host, 0 cables');

  // Drag two namespaces and a bridge from the palette: they get the seed's names.
  await app.dragFromPalette('Namespace', { x: 140, y: 450 });
  await expect(app.node('Namespace red')).toBeVisible();
  await app.dragFromPalette('Namespace', { x: 580, y: 450 });
  await expect(app.node('Namespace blue')).toBeVisible();
  await app.dragFromPalette('Bridge', { x: 365, y: 610 });
  await expect(app.node('Bridge v-net-0')).toBeVisible();
  await expect(app.statusBar).toContainText('3 nodes and the host, 0 cables');

  // A cable from each namespace's plug to the bridge's: the seed's veth names.
  await app.connect('red', 'v-net-0');
  await expect(
    app.canvas.getByLabel('Cable veth-red to veth-red-br', { exact: true }),
  ).toBeAttached();
  await app.connect('blue', 'v-net-0');
  await expect(
    app.canvas.getByLabel('Cable veth-blue to veth-blue-br', { exact: true }),
  ).toBeAttached();
  await expect(app.statusBar).toContainText('3 nodes and the host, 2 cables');

  // The addresses, typed in the inspector.
  await app.node('Namespace red').click();
  await expect(app.inspector.getByRole('heading', { name: 'red', exact: true })).toBeVisible();
  await app.setFirstAddress(app.interfaceEditor('veth-red'), '192.168.15.1/24');
  await app.node('Namespace blue').click();
  await expect(app.inspector.getByRole('heading', { name: 'blue', exact: true })).toBeVisible();
  await app.setFirstAddress(app.interfaceEditor('veth-blue'), '192.168.15.2/24');
  await expect(app.statusBar).toContainText('No problems found');

  // The plan is the seed's section 5, command for command.
  await expect(app.plan).toContainText('14 commands to build the lab');
  const plan = await app.planText();
  expect([...plan].sort()).toEqual([...SEED_BRIDGE_COMMANDS].sort());
  // The bridge comes up after its ports.
  for (const port of ['ip link set veth-red-br up', 'ip link set veth-blue-br up'])
    expect(plan.indexOf(port)).toBeLessThan(plan.indexOf('ip link set dev v-net-0 up'));
  await page.screenshot({ path: testInfo.outputPath('plan-of-the-bridge-lab.png') });

  const done = await app.apply();
  expect(done).toMatch(/^Applied: 14 commands ran in (\d+ ms|\d+\.\d s)$/);
  await expect(
    app.plan.getByRole('list', { name: 'Apply steps' }).getByRole('img', { name: 'done' }),
  ).toHaveCount(14);
  for (const label of ['Host', 'Namespace red', 'Namespace blue', 'Bridge v-net-0'])
    await expect(app.node(label)).toContainText(stateBadge('applied'));
  await page.screenshot({ path: testInfo.outputPath('bridge-lab-applied.png') });

  // Zoomed out too far to read, the canvas hides its text and says so; zoomed in, it is back.
  const hint = app.labArea.getByRole('note');
  const portName = app.node('Namespace red').getByText('veth-red', { exact: true });
  await expect(hint).toHaveCount(0);
  await expect(portName).toBeVisible();
  for (let i = 0; i < 8; i++) await app.canvas.getByRole('button', { name: 'Zoom Out' }).click();
  await expect(hint).toHaveText(
    'Zoomed out: names and addresses are hidden. Zoom in to read them.',
  );
  await expect(portName).toBeHidden();
  await page.screenshot({ path: testInfo.outputPath('bridge-lab-zoomed-out.png') });
  for (let i = 0; i < 8; i++) await app.canvas.getByRole('button', { name: 'Zoom In' }).click();
  await expect(hint).toHaveCount(0);
  await expect(portName).toBeVisible();
});

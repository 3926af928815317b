import { expect, test } from '../support/fixtures';
import { BUILT_IN, stateBadge } from '../support/seed';

test('a 16-character interface name is an error at the field, on the node and on the cable, and Apply is disabled', async ({
  app,
  page,
}, testInfo) => {
  await app.openBuiltInLab(BUILT_IN.bridge);
  await expect(app.applyButton).toBeEnabled();

  await app.selectNode('Namespace red');
  // red has one interface; its editor's legend follows the name as it is typed.
  const name = app.inspector.getByLabel('Interface name', { exact: true });
  await expect(name).toHaveValue('veth-red');
  await name.fill('veth-red-bridge1');

  // At the field: marked invalid, with the rule's sentence right under it.
  const problem = /"veth-red-bridge1" is 16 bytes; Linux interface names are at most 15/;
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription(problem);
  await expect(app.inspector.getByText(problem)).toBeVisible();

  // On the canvas: a mark on red and one on its cable, both naming the problem.
  const marks = app.canvas.getByRole('img', { name: problem });
  await expect(marks).toHaveCount(2);
  await expect(app.node('Namespace red').getByRole('img', { name: problem })).toBeVisible();
  await expect(app.node('Namespace red')).toContainText(stateBadge('error'));
  await expect(app.node('Namespace blue').getByRole('img', { name: problem })).toHaveCount(0);

  // Apply cannot be pressed, and says why.
  await expect(app.applyButton).toBeDisabled();
  await expect(app.applyButton).toHaveAccessibleDescription('1 error: fix them to apply');
  await expect(app.statusBar).toContainText('1 error');
  await page.screenshot({ path: testInfo.outputPath('invalid-interface-name.png') });

  // Fifteen characters are fine again.
  await name.fill('veth-red-bridge');
  await expect(name).not.toHaveAttribute('aria-invalid', 'true');
  await expect(marks).toHaveCount(0);
  await expect(app.applyButton).toBeEnabled();
});

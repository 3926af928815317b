/**
 * The page as a student sees it, by roles and visible names: the toolbar, the palette, the
 * canvas, the inspector, the plan, the live tables, the ping tool and the status bar.
 */
import { expect, type Locator, type Page } from '@playwright/test';

export type PaletteItem = 'Namespace' | 'Bridge' | 'External network';

/** The accessible name of a node on the canvas: "Host", "Namespace red", "Bridge v-net-0". */
export type NodeLabel = string;

const APPLY_TIMEOUT_MS = 30_000;

export class LabApp {
  constructor(readonly page: Page) {}

  // Regions -----------------------------------------------------------------------------

  get toolbar(): Locator {
    return this.page.getByRole('banner');
  }

  get palette(): Locator {
    return this.page.getByRole('region', { name: 'Palette' });
  }

  /** The centre column: the canvas (with its "Draw a lab" card when empty) and the live tables. */
  get labArea(): Locator {
    return this.page.getByRole('main', { name: 'Lab' });
  }

  get canvas(): Locator {
    return this.page.getByRole('application', { name: 'Lab canvas' });
  }

  get inspector(): Locator {
    return this.page.getByRole('region', { name: 'Inspector' });
  }

  get plan(): Locator {
    return this.page.getByRole('region', { name: 'Plan' });
  }

  get pingTool(): Locator {
    return this.page.getByRole('region', { name: 'Ping' });
  }

  get statusBar(): Locator {
    return this.page.getByRole('contentinfo');
  }

  /** "Agent connected", "Agent connection lost: reconnecting (attempt 2)…", ... */
  get connection(): Locator {
    return this.statusBar.getByRole('status');
  }

  get applyButton(): Locator {
    return this.plan.getByRole('button', { name: 'Apply', exact: true });
  }

  /** The commands the next Apply runs, one list item each. */
  get planCommands(): Locator {
    return this.plan.getByRole('list', { name: 'Commands' }).getByRole('listitem');
  }

  node(label: NodeLabel): Locator {
    return this.canvas.getByRole('group', { name: label, exact: true });
  }

  /** The dot under a node to draw a cable from ("Connect red"). */
  plug(name: string): Locator {
    return this.canvas.getByLabel(`Connect ${name}`, { exact: true });
  }

  /** The live tables of one node ("red", "v-net-0", "host"). */
  tables(title: string): Locator {
    return this.page.getByRole('region', { name: `Tables: ${title}`, exact: true });
  }

  /** One live table, e.g. "ARP table of red", "Interfaces of blue", "NAT rules of host". */
  table(name: string): Locator {
    return this.page.getByRole('table', { name, exact: true });
  }

  /** The row of a live table whose cells include `text` exactly. */
  row(table: Locator, text: string): Locator {
    return table
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: text, exact: true }) });
  }

  // Actions -----------------------------------------------------------------------------

  /** Opens the agent's URL (with its token) and waits until the page talks to the agent. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.connection).toHaveText('Agent connected', { timeout: 20_000 });
  }

  async newLab(): Promise<void> {
    await this.toolbar.getByRole('button', { name: 'New', exact: true }).click();
  }

  /** Opens a built-in lab from the start menu, by its title. */
  async openBuiltInLab(title: string): Promise<void> {
    await this.toolbar.getByRole('button', { name: /Built-in labs/ }).click();
    await this.page
      .getByRole('menu', { name: 'Built-in labs' })
      .getByRole('menuitem', { name: title })
      .click();
    await this.waitForCanvasToSettle();
  }

  /** The canvas refits itself (animated) when a lab opens or the tables dock opens or closes. */
  async waitForCanvasToSettle(): Promise<void> {
    const viewport = this.canvas.locator('.react-flow__viewport');
    let last = '';
    await expect
      .poll(
        async () => {
          const now = (await viewport.getAttribute('style')) ?? '';
          const still = now === last;
          last = now;
          return still;
        },
        { intervals: [150], timeout: 5_000 },
      )
      .toBe(true);
  }

  /**
   * Selects a node on the canvas from the keyboard (focus, Enter), which works wherever the
   * node is, even partly under the minimap; the inspector then shows it.
   */
  async selectNode(label: NodeLabel): Promise<void> {
    await this.node(label).focus();
    await this.page.keyboard.press('Enter');
    const name = label === 'Host' ? 'host' : label.slice(label.lastIndexOf(' ') + 1);
    await expect(this.inspector.getByRole('heading', { level: 2 })).toHaveText(name);
    await this.waitForCanvasToSettle();
  }

  /** Opens a node's live tables with the inspector's "Show live tables". */
  async showTables(label: NodeLabel, title: string): Promise<Locator> {
    await this.selectNode(label);
    const show = this.inspector.getByRole('button', { name: 'Show live tables' });
    if (await show.isVisible()) await show.click();
    await expect(this.tables(title)).toBeVisible();
    await this.waitForCanvasToSettle();
    return this.tables(title);
  }

  /** Drags an item from the palette onto the canvas, dropping it at `at` (canvas pixels). */
  async dragFromPalette(item: PaletteItem, at: { x: number; y: number }): Promise<void> {
    await this.palette
      .getByRole('button', { name: item, exact: true })
      .dragTo(this.canvas, { targetPosition: at });
  }

  /** Draws a cable: drags from one node's plug to the other's, as a student does. */
  async connect(from: string, to: string): Promise<void> {
    const a = await this.plug(from).boundingBox();
    const b = await this.plug(to).boundingBox();
    if (a === null || b === null) throw new Error(`no plug to drag from ${from} to ${to}`);
    await this.page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
    await this.page.mouse.up();
  }

  /** The inspector's editor of one interface, by its legend ("Interface veth-red"). */
  interfaceEditor(ifname: string): Locator {
    return this.inspector.getByRole('group', { name: `Interface ${ifname}`, exact: true });
  }

  /** Types `value` into a field of the inspector (or of `scope`) and leaves the field. */
  async type(scope: Locator, label: string, value: string): Promise<Locator> {
    const field = scope.getByLabel(label, { exact: true });
    await field.fill(value);
    await field.blur();
    return field;
  }

  /** Sets the first address of an address list, adding one when it has none. */
  async setFirstAddress(scope: Locator, cidr: string): Promise<void> {
    const field = scope.getByLabel('Address 1', { exact: true });
    if (!(await field.isVisible()))
      await scope.getByRole('button', { name: 'Add address', exact: true }).click();
    await this.type(scope, 'Address 1', cidr);
  }

  /** The commands the plan panel lists, as text. */
  async planText(): Promise<string[]> {
    return (await this.planCommands.allInnerTexts()).map((line) => line.trim());
  }

  /**
   * Presses Apply and waits for the plan panel to report the apply done and nothing left to run;
   * returns the panel's line, e.g. "Applied: 14 commands ran in 42 ms".
   */
  async apply(): Promise<string> {
    await expect(this.applyButton).toBeEnabled();
    await this.applyButton.click();
    const done = this.plan.getByRole('status').filter({ hasText: /^Applied: / });
    await expect(done).toBeVisible({ timeout: APPLY_TIMEOUT_MS });
    await expect(this.plan.getByText('No commands to update the kernel')).toBeVisible();
    return (await done.innerText()).trim();
  }

  /**
   * From now on, notes every node, cable or status pill the page marks "differs from kernel"
   * (class status-differs), even for a moment; the returned function says which were.
   */
  async watchDiffers(): Promise<() => Promise<string[]>> {
    await this.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { differsSeen: string[] }).differsSeen = seen;
      const note = (el: Element): void => {
        const name = el.getAttribute('class') ?? '';
        if (name.includes('status-differs')) seen.push(`${el.tagName} ${name}`);
      };
      new MutationObserver((records) => {
        for (const r of records) {
          if (r.type === 'attributes') note(r.target as Element);
          for (const added of Array.from(r.addedNodes))
            if (added instanceof Element) {
              note(added);
              added.querySelectorAll('[class*="status-differs"]').forEach(note);
            }
        }
      }).observe(document.body, {
        attributes: true,
        attributeFilter: ['class'],
        childList: true,
        subtree: true,
      });
    });
    return () =>
      this.page.evaluate(() => (window as unknown as { differsSeen: string[] }).differsSeen);
  }

  /** Pings from a namespace and waits for the summary; returns the summary line. */
  async ping(from: string, target: string, count = 3): Promise<Locator> {
    const tool = this.pingTool;
    await tool.getByLabel('Source namespace').selectOption({ label: from });
    await tool.getByLabel('Target', { exact: true }).fill(target);
    await tool.getByLabel('Count', { exact: true }).fill(String(count));
    await tool.getByRole('button', { name: 'Ping', exact: true }).click();
    const summary = tool.getByRole('status');
    await expect(summary).toContainText(`${count} transmitted`, {
      timeout: 10_000 + count * 2_000,
    });
    return summary;
  }
}

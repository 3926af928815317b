/**
 * Links between switches: a veth whose two ends sit on switches (bridges or external LANs)
 * joins them into one broadcast domain. Without STP, any cycle floods frames forever.
 */
import type { LabNode } from '../lab/schema';
import type { LabContext } from './context';
import { at, linkWhere, type Findings, type Where } from './findings';

type SwitchNode = Extract<LabNode, { kind: 'bridge' | 'external' }>;

const isSwitch = (node: LabNode | undefined): node is SwitchNode =>
  node?.kind === 'bridge' || node?.kind === 'external';

const switchLabel = (node: SwitchNode): string =>
  node.kind === 'bridge' ? `the bridge ${node.name}` : `the LAN ${node.name}`;

/** Union-find over node ids, with path halving. */
class Components {
  private readonly parent = new Map<string, string>();

  find(id: string): string {
    let current = id;
    for (;;) {
      const parent = this.parent.get(current) ?? current;
      if (parent === current) return current;
      const grandparent = this.parent.get(parent) ?? parent;
      this.parent.set(current, grandparent);
      current = grandparent;
    }
  }

  /** Joins two components; false when they were already one. */
  union(a: string, b: string): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    this.parent.set(ra, rb);
    return true;
  }
}

export function checkLinks(ctx: LabContext, out: Findings): void {
  const components = new Components();
  ctx.lab.links.forEach((link, i) => {
    const where = (): Where => linkWhere(i, link.id);
    const a = ctx.nodes.get(link.a.node);
    const b = ctx.nodes.get(link.b.node);

    for (const side of ['a', 'b'] as const) {
      const end = link[side];
      const node = side === 'a' ? a : b;
      if (!isSwitch(node) || end.addresses.length === 0) continue;
      out.add(
        'port-address',
        at(where(), side, 'addresses'),
        `${end.ifname} on ${switchLabel(node)} is a switch port, and ports hold no addresses: move ${end.addresses.join(', ')} to ${node.kind === 'bridge' ? `the bridge ${node.name} itself or ` : ''}the other end of link ${link.id}`,
      );
    }

    if (!isSwitch(a) || !isSwitch(b)) return;
    if (a.id === b.id) {
      out.add(
        'link-same-bridge',
        where(),
        `Link ${link.id} (${link.a.ifname} and ${link.b.ifname}) has both ends on ${switchLabel(a)}, so every frame it floods comes straight back: attach one end to a namespace or the host`,
      );
      return;
    }
    if (!components.union(a.id, b.id))
      out.add(
        'bridge-loop',
        where(),
        `Link ${link.id} joins ${switchLabel(a)} and ${switchLabel(b)}, which are already joined through other links: the cycle floods frames forever (there is no STP here): remove this link or another one on the cycle`,
      );
  });
}

/**
 * The lab's skeleton: one host, unique ids, and references that point at nodes able to hold
 * what refers to them.
 */
import { HOST_ID } from '../lab/schema';
import type { LabContext } from './context';
import { at, linkWhere, nodeWhere, type Findings, type Where } from './findings';

export function checkStructure(ctx: LabContext, out: Findings): void {
  const { lab, nodes } = ctx;

  const hosts = lab.nodes.flatMap((node, i) => (node.kind === 'host' ? [i] : []));
  if (hosts.length === 0)
    out.add(
      'host-missing',
      { path: 'nodes' },
      `The lab has no host node: add { "kind": "host", "id": "${HOST_ID}" }, the machine's own namespace (bridges live there unless told otherwise)`,
    );
  for (const i of hosts.slice(1))
    out.add(
      'host-missing',
      nodeWhere(i, HOST_ID),
      `nodes[${i}] is a second host node; a lab has exactly one host (the machine's own namespace): remove this one`,
    );

  const nodeIds = new Map<string, number>();
  lab.nodes.forEach((node, i) => {
    const first = nodeIds.get(node.id);
    if (first === undefined) {
      nodeIds.set(node.id, i);
      return;
    }
    // A second host is already reported as host-missing.
    if (node.kind === 'host') return;
    const other = lab.nodes[first];
    out.add(
      'id-duplicate',
      at(nodeWhere(i, node.id), 'id'),
      `"${node.id}" is already the id of nodes[${first}] (a ${other?.kind ?? 'node'}): give this ${node.kind} its own id`,
    );
  });

  const linkIds = new Map<string, number>();
  lab.links.forEach((link, i) => {
    const first = linkIds.get(link.id);
    const node = nodeIds.get(link.id);
    // Made only for a finding: a lab of 1000 links is checked on every edit.
    const where = (): Where => at(linkWhere(i, link.id), 'id');
    if (first !== undefined)
      out.add(
        'id-duplicate',
        where(),
        `"${link.id}" is already the id of links[${first}]: give this link its own id`,
      );
    else if (node !== undefined)
      out.add(
        'id-duplicate',
        where(),
        `"${link.id}" is also the id of nodes[${node}]; nodes and links share one set of ids (the canvas refers to both by id): give this link its own id`,
      );
    if (first === undefined) linkIds.set(link.id, i);
  });

  lab.nodes.forEach((node, i) => {
    if (node.kind !== 'bridge' || node.namespace === undefined) return;
    const where = at(nodeWhere(i, node.id), 'namespace');
    const holder = nodes.get(node.namespace);
    if (holder === undefined)
      out.add(
        'ref-dangling',
        where,
        `Bridge ${node.name}: its namespace "${node.namespace}" is not the id of any node: pick a namespace node, or leave namespace out to keep the bridge on the host`,
      );
    else if (holder.kind === 'bridge' || holder.kind === 'external')
      out.add(
        'link-invalid-end',
        where,
        `Bridge ${node.name}: its namespace "${node.namespace}" is ${holder.kind === 'bridge' ? 'a bridge' : 'an external LAN'}, which cannot hold a bridge: pick a namespace node, or leave namespace out to keep the bridge on the host`,
      );
  });

  lab.links.forEach((link, i) => {
    for (const side of ['a', 'b'] as const) {
      const end = link[side];
      if (nodes.has(end.node)) continue;
      out.add(
        'ref-dangling',
        at(linkWhere(i, link.id), side, 'node'),
        `${end.ifname || `End ${side}`} (end ${side} of link ${link.id}) attaches to "${end.node}", but no node has that id: attach it to an existing node`,
      );
    }
  });
}

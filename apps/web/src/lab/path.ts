/**
 * Where a ping goes on the canvas: the node a namespace belongs to, the node holding an
 * address, and the shortest chain of cables between them.
 */
import {
  externalHostNames,
  HOST_ID,
  indexNodes,
  HOST_NS,
  parseCidr,
  parseIp,
  sameIp,
  type Lab,
} from '@netns-lab/model';

/** The node whose namespace this is (a LAN host's namespace belongs to its LAN). */
export function nodeOfNamespace(lab: Pick<Lab, 'nodes'>, ns: string): string | null {
  if (ns === HOST_NS) return HOST_ID;
  for (const node of lab.nodes) {
    if (node.kind === 'namespace' && node.name === ns) return node.id;
    if (node.kind === 'external') {
      if (node.name === ns) return node.id;
      if (node.hosts.some((h) => externalHostNames(h).ns === ns)) return node.id;
    }
  }
  return null;
}

/** The node holding an address (a link end's node, a bridge, a LAN). */
export function nodeOfAddress(lab: Pick<Lab, 'nodes' | 'links'>, text: string): string | null {
  const ip = parseIp(text.trim());
  if (ip === null) return null;
  const holds = (cidrs: readonly string[]): boolean =>
    cidrs.some((c) => {
      const cidr = parseCidr(c);
      return cidr !== null && sameIp(cidr.address, ip);
    });
  for (const link of lab.links) {
    if (holds(link.a.addresses)) return link.a.node;
    if (holds(link.b.addresses)) return link.b.node;
  }
  for (const node of lab.nodes) {
    if (node.kind === 'bridge' && holds(node.addresses)) return node.id;
    if (node.kind === 'external') {
      for (const host of node.hosts) {
        const hostIp = parseIp(host.address);
        if (hostIp !== null && sameIp(hostIp, ip)) return node.id;
      }
    }
  }
  return null;
}

export interface CanvasPath {
  nodes: string[];
  links: string[];
}

/**
 * The shortest chain of cables from one node to another (breadth first), or null. A bridge also
 * joins the namespace that holds it (the host by default): packets routed through its address
 * pass there without a cable.
 */
export function shortestPath(
  lab: Pick<Lab, 'nodes' | 'links'>,
  from: string,
  to: string,
): CanvasPath | null {
  if (from === to) return { nodes: [from], links: [] };
  const nodes = indexNodes(lab);
  const steps = new Map<string, { node: string; link: string | null }[]>();
  const join = (a: string, b: string, link: string | null): void => {
    steps.set(a, [...(steps.get(a) ?? []), { node: b, link }]);
    steps.set(b, [...(steps.get(b) ?? []), { node: a, link }]);
  };
  for (const link of lab.links) join(link.a.node, link.b.node, link.id);
  for (const node of lab.nodes)
    if (node.kind === 'bridge') {
      const holder = node.namespace ?? HOST_ID;
      if (nodes.has(holder)) join(node.id, holder, null);
    }
  const previous = new Map<string, { node: string; link: string | null }>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    for (const step of steps.get(id) ?? []) {
      if (seen.has(step.node)) continue;
      seen.add(step.node);
      previous.set(step.node, { node: id, link: step.link });
      if (step.node === to) {
        const path: CanvasPath = { nodes: [to], links: [] };
        let at = to;
        for (let back = previous.get(at); back; back = previous.get(at)) {
          if (back.link !== null) path.links.unshift(back.link);
          path.nodes.unshift(back.node);
          at = back.node;
        }
        return path;
      }
      queue.push(step.node);
    }
  }
  return null;
}

/** The path a ping from namespace `ns` to `target` takes on the canvas, or what is known of it. */
export function pingPath(lab: Lab, ns: string, target: string): CanvasPath {
  const from = nodeOfNamespace(lab, ns);
  const to = nodeOfAddress(lab, target);
  if (from === null) return { nodes: to === null ? [] : [to], links: [] };
  if (to === null) return { nodes: [from], links: [] };
  return shortestPath(lab, from, to) ?? { nodes: [from, to], links: [] };
}

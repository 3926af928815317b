/**
 * The namespaces and addresses a student can pick in the tools (ping, "Which way?"), in lab
 * order, with the node each belongs to.
 */
import {
  bridgeNamespace,
  externalHostNames,
  HOST_NS,
  indexNodes,
  parseCidr,
  type Lab,
  type LabNode,
} from '@netns-lab/model';

export interface NamespaceOption {
  ns: string;
  label: string;
  nodeId: string;
}

export function namespaceOptions(lab: Lab): NamespaceOption[] {
  const out: NamespaceOption[] = [{ ns: HOST_NS, label: 'host', nodeId: 'host' }];
  for (const node of lab.nodes) {
    if (node.kind === 'namespace') out.push({ ns: node.name, label: node.name, nodeId: node.id });
    if (node.kind === 'external')
      for (const host of node.hosts) {
        const ns = externalHostNames(host).ns;
        out.push({ ns, label: `${ns} (on ${node.name})`, nodeId: node.id });
      }
  }
  return out;
}

export interface AddressOption {
  address: string;
  label: string;
  nodeId: string;
}

/** Every address in the lab, without prefix, labelled with where it is. */
export function addressOptions(lab: Lab): AddressOption[] {
  const nodes = indexNodes(lab);
  const name = (id: string): string => {
    const node = nodes.get(id);
    return node === undefined ? id : node.kind === 'host' ? 'host' : node.name;
  };
  const out: AddressOption[] = [];
  const ip = (cidr: string): string | null => {
    const parsed = parseCidr(cidr);
    return parsed === null ? null : (cidr.split('/')[0] ?? null);
  };
  for (const link of lab.links)
    for (const end of [link.a, link.b])
      for (const cidr of end.addresses) {
        const address = ip(cidr);
        if (address !== null)
          out.push({
            address,
            label: `${name(end.node)} ${end.ifname} ${address}`,
            nodeId: end.node,
          });
      }
  for (const node of lab.nodes) {
    if (node.kind === 'bridge')
      for (const cidr of node.addresses) {
        const address = ip(cidr);
        if (address !== null)
          out.push({ address, label: `${node.name} (bridge) ${address}`, nodeId: node.id });
      }
    if (node.kind === 'external')
      for (const host of node.hosts)
        if (host.address)
          out.push({
            address: host.address,
            label: `${host.name} (on ${node.name}) ${host.address}`,
            nodeId: node.id,
          });
  }
  return out;
}

/** The interfaces a routing node's namespace holds in the lab (for route and NAT devices). */
export function interfacesOfRoutingNode(lab: Lab, node: LabNode): string[] {
  const nodes = indexNodes(lab);
  const out: string[] = [];
  for (const n of lab.nodes)
    if (n.kind === 'bridge') {
      const ns = bridgeNamespace(n, nodes);
      const own = node.kind === 'host' ? HOST_NS : node.kind === 'namespace' ? node.name : null;
      if (ns !== null && ns === own) out.push(n.name);
    }
  for (const link of lab.links)
    for (const end of [link.a, link.b]) if (end.node === node.id) out.push(end.ifname);
  return out;
}

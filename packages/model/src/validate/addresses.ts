/**
 * Addresses and MACs on interfaces, and the external LANs' subnets and hosts.
 */
import {
  containsIp,
  formatCidr,
  formatIp,
  hostAddress,
  isNetworkAddress,
  isReservedIpv4Host,
  networkOf,
  parseCidr,
  parseIp,
  parseMac,
  sameIp,
  type Cidr,
} from '../lab/address';
import type { ExternalNode } from '../lab/schema';
import { explainCidr, explainIp, hostRange } from './address-text';
import { addressWhere, ifaceLabel, ipKey, type Iface, type LabContext } from './context';
import { at, nodeWhere, type Findings, type Where } from './findings';

/** Where an address entry sits, for messages: "veth-red on red (links[0].a.addresses[0])". */
function ownerText(iface: Iface, path: string): string {
  return `${ifaceLabel(iface)} (${path})`;
}

function checkInterfaceAddresses(ctx: LabContext, out: Findings): void {
  for (const iface of ctx.interfaces) {
    for (const { text, cidr, index } of iface.written) {
      const where = (): Where => at(iface.where, 'addresses', index);
      if (cidr === null) {
        out.add(
          'address-invalid',
          where(),
          `${ifaceLabel(iface)}: ${explainCidr(text, '192.168.15.1/24')}`,
        );
        continue;
      }
      if (isReservedIpv4Host(cidr)) {
        const network = networkOf(cidr);
        const which = sameIp(cidr.address, network.address) ? 'network' : 'broadcast';
        const first = hostAddress(network, 1);
        out.add(
          'address-network',
          where(),
          `${ifaceLabel(iface)}: ${formatIp(cidr.address)} is the ${which} address of ${formatCidr(network)}, not a host address: pick one from ${hostRange(cidr)}${first === null ? '' : `, e.g. ${formatIp(first)}/${cidr.prefix}`}`,
        );
      }
    }
  }

  for (const entry of ctx.addresses) {
    const owner = ctx.addressOwners.get(ipKey(entry.cidr.address));
    if (owner === undefined || owner === entry) continue;
    out.add(
      'address-duplicate',
      addressWhere(entry),
      `${ifaceLabel(entry.iface)}: ${formatIp(entry.cidr.address)} is already on ${ownerText(owner.iface, addressWhere(owner).path)}; an address belongs to one interface, or ARP and routing break: pick another`,
    );
  }
}

function checkMacs(ctx: LabContext, out: Findings): void {
  const seen = new Map<string, Iface>();
  for (const iface of ctx.interfaces) {
    if (iface.mac === undefined) continue;
    const { text, where } = iface.mac;
    const mac = parseMac(text);
    if (mac === null) {
      out.add(
        'mac-invalid',
        where,
        `${ifaceLabel(iface)}: "${text}" is not a MAC address; write six hex pairs such as 02:00:00:00:00:01`,
      );
      continue;
    }
    const firstOctet = parseInt(mac.slice(0, 2), 16);
    if (firstOctet & 1) {
      const unicast = ((firstOctet & 0xfe) | 0x02).toString(16).padStart(2, '0') + mac.slice(2);
      out.add(
        'mac-invalid',
        where,
        `${ifaceLabel(iface)}: ${mac} is a multicast MAC (the lowest bit of the first byte is set); an interface needs a unicast one, e.g. ${unicast}`,
      );
      continue;
    }
    if (mac === '00:00:00:00:00:00') {
      out.add(
        'mac-invalid',
        where,
        `${ifaceLabel(iface)}: 00:00:00:00:00:00 is not a usable MAC; pick one such as 02:00:00:00:00:01, or leave it out`,
      );
      continue;
    }
    const first = seen.get(mac);
    if (first === undefined) {
      seen.set(mac, iface);
      continue;
    }
    out.add(
      'mac-duplicate',
      where,
      `${ifaceLabel(iface)}: ${mac} is already the MAC of ${ownerText(first, first.mac?.where.path ?? first.where.path)}; two interfaces with one MAC confuse bridges and ARP: change one, or leave it out to get a random one`,
    );
  }
}

function checkExternal(node: ExternalNode, index: number, out: Findings): void {
  const where = nodeWhere(index, node.id);
  const parsed = parseCidr(node.subnet);
  let subnet: Cidr | null = null;
  if (parsed === null)
    out.add(
      'external-invalid',
      at(where, 'subnet'),
      `LAN ${node.name}: the subnet ${explainCidr(node.subnet, '192.168.1.0/24')}`,
    );
  else if (!isNetworkAddress(parsed))
    out.add(
      'external-invalid',
      at(where, 'subnet'),
      `LAN ${node.name}: the subnet ${node.subnet} has host bits set; write ${formatCidr(networkOf(parsed))}`,
    );
  else subnet = parsed;

  node.hosts.forEach((host, j) => {
    const hostWhere = at(where, 'hosts', j);
    const label = `LAN host ${host.name} on ${node.name}`;
    const address = parseIp(host.address);
    if (address === null) {
      const slash = host.address.indexOf('/');
      const bare = slash < 0 ? null : parseIp(host.address.slice(0, slash));
      out.add(
        'external-invalid',
        at(hostWhere, 'address'),
        bare === null
          ? `${label}: ${explainIp(host.address)}; write an address inside ${subnet === null ? "the LAN's subnet" : formatCidr(subnet)}`
          : `${label}: write its address without a prefix (${formatIp(bare)}); the LAN's subnet gives the prefix`,
      );
    } else if (subnet !== null) {
      const example = hostAddress(subnet, j + 10);
      const suggestion = example === null ? '' : `, e.g. ${formatIp(example)}`;
      if (!containsIp(subnet, address))
        out.add(
          'external-invalid',
          at(hostWhere, 'address'),
          `${label}: ${host.address} is outside the LAN's subnet ${formatCidr(subnet)}: pick an address inside it${suggestion}`,
        );
      else if (isReservedIpv4Host({ address, prefix: subnet.prefix }))
        out.add(
          'external-invalid',
          at(hostWhere, 'address'),
          `${label}: ${host.address} is the ${sameIp(address, subnet.address) ? 'network' : 'broadcast'} address of ${formatCidr(subnet)}, not a host address: pick one from ${hostRange(subnet)}`,
        );
    }

    if (host.gateway === undefined) return;
    const gateway = parseIp(host.gateway);
    const gatewayWhere = at(hostWhere, 'gateway');
    if (gateway === null)
      out.add(
        'external-invalid',
        gatewayWhere,
        `${label}: its gateway ${explainIp(host.gateway)}; write the address of a router on the LAN`,
      );
    else if (subnet !== null && !containsIp(subnet, gateway))
      out.add(
        'external-invalid',
        gatewayWhere,
        `${label}: its gateway ${host.gateway} is outside the LAN's subnet ${formatCidr(subnet)}, so the host cannot reach it: use the address of a router on the LAN`,
      );
    else if (address !== null && sameIp(address, gateway))
      out.add(
        'external-invalid',
        gatewayWhere,
        `${label}: its gateway ${host.gateway} is its own address: use the address of a router on the LAN`,
      );
  });
}

export function checkAddresses(ctx: LabContext, out: Findings): void {
  checkInterfaceAddresses(ctx, out);
  checkMacs(ctx, out);
  ctx.lab.nodes.forEach((node, i) => {
    if (node.kind === 'external') checkExternal(node, i, out);
  });
}

/**
 * Why an address or prefix as written does not parse, in words a student can act on.
 */
import { formatCidr, formatIp, hostAddress, networkOf, parseIp, type Cidr } from '../lab/address';

const DEFAULT_PREFIX = { 4: 24, 6: 64 } as const;

/** Why `text` is not an IP address, e.g. `"192.168.300.1" is not an IPv4 address: 300 ...`. */
export function explainIp(text: string): string {
  if (text === '') return 'the address is empty';
  if (text.trim() !== text) return `"${text}" has white space around it`;
  if (/^\d+(\.\d+){3}$/.test(text)) {
    for (const part of text.split('.')) {
      if (Number(part) > 255) return `"${text}" is not an IPv4 address: ${part} is more than 255`;
      if (part.length > 1 && part.startsWith('0'))
        return `"${text}" is not an IPv4 address: write ${part} without leading zeros`;
    }
  }
  if (text.includes('/')) return `"${text}" has a prefix length; write the address alone`;
  return `"${text}" is not an IPv4 or IPv6 address`;
}

/**
 * Why `text` is not in CIDR notation. `example` is offered when nothing better can be said.
 */
export function explainCidr(text: string, example: string): string {
  if (text === '') return `the address is empty; write one such as ${example}`;
  const slash = text.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(text);
    if (ip !== null)
      return `"${text}" has no prefix length; write ${text}/${DEFAULT_PREFIX[ip.family]}`;
    return `${explainIp(text)}; write one such as ${example}`;
  }
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  const ip = parseIp(address);
  if (ip === null) return `${explainIp(address)}; write one such as ${example}`;
  const max = ip.family === 4 ? 32 : 128;
  return `"${text}": ${prefix === '' ? 'the prefix length is missing' : `"${prefix}" is not a prefix length`}; IPv${ip.family} prefixes are 0 to ${max}, e.g. ${address}/${DEFAULT_PREFIX[ip.family]}`;
}

/** "192.168.15.1 to 192.168.15.254", the usable host addresses of an IPv4 subnet. */
export function hostRange(cidr: Cidr): string {
  const network = networkOf(cidr);
  const size = 2 ** ((cidr.address.family === 4 ? 32 : 128) - cidr.prefix);
  const first = hostAddress(network, 1);
  const last = hostAddress(network, size - 2);
  if (first === null || last === null) return formatCidr(network);
  return `${formatIp(first)} to ${formatIp(last)}`;
}

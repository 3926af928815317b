/**
 * IPv4 and IPv6 addresses and prefixes, parsed strictly and printed canonically, so that what
 * reaches an argv is always re-serialised from numbers, never copied from user text.
 */
import { remembered } from './remembered';

export type Family = 4 | 6;

export interface IpAddress {
  family: Family;
  /** 32 bits (IPv4) or 128 bits (IPv6). */
  value: bigint;
}

export interface Cidr {
  address: IpAddress;
  prefix: number;
}

const bits = (family: Family): number => (family === 4 ? 32 : 128);

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const words: number[] = [];
  const pushGroups = (groups: string[], out: number[]): boolean => {
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (g.includes('.')) {
        // An embedded IPv4 address may only end the address.
        if (i !== groups.length - 1) return false;
        const v4 = parseIpv4(g);
        if (v4 === null) return false;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return false;
        out.push(parseInt(g, 16));
      }
    }
    return true;
  };
  const headWords: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(head, headWords)) return null;
  if (!pushGroups(tail, tailWords)) return null;
  if (halves.length === 2) {
    if (tail.some((g) => g.includes('.')) === false && head.some((g) => g.includes('.')))
      return null;
    const missing = 8 - headWords.length - tailWords.length;
    if (missing < 1) return null;
    words.push(...headWords, ...new Array<number>(missing).fill(0), ...tailWords);
  } else {
    words.push(...headWords);
  }
  if (words.length !== 8) return null;
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** Parses "192.168.15.1" or "fd00::1"; null when it is not exactly an address. */
export const parseIp: (text: string) => IpAddress | null = remembered(parseIpOnce);

function parseIpOnce(text: string): IpAddress | null {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === null ? null : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === null ? null : { family: 4, value };
}

/** Parses "192.168.15.1/24"; null when the address or the prefix is wrong. */
export const parseCidr: (text: string) => Cidr | null = remembered(parseCidrOnce);

function parseCidrOnce(text: string): Cidr | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === null || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > bits(address.family)) return null;
  return { address, prefix };
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero words, the first one on a tie.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.address)}/${cidr.prefix}`;
}

function mask(family: Family, prefix: number): bigint {
  const total = BigInt(bits(family));
  const all = (1n << total) - 1n;
  return prefix === 0 ? 0n : (all >> (total - BigInt(prefix))) << (total - BigInt(prefix));
}

/** The network a CIDR belongs to: 192.168.15.1/24 -> 192.168.15.0/24. */
/** networkOf, per CIDR object (parseCidr gives the same object for the same text). */
const networks = new WeakMap<Cidr, Cidr>();

export function networkOf(cidr: Cidr): Cidr {
  let network = networks.get(cidr);
  if (network === undefined) {
    network = {
      address: {
        family: cidr.address.family,
        value: cidr.address.value & mask(cidr.address.family, cidr.prefix),
      },
      prefix: cidr.prefix,
    };
    networks.set(cidr, network);
  }
  return network;
}

/** True when a CIDR names a network (no host bits set), as routes and NAT sources should. */
export function isNetworkAddress(cidr: Cidr): boolean {
  return networkOf(cidr).address.value === cidr.address.value;
}

export function containsIp(network: Cidr, ip: IpAddress): boolean {
  if (network.address.family !== ip.family) return false;
  const m = mask(ip.family, network.prefix);
  return (network.address.value & m) === (ip.value & m);
}

export function sameIp(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}

/** Canonical text of an address ("fd00:0::1" -> "fd00::1"), or the input when it does not parse. */
export const canonicalIp: (text: string) => string = remembered((text) => {
  const ip = parseIp(text);
  return ip === null ? text : formatIp(ip);
});

/** Canonical text of a CIDR, or the input when it does not parse. */
export const canonicalCidr: (text: string) => string = remembered((text) => {
  const cidr = parseCidr(text);
  return cidr === null ? text : formatCidr(cidr);
});

/** Canonical text of a route destination: "default" or a canonical network prefix. */
export function canonicalDestination(text: string): string {
  return text === 'default' ? text : canonicalCidr(text);
}

/** 192.168.15.1/24 and 192.168.15.0/24 overlap; 192.168.15.0/24 and 192.168.1.0/24 do not. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.address.family !== b.address.family) return false;
  const prefix = Math.min(a.prefix, b.prefix);
  const m = mask(a.address.family, prefix);
  return (a.address.value & m) === (b.address.value & m);
}

/** The n-th host address of a network (n = 1 is the first usable one in IPv4). */
export function hostAddress(network: Cidr, n: number): IpAddress | null {
  const size = 1n << BigInt(bits(network.address.family) - network.prefix);
  const offset = BigInt(n);
  if (offset < 0n || offset >= size) return null;
  return { family: network.address.family, value: networkOf(network).address.value + offset };
}

/** Whether an IPv4 host address is the network or broadcast address of its /prefix (< /31). */
export function isReservedIpv4Host(cidr: Cidr): boolean {
  if (cidr.address.family !== 4 || cidr.prefix >= 31) return false;
  const net = networkOf(cidr).address.value;
  const broadcast = net | (~mask(4, cidr.prefix) & 0xffffffffn);
  return cidr.address.value === net || cidr.address.value === broadcast;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Lower-case "aa:bb:cc:dd:ee:ff", or null. */
export function parseMac(text: string): string | null {
  const lower = text.toLowerCase();
  return MAC.test(lower) ? lower : null;
}

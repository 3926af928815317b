/**
 * A key and a signature for every row of a namespace's tables, so that rows that just appeared
 * or changed can be highlighted (the ARP table filling during a ping).
 */
import type {
  LiveAddress,
  LiveFdbEntry,
  LiveLink,
  LiveNatRule,
  LiveNeighbour,
  LiveRoute,
  NamespaceState,
} from '@netns-lab/model';

export type TableName = 'link' | 'addr' | 'route' | 'neigh' | 'fdb' | 'nat' | 'forward';

export const rowKey = {
  link: (ns: string, l: LiveLink): string => `${ns}/link/${l.ifname}`,
  addr: (ns: string, a: LiveAddress): string => `${ns}/addr/${a.ifname}/${a.cidr}`,
  route: (ns: string, r: LiveRoute): string =>
    `${ns}/route/${r.to}/${r.dev ?? ''}/${r.via ?? ''}/${r.metric ?? ''}`,
  neigh: (ns: string, n: LiveNeighbour): string => `${ns}/neigh/${n.dev}/${n.address}`,
  fdb: (ns: string, f: LiveFdbEntry): string =>
    `${ns}/fdb/${f.bridge}/${f.mac}/${f.port}/${f.vlan ?? ''}`,
  nat: (ns: string, n: LiveNatRule): string => `${ns}/nat/${n.chain}/${n.rule}`,
  forward: (ns: string): string => `${ns}/forward`,
};

/** Every row of a namespace state: key -> signature (what, when it changes, is news). */
export function rowSignatures(state: NamespaceState): Map<string, string> {
  const { ns } = state;
  const rows = new Map<string, string>();
  for (const l of state.links)
    rows.set(
      rowKey.link(ns, l),
      `${l.state}|${l.adminUp}|${l.mac ?? ''}|${l.master ?? ''}|${l.mtu ?? ''}`,
    );
  for (const a of state.addresses) rows.set(rowKey.addr(ns, a), '');
  for (const r of state.routes) rows.set(rowKey.route(ns, r), `${r.src ?? ''}|${r.scope ?? ''}`);
  for (const n of state.neighbours) rows.set(rowKey.neigh(ns, n), `${n.mac ?? ''}|${n.state}`);
  for (const f of state.fdb) rows.set(rowKey.fdb(ns, f), String(f.permanent));
  for (const n of state.nat) rows.set(rowKey.nat(ns, n), `${n.packets}|${n.bytes}`);
  rows.set(rowKey.forward(ns), String(state.ipForward));
  return rows;
}

/** The keys of rows in `next` that are new or changed since `prev`. */
export function changedRows(prev: NamespaceState | undefined, next: NamespaceState): string[] {
  const after = rowSignatures(next);
  if (prev === undefined) return [...after.keys()];
  const before = rowSignatures(prev);
  const out: string[] = [];
  for (const [key, sig] of after) if (before.get(key) !== sig) out.push(key);
  return out;
}

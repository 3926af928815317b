/**
 * The kernel's tables as real tables: interfaces, routes, neighbours (ARP), bridge MACs (FDB),
 * NAT rules. Rows that just appeared or changed carry a highlight for a moment.
 */
import type { NamespaceState } from '@netns-lab/model';
import type { ReactNode } from 'react';
import { rowKey } from './rows';

type Recent = Readonly<Record<string, number>>;

function flash(recent: Recent, key: string): string {
  return key in recent ? 'flash' : '';
}

function Table({
  name,
  caption,
  head,
  empty,
  children,
  count,
}: {
  /** Accessible name, e.g. "ARP table of red". */
  name: string;
  caption: string;
  head: string[];
  empty: string;
  children: ReactNode;
  count: number;
}) {
  return (
    <table className="live-table" aria-label={name}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {count === 0 ? (
          <tr className="empty-row">
            <td colSpan={head.length}>{empty}</td>
          </tr>
        ) : (
          children
        )}
      </tbody>
    </table>
  );
}

export function InterfacesTable({
  state,
  title,
  recent,
  only,
}: {
  state: NamespaceState;
  title: string;
  recent: Recent;
  /** Only these interfaces (a bridge and its ports); all when absent. */
  only?: (ifname: string, master: string | undefined) => boolean;
}) {
  const links = state.links.filter((l) => (only ? only(l.ifname, l.master) : true));
  // Columns that would be empty for every row are left out, to keep panels narrow.
  const withMaster = links.some((l) => l.master !== undefined);
  const withAddresses = links.some((l) => state.addresses.some((a) => a.ifname === l.ifname));
  const head = ['Name', 'State', 'MAC'];
  if (withAddresses) head.push('Addresses');
  if (withMaster) head.push('Master');
  return (
    <Table
      name={`Interfaces of ${title}`}
      caption="Interfaces"
      head={head}
      empty="No interfaces."
      count={links.length}
    >
      {links.map((l) => {
        const addresses = state.addresses.filter((a) => a.ifname === l.ifname);
        const addrFlash = addresses.some((a) => rowKey.addr(state.ns, a) in recent);
        return (
          <tr
            key={l.ifname}
            className={`${flash(recent, rowKey.link(state.ns, l))} ${addrFlash ? 'flash' : ''}`}
          >
            <td className="mono">{l.ifname}</td>
            <td>
              <span className={`link-state state-${l.state.toLowerCase()}`}>{l.state}</span>
            </td>
            <td className="mono">{l.mac ?? ''}</td>
            {withAddresses ? (
              <td className="mono">
                {addresses.map((a) => (
                  <span key={a.cidr} className="cell-line">
                    {a.cidr}
                  </span>
                ))}
              </td>
            ) : null}
            {withMaster ? <td className="mono">{l.master ?? ''}</td> : null}
          </tr>
        );
      })}
    </Table>
  );
}

export function RoutesTable({
  state,
  title,
  recent,
}: {
  state: NamespaceState;
  title: string;
  recent: Recent;
}) {
  const withVia = state.routes.some((r) => r.via !== undefined);
  const withMetric = state.routes.some((r) => r.metric !== undefined);
  const head = ['To'];
  if (withVia) head.push('Via');
  head.push('Dev', 'Src');
  if (withMetric) head.push('Metric');
  return (
    <Table
      name={`Routes of ${title}`}
      caption="Routes"
      head={head}
      empty="No routes: this namespace reaches nothing."
      count={state.routes.length}
    >
      {state.routes.map((r) => {
        const key = rowKey.route(state.ns, r);
        return (
          <tr key={key} className={flash(recent, key)}>
            <td className="mono">{r.to}</td>
            {withVia ? <td className="mono">{r.via ?? ''}</td> : null}
            <td className="mono">{r.dev ?? ''}</td>
            <td className="mono">{r.src ?? ''}</td>
            {withMetric ? <td className="mono">{r.metric ?? ''}</td> : null}
          </tr>
        );
      })}
    </Table>
  );
}

export function NeighboursTable({
  state,
  title,
  recent,
}: {
  state: NamespaceState;
  title: string;
  recent: Recent;
}) {
  return (
    <Table
      name={`ARP table of ${title}`}
      caption="ARP table (neighbours)"
      head={['Address', 'MAC', 'Dev', 'State']}
      empty="Empty: nothing has been talked to yet. Ping something to fill it."
      count={state.neighbours.length}
    >
      {state.neighbours.map((n) => {
        const key = rowKey.neigh(state.ns, n);
        return (
          <tr key={key} className={flash(recent, key)}>
            <td className="mono">{n.address}</td>
            <td className="mono">{n.mac ?? ''}</td>
            <td className="mono">{n.dev}</td>
            <td>
              <span className={`neigh-state state-${n.state.toLowerCase()}`}>{n.state}</span>
            </td>
          </tr>
        );
      })}
    </Table>
  );
}

export function FdbTable({
  state,
  bridge,
  title,
  recent,
}: {
  state: NamespaceState;
  bridge: string;
  title: string;
  recent: Recent;
}) {
  const entries = state.fdb.filter((f) => f.bridge === bridge);
  return (
    <Table
      name={`MAC table of ${title}`}
      caption={`MAC table (FDB) of ${bridge}`}
      head={['MAC', 'Port', 'Learned']}
      empty="Empty: the bridge has not seen any frame yet."
      count={entries.length}
    >
      {entries.map((f) => {
        const key = rowKey.fdb(state.ns, f);
        return (
          <tr key={key} className={flash(recent, key)}>
            <td className="mono">{f.mac}</td>
            <td className="mono">{f.port}</td>
            <td>{f.permanent ? 'own port' : 'learned'}</td>
          </tr>
        );
      })}
    </Table>
  );
}

export function NatTable({
  state,
  title,
  recent,
}: {
  state: NamespaceState;
  title: string;
  recent: Recent;
}) {
  return (
    <Table
      name={`NAT rules of ${title}`}
      caption="NAT rules (iptables -t nat)"
      head={['Chain', 'Rule', 'Packets', 'Bytes']}
      empty="No NAT rules."
      count={state.nat.length}
    >
      {state.nat.map((n) => {
        const key = rowKey.nat(state.ns, n);
        return (
          <tr key={key} className={flash(recent, key)}>
            <td className="mono">{n.chain}</td>
            <td className="mono">{n.rule}</td>
            <td className="mono num">{n.packets}</td>
            <td className="mono num">{n.bytes}</td>
          </tr>
        );
      })}
    </Table>
  );
}

export function ForwardLine({ state, recent }: { state: NamespaceState; recent: Recent }) {
  return (
    <p className={`forward-line ${flash(recent, rowKey.forward(state.ns))}`}>
      <span className="mono">net.ipv4.ip_forward</span> ={' '}
      <strong className="mono">{state.ipForward ? '1' : '0'}</strong>{' '}
      <span className="muted">({state.ipForward ? 'forwards packets' : 'does not forward'})</span>
    </p>
  );
}

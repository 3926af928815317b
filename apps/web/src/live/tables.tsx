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

/**
 * One table of the kernel's: a row per entry (`cells`), keyed as the live view keys changes
 * (`keyOf`), highlighted while its key is recent; a line saying why it is empty when it is.
 */
function Table<T>({
  name,
  caption,
  head,
  empty,
  rows,
  keyOf,
  cells,
  recent,
  isRecent = (row) => keyOf(row) in recent,
}: {
  /** Accessible name, e.g. "ARP table of red". */
  name: string;
  caption: string;
  head: string[];
  empty: string;
  rows: readonly T[];
  keyOf(row: T): string;
  cells(row: T): ReactNode;
  recent: Recent;
  /** Whether a row just appeared or changed (default: its key is recent). */
  isRecent?(row: T): boolean;
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
        {rows.length === 0 ? (
          <tr className="empty-row">
            <td colSpan={head.length}>{empty}</td>
          </tr>
        ) : (
          rows.map((row) => (
            <tr key={keyOf(row)} className={isRecent(row) ? 'flash' : ''}>
              {cells(row)}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

interface TableProps {
  state: NamespaceState;
  title: string;
  recent: Recent;
}

export function InterfacesTable({
  state,
  title,
  recent,
  only,
}: TableProps & {
  /** Only these interfaces (a bridge and its ports); all when absent. */
  only?: (ifname: string, master: string | undefined) => boolean;
}) {
  const links = state.links.filter((l) => (only ? only(l.ifname, l.master) : true));
  const addressesOf = (ifname: string) => state.addresses.filter((a) => a.ifname === ifname);
  // Columns that would be empty for every row are left out, to keep panels narrow.
  const withMaster = links.some((l) => l.master !== undefined);
  const withAddresses = links.some((l) => addressesOf(l.ifname).length > 0);
  const head = ['Name', 'State', 'MAC'];
  if (withAddresses) head.push('Addresses');
  if (withMaster) head.push('Master');
  return (
    <Table
      name={`Interfaces of ${title}`}
      caption="Interfaces"
      head={head}
      empty="No interfaces."
      rows={links}
      keyOf={(l) => rowKey.link(state.ns, l)}
      recent={recent}
      // A new address flashes its interface's row.
      isRecent={(l) =>
        rowKey.link(state.ns, l) in recent ||
        addressesOf(l.ifname).some((a) => rowKey.addr(state.ns, a) in recent)
      }
      cells={(l) => (
        <>
          <td className="mono">{l.ifname}</td>
          <td>
            <span className={`link-state state-${l.state.toLowerCase()}`}>{l.state}</span>
          </td>
          <td className="mono">{l.mac ?? ''}</td>
          {withAddresses ? (
            <td className="mono">
              {addressesOf(l.ifname).map((a) => (
                <span key={a.cidr} className="cell-line">
                  {a.cidr}
                </span>
              ))}
            </td>
          ) : null}
          {withMaster ? <td className="mono">{l.master ?? ''}</td> : null}
        </>
      )}
    />
  );
}

export function RoutesTable({ state, title, recent }: TableProps) {
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
      rows={state.routes}
      keyOf={(r) => rowKey.route(state.ns, r)}
      recent={recent}
      cells={(r) => (
        <>
          <td className="mono">{r.to}</td>
          {withVia ? <td className="mono">{r.via ?? ''}</td> : null}
          <td className="mono">{r.dev ?? ''}</td>
          <td className="mono">{r.src ?? ''}</td>
          {withMetric ? <td className="mono">{r.metric ?? ''}</td> : null}
        </>
      )}
    />
  );
}

export function NeighboursTable({ state, title, recent }: TableProps) {
  return (
    <Table
      name={`ARP table of ${title}`}
      caption="ARP table (neighbours)"
      head={['Address', 'MAC', 'Dev', 'State']}
      empty="Empty: nothing has been talked to yet. Ping something to fill it."
      rows={state.neighbours}
      keyOf={(n) => rowKey.neigh(state.ns, n)}
      recent={recent}
      cells={(n) => (
        <>
          <td className="mono">{n.address}</td>
          <td className="mono">{n.mac ?? ''}</td>
          <td className="mono">{n.dev}</td>
          <td>
            <span className={`neigh-state state-${n.state.toLowerCase()}`}>{n.state}</span>
          </td>
        </>
      )}
    />
  );
}

export function FdbTable({ state, bridge, title, recent }: TableProps & { bridge: string }) {
  return (
    <Table
      name={`MAC table of ${title}`}
      caption={`MAC table (FDB) of ${bridge}`}
      head={['MAC', 'Port', 'Learned']}
      empty="Empty: the bridge has not seen any frame yet."
      rows={state.fdb.filter((f) => f.bridge === bridge)}
      keyOf={(f) => rowKey.fdb(state.ns, f)}
      recent={recent}
      cells={(f) => (
        <>
          <td className="mono">{f.mac}</td>
          <td className="mono">{f.port}</td>
          <td>{f.permanent ? 'own port' : 'learned'}</td>
        </>
      )}
    />
  );
}

export function NatTable({ state, title, recent }: TableProps) {
  return (
    <Table
      name={`NAT rules of ${title}`}
      caption="NAT rules (iptables -t nat)"
      head={['Chain', 'Rule', 'Packets', 'Bytes']}
      empty="No NAT rules."
      rows={state.nat}
      keyOf={(n) => rowKey.nat(state.ns, n)}
      recent={recent}
      cells={(n) => (
        <>
          <td className="mono">{n.chain}</td>
          <td className="mono">{n.rule}</td>
          <td className="mono num">{n.packets}</td>
          <td className="mono num">{n.bytes}</td>
        </>
      )}
    />
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

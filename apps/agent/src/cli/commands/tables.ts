import type { NamespaceState } from '@netns-lab/model';
import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { CliError, EXIT } from '../io';
import { openSession, URL_HELP, URL_OPTION } from '../session';
import { renderTable } from '../text-table';

const opt = (value: string | number | undefined): string =>
  value === undefined ? '-' : String(value);

/** A namespace's tables as text: what `ip link`, `ip addr`, `ip route`, `ip neigh` would show. */
export function formatTables(state: NamespaceState): string[] {
  const section = (title: string, lines: string[]): string[] => ['', title, ...lines];
  const peer = (link: NamespaceState['links'][number]): string =>
    link.peerIfindex === undefined
      ? '-'
      : `${link.peerIfindex}${link.peerNamespace === undefined ? '' : `@${link.peerNamespace}`}`;
  const lines = [
    `namespace ${state.ns}  (read ${new Date(state.readAt).toLocaleTimeString()}, ip_forward ${state.ipForward ? 1 : 0})`,
    ...section(
      'Links',
      renderTable(
        ['IFNAME', 'STATE', 'ADMIN', 'KIND', 'MAC', 'MTU', 'MASTER', 'PEER'],
        state.links.map((link) => [
          link.ifname,
          link.state,
          link.adminUp ? 'up' : 'down',
          opt(link.kind),
          opt(link.mac),
          opt(link.mtu),
          opt(link.master),
          peer(link),
        ]),
      ),
    ),
    ...section(
      'Addresses',
      renderTable(
        ['IFNAME', 'ADDRESS', 'SCOPE'],
        state.addresses.map((a) => [a.ifname, a.cidr, opt(a.scope)]),
      ),
    ),
    ...section(
      'Routes',
      renderTable(
        ['TO', 'VIA', 'DEV', 'METRIC', 'PROTO', 'SCOPE', 'SRC'],
        state.routes.map((r) => [
          r.to,
          opt(r.via),
          opt(r.dev),
          opt(r.metric),
          opt(r.protocol),
          opt(r.scope),
          opt(r.src),
        ]),
      ),
    ),
    ...section(
      'Neighbours (ARP)',
      renderTable(
        ['ADDRESS', 'DEV', 'MAC', 'STATE'],
        state.neighbours.map((n) => [n.address, n.dev, opt(n.mac), n.state]),
      ),
    ),
    ...section(
      'Bridge MAC tables (FDB)',
      renderTable(
        ['BRIDGE', 'PORT', 'MAC', 'KIND', 'VLAN'],
        state.fdb.map((f) => [
          f.bridge,
          f.port,
          f.mac,
          f.permanent ? 'own' : 'learned',
          opt(f.vlan),
        ]),
      ),
    ),
    ...section(
      'NAT (iptables -t nat)',
      renderTable(
        ['CHAIN', 'PACKETS', 'BYTES', 'RULE'],
        state.nat.map((r) => [r.chain, String(r.packets), String(r.bytes), r.rule]),
      ),
    ),
  ];
  if (state.conntrack !== undefined) {
    lines.push(
      ...section(
        'Connection tracking (NAT mappings)',
        renderTable(
          ['PROTO', 'ORIGINAL', 'REPLY'],
          state.conntrack.map((c) => [c.protocol, c.original, c.reply]),
        ),
      ),
    );
  }
  return lines;
}

export const tablesCommand: Command = {
  name: 'tables',
  summary: "print a namespace's links, addresses, routes, neighbours, FDB and NAT",
  help: `Usage: netns-lab tables NS [--url URL]

Prints what the kernel holds in namespace NS (the lab's root namespace is "host"), as the
running agent reads it: links, addresses, routes, neighbours (ARP with its state), each
bridge's MAC table, NAT rules with their counters and, where conntrack is installed, NAT
mappings.

${URL_HELP}`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('tables', args, URL_OPTION);
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [ns = ''] = positionals('tables', given, ['NS']);
    const session = await openSession(io, values.url);
    try {
      const state = session.namespaces.find((candidate) => candidate.ns === ns);
      if (state === undefined) {
        const known = session.namespaces.map((candidate) => candidate.ns).join(', ');
        throw new CliError(
          `no namespace ${JSON.stringify(ns)} in the agent's lab; namespaces: ${known || '(none)'}`,
        );
      }
      for (const line of formatTables(state)) io.print(line);
      return EXIT.ok;
    } finally {
      session.close();
    }
  },
};

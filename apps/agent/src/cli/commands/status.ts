import type { Lab } from '@netns-lab/model';
import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT } from '../io';
import { openSession, URL_HELP, URL_OPTION } from '../session';
import { renderTable } from '../text-table';

const count = (n: number, word: string, plural = `${word}s`): string =>
  `${n} ${n === 1 ? word : plural}`;

export function labSummary(lab: Lab | null): string {
  if (lab === null) return 'none applied';
  const kinds = (kind: string): number => lab.nodes.filter((node) => node.kind === kind).length;
  const parts = [
    count(kinds('namespace'), 'namespace'),
    count(kinds('bridge'), 'bridge'),
    count(kinds('external'), 'external LAN'),
    count(lab.links.length, 'link'),
  ];
  return `${lab.name === undefined ? '(unnamed)' : JSON.stringify(lab.name)}: ${parts.join(', ')}`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: "show a running agent's mode, its lab and its namespaces",
  help: `Usage: netns-lab status [--url URL]

Prints the running agent's version and mode (sandbox or host, rootless or not), a summary of
the lab it holds, each namespace with its numbers of links, addresses, routes and neighbours,
and the tools it found missing with how to install them.

${URL_HELP}`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('status', args, URL_OPTION);
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    positionals('status', given, []);
    const session = await openSession(io, values.url);
    try {
      const { hello } = session;
      const mode =
        hello.mode === 'sandbox' ? `sandbox${hello.rootless ? ' (rootless)' : ''}` : 'host';
      io.print(
        `agent       netns-lab ${hello.agentVersion} (protocol ${hello.protocol}) at ${session.address}`,
      );
      io.print(`mode        ${mode}`);
      io.print(`lab         ${labSummary(session.lab)}`);
      io.print('namespaces');
      const rows = session.namespaces.map((ns) => [
        ns.ns,
        String(ns.links.length),
        String(ns.addresses.length),
        String(ns.routes.length),
        String(ns.neighbours.length),
        ns.ipForward ? 'on' : 'off',
      ]);
      for (const line of renderTable(
        ['NAME', 'LINKS', 'ADDRESSES', 'ROUTES', 'NEIGHBOURS', 'FORWARDING'],
        rows,
      )) {
        io.print(line);
      }
      const missing = Object.entries(hello.tools).filter(([, tool]) => !tool.available);
      for (const [name, tool] of missing) {
        const needed = tool.needed === undefined ? '' : ` (needed for ${tool.needed})`;
        const install = tool.install === undefined ? '' : `; install: ${tool.install}`;
        io.print(`missing     ${name}${needed}${install}`);
      }
      return EXIT.ok;
    } finally {
      session.close();
    }
  },
};

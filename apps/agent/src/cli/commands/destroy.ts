import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT } from '../io';
import { openSession, URL_HELP, URL_OPTION } from '../session';
import { runChange } from './change';

export const destroyCommand: Command = {
  name: 'destroy',
  summary: 'tear down the lab a running agent holds',
  help: `Usage: netns-lab destroy [--url URL]

Asks the running agent to remove everything of the lab it built, printing each step. In host
mode this removes exactly what netns-lab created (tagged and journaled) and nothing else.
Destroying what is already gone succeeds. Exit status: 0 when done, 1 on failure.

${URL_HELP}`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('destroy', args, URL_OPTION);
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    positionals('destroy', given, []);
    const session = await openSession(io, values.url);
    try {
      return await runChange(session, { type: 'destroy' }, io);
    } finally {
      session.close();
    }
  },
};

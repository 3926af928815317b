import { MAX_MESSAGE_BYTES } from '@netns-lab/model';
import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { CliError, EXIT } from '../io';
import { loadValidLab } from '../lab-file';
import { openSession, URL_HELP, URL_OPTION } from '../session';
import { runChange } from './change';

export const applyCommand: Command = {
  name: 'apply',
  summary: 'build a lab file on a running agent, printing each step',
  help: `Usage: netns-lab apply LAB.json [--url URL]

Sends the lab to the running agent, which changes the kernel from the lab it holds to this one
(only the differences run), and prints each step as it runs, then a summary. On a failed step
the agent rolls back to the last good lab and this prints which command failed and why.
Exit status: 0 when applied, 1 when invalid or failed.

${URL_HELP}`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('apply', args, URL_OPTION);
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [file = ''] = positionals('apply', given, ['LAB.json']);
    const lab = await loadValidLab(file, io);
    const size = Buffer.byteLength(
      JSON.stringify({ type: 'apply', requestId: 'x'.repeat(40), lab }),
    );
    if (size > MAX_MESSAGE_BYTES) {
      throw new CliError(
        `${file} is too large to send: ${size} bytes, and the agent accepts at most ${MAX_MESSAGE_BYTES}`,
      );
    }
    const session = await openSession(io, values.url);
    try {
      return await runChange(session, { type: 'apply', lab }, io);
    } finally {
      session.close();
    }
  },
};

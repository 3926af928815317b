import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT } from '../io';
import { countIssues, formatIssue, validateLabFile } from '../lab-file';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a lab file: errors and hints, with codes and paths (no agent needed)',
  help: `Usage: netns-lab validate LAB.json

Checks a lab file the way the agent does before applying it, and prints every finding with
its code and its path in the file, e.g.

  error name-too-long at links[0].a.ifname: "veth-red-bridge-1" is 17 bytes; ...
  hint  hint-forward-off at nodes[3]: ...

Errors would stop an apply; hints only teach. Exit status: 0 without errors (hints allowed),
1 with errors or when the file cannot be read or is not JSON, 2 for a wrong command line.`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('validate', args, {});
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [file = ''] = positionals('validate', given, ['LAB.json']);
    const result = await validateLabFile(file);
    const verdict = result.ok ? 'valid' : 'not valid';
    io.print(`${file}: ${verdict} (${countIssues(result.issues)})`);
    for (const issue of result.issues) io.print(formatIssue(issue));
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};

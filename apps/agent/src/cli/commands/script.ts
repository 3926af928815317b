import { exportScript } from '@netns-lab/model';
import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT } from '../io';
import { loadValidLab } from '../lab-file';

export const scriptCommand: Command = {
  name: 'script',
  summary: 'print a lab as a standalone bash script (no agent needed)',
  help: `Usage: netns-lab script LAB.json > lab.sh

Prints a commented bash script that builds the lab with plain ip, sysctl and iptables
commands, for a terminal without netns-lab. An invalid lab prints its errors instead
(exit status 1).`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('script', args, {});
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [file = ''] = positionals('script', given, ['LAB.json']);
    const script = exportScript(await loadValidLab(file, io));
    io.write(script.endsWith('\n') ? script : `${script}\n`);
    return EXIT.ok;
  },
};

import { EMPTY_LAB, planLabs, stepLine } from '@netns-lab/model';
import { parseCommandArgs, positionals } from '../args';
import type { Command } from '../command';
import { EXIT } from '../io';
import { loadValidLab } from '../lab-file';

export const planCommand: Command = {
  name: 'plan',
  summary: 'print the commands that build a lab from nothing (no agent needed)',
  help: `Usage: netns-lab plan LAB.json

Prints, one per line, the commands the agent would run to build the lab on an empty machine
(the plan from the empty lab to this one), in the order it runs them. Nothing is run.
An invalid lab prints its errors instead (exit status 1).`,
  async run(args, io) {
    const { values, positionals: given } = parseCommandArgs('plan', args, {});
    if (values.help) {
      io.print(this.help);
      return EXIT.ok;
    }
    const [file = ''] = positionals('plan', given, ['LAB.json']);
    const lab = await loadValidLab(file, io);
    const steps = planLabs(EMPTY_LAB, lab);
    if (steps.length === 0) io.warn('nothing to do: the lab holds nothing but the host');
    for (const { step } of steps) io.print(stepLine(step));
    return EXIT.ok;
  },
};

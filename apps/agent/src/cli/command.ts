import type { Io } from './io';

/** One `netns-lab COMMAND`: its help and what it runs. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Returns the exit code. */
  run(args: string[], io: Io): Promise<number>;
}

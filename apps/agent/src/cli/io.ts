/** Where a command writes, and the errors that end it with a message and an exit code. */

export interface Io {
  /** One line of output (stdout). */
  print(line: string): void;
  /** One line of diagnostics (stderr). */
  warn(line: string): void;
  /** Raw text to stdout, as is. */
  write(text: string): void;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  print: (line) => void process.stdout.write(`${line}\n`),
  warn: (line) => void process.stderr.write(`${line}\n`),
  write: (text) => void process.stdout.write(text),
  env: process.env,
};

/** A failure the user can act on: printed as `netns-lab: MESSAGE`, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong: exit code 2, with a pointer to --help. */
export class UsageError extends CliError {
  constructor(message: string, command?: string) {
    super(`${message}\nSee: netns-lab ${command === undefined ? '' : `${command} `}--help`, 2);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

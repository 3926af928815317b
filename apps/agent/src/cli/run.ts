/** `netns-lab COMMAND ...`: finds the command, runs it, turns its errors into exit codes. */
import { AGENT_VERSION } from '../server/version';
import type { Command } from './command';
import { applyCommand } from './commands/apply';
import { destroyCommand } from './commands/destroy';
import { pingCommand } from './commands/ping';
import { planCommand } from './commands/plan';
import { scriptCommand } from './commands/script';
import { serveCommand } from './commands/serve';
import { statusCommand } from './commands/status';
import { tablesCommand } from './commands/tables';
import { validateCommand } from './commands/validate';
import { CliError, EXIT, processIo, UsageError, type Io } from './io';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  applyCommand,
  destroyCommand,
  statusCommand,
  tablesCommand,
  pingCommand,
  planCommand,
  scriptCommand,
  validateCommand,
];

function generalHelp(): string {
  const row = (command: Command, usage: string): string =>
    `  ${usage.padEnd(28)} ${command.summary}`;
  const group = (names: string[], usages: Record<string, string>): string[] =>
    COMMANDS.filter((c) => names.includes(c.name)).map((c) => row(c, usages[c.name] ?? c.name));
  return [
    'netns-lab: design Linux network-namespace labs and build them on the real kernel',
    '',
    'Usage: netns-lab [COMMAND] [OPTIONS]',
    '',
    'The agent:',
    ...group(['serve'], { serve: 'serve [--port N] [--host]' }),
    '',
    'Clients of a running agent:',
    ...group(['apply', 'destroy', 'status', 'tables', 'ping'], {
      apply: 'apply LAB.json',
      tables: 'tables NS',
      ping: 'ping NS ADDRESS [-c N]',
    }),
    '',
    'Without an agent:',
    ...group(['plan', 'script', 'validate'], {
      plan: 'plan LAB.json',
      script: 'script LAB.json',
      validate: 'validate LAB.json',
    }),
    '',
    "Run `netns-lab COMMAND --help` for a command's options; `netns-lab --version`.",
  ].join('\n');
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  return command;
}

export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === '--version' || first === '-V') {
      io.print(AGENT_VERSION);
      return EXIT.ok;
    }
    if (first === '--help' || first === '-h') {
      io.print(generalHelp());
      return EXIT.ok;
    }
    if (first === 'help') {
      const [name] = rest;
      io.print(name === undefined ? generalHelp() : findCommand(name).help);
      return EXIT.ok;
    }
    if (first === undefined || first.startsWith('-')) return await serveCommand.run([...argv], io);
    return await findCommand(first).run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.warn(`netns-lab: ${error.message}`);
      return error.exitCode;
    }
    const detail =
      io.env.NETNS_LAB_DEBUG !== undefined && error instanceof Error ? error.stack : String(error);
    io.warn(`netns-lab: unexpected error: ${detail}`);
    return EXIT.failed;
  }
}

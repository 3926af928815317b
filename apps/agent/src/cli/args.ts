/** util.parseArgs with errors a person can read, and checks for numeric options. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly (unknown options are errors). `--help` and `-h` are
 * always accepted.
 */
export function parseCommandArgs<const O extends Options>(
  command: string,
  args: string[],
  options: O,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & {
        help: { type: 'boolean'; short: 'h' };
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
}

/** An integer option within [min, max]. */
export function integerOption(
  command: string,
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(
      `--${name} takes a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`,
      command,
    );
  }
  return Number(value);
}

/** Exactly `names.length` positionals, named for the message. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length < names.length) {
    throw new UsageError(`missing ${names.slice(given.length).join(' and ')}`, command);
  }
  if (given.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(given[names.length])}`, command);
  }
  return given;
}

/** Reading a lab file: where a read, JSON or lab error is, in words and with a location. */
import { readFile } from 'node:fs/promises';
import { validateLab, type Lab, type LabIssue, type ValidationResult } from '@netns-lab/model';
import { CliError, type Io } from './io';
import { jsonErrorOffset, lineColumn, shortJsonMessage } from './json-location';

const describe = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The file's JSON, or a CliError that says which file, where and why. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EACCES'
            ? 'permission denied'
            : describe(error);
    throw new CliError(`cannot read ${file}: ${why}`);
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const where =
      offset < 0
        ? file
        : `${file}:${lineColumn(text, offset).line}:${lineColumn(text, offset).column}`;
    throw new CliError(`${where}: not valid JSON: ${shortJsonMessage(describe(error))}`);
  }
}

export function formatIssue(issue: LabIssue): string {
  const where = issue.path === '' ? '(the lab)' : issue.path;
  return `  ${issue.severity === 'error' ? 'error' : 'hint '} ${issue.code} at ${where}: ${issue.message}`;
}

export function countIssues(issues: readonly LabIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const hints = issues.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(hints, 'hint')}`;
}

export async function validateLabFile(file: string): Promise<ValidationResult> {
  return validateLab(await readJsonFile(file));
}

/**
 * A lab that passed validation, for the commands that use one (plan, script, apply). Errors end
 * the command with every finding listed; hints go to stderr and do not stop it.
 */
export async function loadValidLab(file: string, io: Io): Promise<Lab> {
  const result = await validateLabFile(file);
  if (!result.ok || result.lab === null) {
    const lines = result.issues.filter((i) => i.severity === 'error').map(formatIssue);
    throw new CliError(
      `${file} is not a valid lab (${countIssues(result.issues)}):\n${lines.join('\n')}`,
    );
  }
  for (const issue of result.issues) io.warn(formatIssue(issue));
  return result.lab;
}

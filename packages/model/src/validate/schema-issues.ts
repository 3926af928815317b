/**
 * The document's shape: zod's findings as lab issues, each naming the field and what was
 * expected there.
 */
import type { z } from 'zod';
import { formatPath } from '../protocol/messages';
import type { Findings, Where } from './findings';

/** The value at a zod path in the input, to say what was found there. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
};

const quoteAll = (values: readonly unknown[]): string =>
  values.map((v) => JSON.stringify(v)).join(' or ');

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const found = describeValue(valueAt(input, issue.path));
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return found === 'nothing'
        ? `is missing; it should be ${expected}`
        : `should be ${expected}, not ${found}`;
    }
    case 'invalid_value':
      return `should be ${quoteAll(issue.values)}, not ${found}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown }).options;
      if (Array.isArray(options)) return `should be ${quoteAll(options)}, not ${found}`;
      return `has an unexpected value (${found})`;
    }
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'a field' : 'fields'} the lab format does not know: ${quoteAll(issue.keys)}; remove ${issue.keys.length === 1 ? 'it' : 'them'}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `is too long: at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `has too many entries: at most ${issue.maximum}`
          : `is too large: at most ${issue.maximum}, not ${found}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `is too short: at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`
        : issue.origin === 'array'
          ? `has too few entries: at least ${issue.minimum}`
          : `is too small: at least ${issue.minimum}, not ${found}`;
    case 'invalid_format':
      return `${issue.message} (found ${found})`;
    default:
      return issue.message;
  }
}

/** The node or link a path points into, when the input names it with an id. */
function whereOf(path: readonly PropertyKey[], input: unknown): Where {
  const where: Where = { path: formatPath(path) };
  const [list, index] = path;
  if ((list !== 'nodes' && list !== 'links') || typeof index !== 'number') return where;
  const id = valueAt(input, [list, index, 'id']);
  if (typeof id !== 'string') return where;
  if (list === 'nodes') where.nodeId = id;
  else where.linkId = id;
  return where;
}

export function reportSchemaIssues(error: z.ZodError, input: unknown, out: Findings): void {
  for (const issue of error.issues) {
    const where = whereOf(issue.path, input);
    out.add(
      'schema',
      where,
      `${where.path === '' ? 'The lab' : where.path} ${describeIssue(issue, input)}`,
    );
  }
}

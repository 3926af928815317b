/**
 * Collecting findings: where in the lab a finding points, and a deterministic order for them.
 */
import { ISSUE_CODES, type IssueCode, type LabIssue } from './issue';

/** A place in the lab document and the canvas element it belongs to. */
export interface Where {
  path: string;
  nodeId?: string;
  linkId?: string;
}

export function nodeWhere(index: number, id: string): Where {
  return { path: `nodes[${index}]`, nodeId: id };
}

export function linkWhere(index: number, id: string): Where {
  return { path: `links[${index}]`, linkId: id };
}

/** A place below `where`: `at(w, 'routes', 2, 'via')` is `nodes[1].routes[2].via`. */
export function at(where: Where, ...keys: (string | number)[]): Where {
  let path = where.path;
  for (const key of keys) path += typeof key === 'number' ? `[${key}]` : `.${key}`;
  const out: Where = { path };
  if (where.nodeId !== undefined) out.nodeId = where.nodeId;
  if (where.linkId !== undefined) out.linkId = where.linkId;
  return out;
}

export class Findings {
  readonly issues: LabIssue[] = [];

  add(code: IssueCode, where: Where, message: string): void {
    const issue: LabIssue = {
      severity: ISSUE_CODES[code].severity,
      code,
      path: where.path,
      message,
    };
    if (where.nodeId !== undefined) issue.nodeId = where.nodeId;
    if (where.linkId !== undefined) issue.linkId = where.linkId;
    this.issues.push(issue);
  }
}

/** A path whose indexes are zero-padded, so that plain string order puts nodes[2] before nodes[10]. */
function sortKey(path: string): string {
  return path.replace(/\d+/g, (digits) => digits.padStart(10, '0'));
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Path, then code, then message: the same lab always lists its findings in the same order. */
export function sortIssues(issues: LabIssue[]): LabIssue[] {
  return issues
    .map((issue) => ({ issue, key: sortKey(issue.path) }))
    .sort(
      (x, y) =>
        compareText(x.key, y.key) ||
        compareText(x.issue.code, y.issue.code) ||
        compareText(x.issue.message, y.issue.message),
    )
    .map(({ issue }) => issue);
}

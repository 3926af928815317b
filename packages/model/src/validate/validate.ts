/**
 * validateLab: the first stage of the pipeline (validate -> diff -> plan -> argv). Pure and
 * deterministic: the same document always gives the same findings in the same order.
 */
import { LabSchema, type Lab } from '../lab/schema';
import { checkAddresses } from './addresses';
import { buildContext } from './context';
import { Findings, sortIssues } from './findings';
import { checkHints } from './hints';
import type { ValidationResult } from './issue';
import { checkLinks } from './links';
import { checkNames } from './names';
import { checkRouting, routingViews } from './routes';
import { reportSchemaIssues } from './schema-issues';
import { checkStructure } from './structure';

export function validateLab(input: unknown): ValidationResult {
  const out = new Findings();
  const parsed = LabSchema.safeParse(input);
  if (!parsed.success) {
    reportSchemaIssues(parsed.error, input, out);
    return { lab: null, issues: sortIssues(out.issues), ok: false };
  }
  return checkLab(parsed.data);
}

/**
 * validateLab for a lab that has already passed LabSchema (e.g. inside a protocol message the
 * agent parsed on arrival): the lab's own rules without parsing it a second time.
 */
export function checkLab(lab: Lab): ValidationResult {
  const out = new Findings();
  const ctx = buildContext(lab);
  const views = routingViews(ctx);
  checkStructure(ctx, out);
  checkNames(ctx, out);
  checkAddresses(ctx, out);
  checkLinks(ctx, out);
  checkRouting(ctx, views, out);
  checkHints(ctx, views, out);
  const issues = sortIssues(out.issues);
  return { lab, issues, ok: !issues.some((issue) => issue.severity === 'error') };
}

/**
 * One item of an inspector's list (a route, a MASQUERADE rule, a LAN PC): a numbered group
 * with what validation says about the item as a whole, its fields, and a button removing it.
 */
import type { LabIssue } from '@netns-lab/model';
import type { ReactNode } from 'react';

export function ListItem({
  className,
  legend,
  path,
  issues,
  removeLabel,
  onRemove,
  children,
}: {
  className: string;
  legend: string;
  /** The item's own path (nodes[2].routes[0]): issues there are shown above its fields. */
  path: string;
  issues: readonly LabIssue[];
  removeLabel: string;
  onRemove(): void;
  children: ReactNode;
}) {
  return (
    <fieldset className={className}>
      <legend>{legend}</legend>
      {issues
        .filter((i) => i.path === path)
        .map((issue, j) => (
          <p key={j} className={`field-issue is-${issue.severity}`}>
            {issue.message}
          </p>
        ))}
      {children}
      <button type="button" className="small-button danger" onClick={onRemove}>
        {removeLabel}
      </button>
    </fieldset>
  );
}

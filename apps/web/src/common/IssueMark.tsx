/**
 * A mark for errors and hints on a node, a cable or a field, with the rule's explanation on
 * hover and focus (and as its accessible name). The explanation is drawn over everything, at
 * screen size, whatever the canvas zoom.
 */
import { ISSUE_CODES, type LabIssue } from '@netns-lab/model';
import { useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

export function issueSummary(issues: readonly LabIssue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const hints = issues.length - errors;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (hints) parts.push(`${hints} hint${hints === 1 ? '' : 's'}`);
  return parts.join(', ');
}

const TOOLTIP_WIDTH = 300;
const MARGIN = 8;

function Tooltip({
  anchor,
  issues,
  extra,
}: {
  anchor: HTMLElement;
  issues: readonly LabIssue[];
  extra: string | null | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const a = anchor.getBoundingClientRect();
    const height = box.current?.offsetHeight ?? 0;
    const left = Math.min(
      Math.max(MARGIN, a.left + a.width / 2 - TOOLTIP_WIDTH / 2),
      window.innerWidth - TOOLTIP_WIDTH - MARGIN,
    );
    const below = a.bottom + 6;
    const top = below + height > window.innerHeight - MARGIN ? a.top - 6 - height : below;
    setPosition({ left, top: Math.max(MARGIN, top) });
  }, [anchor]);
  return createPortal(
    <div
      ref={box}
      className="issue-tooltip"
      aria-hidden="true"
      style={{
        width: TOOLTIP_WIDTH,
        left: position?.left ?? -9999,
        top: position?.top ?? -9999,
      }}
    >
      {extra ? (
        <span className="issue-entry is-error">
          <strong>Apply failed here</strong>
          <span>{extra}</span>
        </span>
      ) : null}
      {issues.map((issue, k) => (
        <span key={k} className={`issue-entry is-${issue.severity}`}>
          <strong>{ISSUE_CODES[issue.code].rule}</strong>
          <span>{issue.message}</span>
        </span>
      ))}
    </div>,
    document.body,
  );
}

export function IssueMark({
  issues,
  extra,
}: {
  issues: readonly LabIssue[];
  /** More to say, e.g. the kernel's message when the last apply failed here. */
  extra?: string | null;
}) {
  const mark = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  if (issues.length === 0 && !extra) return null;
  const hasError = issues.some((i) => i.severity === 'error') || !!extra;
  const count = issues.length + (extra ? 1 : 0);
  const label = [
    extra ? `Apply failed here: ${extra}` : null,
    issueSummary(issues),
    ...issues.map((i) => i.message),
  ]
    .filter(Boolean)
    .join('. ');
  return (
    <span
      ref={mark}
      className={`issue-mark ${hasError ? 'is-error' : 'is-hint'}`}
      role="img"
      aria-label={label}
      tabIndex={0}
      onMouseEnter={() => setOpen(true)}
      onMouseLeave={() => setOpen(false)}
      onFocus={() => setOpen(true)}
      onBlur={() => setOpen(false)}
    >
      <span aria-hidden="true">{hasError ? '!' : 'i'}</span>
      {count > 1 ? (
        <span aria-hidden="true" className="issue-count">
          {count}
        </span>
      ) : null}
      {open && mark.current ? (
        <Tooltip anchor={mark.current} issues={issues} extra={extra} />
      ) : null}
    </span>
  );
}

/**
 * A list of plan steps that stays cheap when the plan is big. Up to BIG_PLAN steps it shows
 * them all, as it always did; beyond (a class's lab of 1000 namespaces has 6000 commands), it
 * shows a window of WINDOW_SIZE steps around `anchor` (the running or the failed step), says
 * which part it shows and what it leaves out, and has a button that shows every command: a
 * student can always read each command Apply runs (the exported script has them all too).
 */
import { useId, useState, type ReactNode } from 'react';

/** Plans longer than this show a window of their steps until "Show all" is pressed. */
export const BIG_PLAN = 300;
/** How many steps a window shows. */
export const WINDOW_SIZE = 50;
/** How many of them come before the anchor (what just ran, for context; the panel is short). */
export const WINDOW_BEFORE = 3;

/** The steps [from, to) a window around position `anchor` shows, for a list of `total`. */
export function stepWindow(total: number, anchor: number): { from: number; to: number } {
  const from = Math.max(0, Math.min(anchor - WINDOW_BEFORE, total - WINDOW_SIZE));
  return { from, to: Math.min(total, from + WINDOW_SIZE) };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export interface StepListProps {
  /** The list's accessible name ("Commands", "Apply steps"). */
  label: string;
  total: number;
  /** The position a window centres on (ignored for a short list). */
  anchor: number;
  /** What a big list says before "Showing ..." (e.g. counts of done and failed steps). */
  summary?: string;
  className?: string;
  rowClass?: (position: number) => string;
  /** The content of the row at `position` (only rows in the window are asked for). */
  row: (position: number) => ReactNode;
}

export function StepList({
  label,
  total,
  anchor,
  summary,
  className = 'plan-steps',
  rowClass,
  row,
}: StepListProps) {
  const [showAll, setShowAll] = useState(false);
  const listId = useId();
  const big = total > BIG_PLAN;
  const { from, to } = big && !showAll ? stepWindow(total, anchor) : { from: 0, to: total };
  const rows: ReactNode[] = [];
  for (let i = from; i < to; i++)
    rows.push(
      <li
        key={i}
        className={rowClass?.(i)}
        // A screen reader says "step 4201 of 6002", not "1 of 50", in a window.
        aria-posinset={big ? i + 1 : undefined}
        aria-setsize={big ? total : undefined}
      >
        {row(i)}
      </li>,
    );
  const list = (
    <ol
      id={listId}
      className={`${className}${total >= 1000 ? ' is-long' : ''}${big && showAll ? ' is-all' : ''}`}
      aria-label={label}
      start={from + 1}
    >
      {rows}
    </ol>
  );
  if (!big) return list;
  return (
    <>
      <p className="plan-window small">
        {summary ? `${summary}${/[.…]$/.test(summary) ? '' : '.'} ` : ''}
        {showAll
          ? `Showing all ${plural(total, 'command')}.`
          : `Showing ${from + 1}–${to} of ${total}.`}{' '}
        <button
          type="button"
          className="link-button small"
          aria-controls={listId}
          onClick={() => setShowAll(!showAll)}
        >
          {showAll ? `Show only ${WINDOW_SIZE}` : `Show all ${plural(total, 'command')}`}
        </button>
      </p>
      {from > 0 ? <p className="plan-gap small">… {plural(from, 'earlier command')}</p> : null}
      {list}
      {to < total ? <p className="plan-gap small">… {plural(total - to, 'more command')}</p> : null}
    </>
  );
}

/**
 * Labelled inputs for the inspector. Each shows the model's findings for its path in the lab
 * (issue.path) right under it, and marks itself invalid for assistive technology.
 */
import { ISSUE_CODES, type LabIssue } from '@netns-lab/model';
import { useEffect, useId, useState, type ReactNode } from 'react';

export function issuesAt(issues: readonly LabIssue[], path: string): LabIssue[] {
  return issues.filter((i) => i.path === path);
}

function FieldIssues({ id, issues }: { id: string; issues: readonly LabIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <div id={id} className="field-issues">
      {issues.map((issue, k) => (
        <p
          key={k}
          className={`field-issue is-${issue.severity}`}
          title={ISSUE_CODES[issue.code].rule}
        >
          <span className="field-issue-kind">{issue.severity === 'error' ? 'Error' : 'Hint'}:</span>{' '}
          {issue.message}
        </p>
      ))}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** The field's path in the lab, to show the findings about it. */
  path?: string;
  issues?: readonly LabIssue[];
  placeholder?: string;
  mono?: boolean;
  onBlur?: () => void;
  /** Hide the visible label (the accessible name stays). */
  hideLabel?: boolean;
  after?: ReactNode;
  autoFocus?: boolean;
}

export function TextField(props: TextFieldProps) {
  const id = useId();
  const own = props.path === undefined ? [] : issuesAt(props.issues ?? [], props.path);
  const hasError = own.some((i) => i.severity === 'error');
  return (
    <div className={`field ${hasError ? 'has-error' : own.length ? 'has-hint' : ''}`}>
      <label htmlFor={id} className={props.hideLabel ? 'visually-hidden' : 'field-label'}>
        {props.label}
      </label>
      <div className="field-row">
        <input
          id={id}
          type="text"
          className={props.mono === false ? '' : 'mono'}
          value={props.value}
          placeholder={props.placeholder}
          spellCheck={false}
          autoComplete="off"
          autoFocus={props.autoFocus}
          aria-invalid={hasError || undefined}
          aria-describedby={own.length ? `${id}-issues` : undefined}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
        />
        {props.after}
      </div>
      <FieldIssues id={`${id}-issues`} issues={own} />
    </div>
  );
}

interface NumberFieldProps {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  min: number;
  max: number;
  path?: string;
  issues?: readonly LabIssue[];
  placeholder?: string;
  onBlur?: () => void;
}

/**
 * A whole number, or empty for "not set". What is typed stays on screen while it is not a
 * number in range; only numbers in range reach the lab.
 */
export function NumberField(props: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(props.value === undefined ? '' : String(props.value));
  const [focused, setFocused] = useState(false);
  useEffect(() => {
    if (!focused) setDraft(props.value === undefined ? '' : String(props.value));
  }, [props.value, focused]);
  const trimmed = draft.trim();
  const n = Number(trimmed);
  const valid = trimmed === '' || (/^\d+$/.test(trimmed) && n >= props.min && n <= props.max);
  const own = props.path === undefined ? [] : issuesAt(props.issues ?? [], props.path);
  const local: LabIssue[] = valid
    ? []
    : [
        {
          severity: 'error',
          code: 'schema',
          path: props.path ?? '',
          message: `${props.label} is a whole number from ${props.min} to ${props.max}, or empty`,
        },
      ];
  const shown = [...local, ...own];
  const hasError = shown.some((i) => i.severity === 'error');
  return (
    <div className={`field ${hasError ? 'has-error' : ''}`}>
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        className="mono"
        value={draft}
        placeholder={props.placeholder}
        aria-invalid={hasError || undefined}
        aria-describedby={shown.length ? `${id}-issues` : undefined}
        onFocus={() => setFocused(true)}
        onBlur={() => {
          setFocused(false);
          props.onBlur?.();
        }}
        onChange={(e) => {
          const text = e.target.value;
          setDraft(text);
          const t = text.trim();
          if (t === '') props.onChange(undefined);
          else if (/^\d+$/.test(t) && Number(t) >= props.min && Number(t) <= props.max)
            props.onChange(Number(t));
        }}
      />
      <FieldIssues id={`${id}-issues`} issues={shown} />
    </div>
  );
}

export function CheckboxField(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  path?: string;
  issues?: readonly LabIssue[];
  description?: string;
}) {
  const id = useId();
  const own = props.path === undefined ? [] : issuesAt(props.issues ?? [], props.path);
  return (
    <div className="field field-check">
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          aria-describedby={own.length ? `${id}-issues` : undefined}
          onChange={(e) => props.onChange(e.target.checked)}
        />{' '}
        {props.label}
      </label>
      {props.description ? <p className="field-description">{props.description}</p> : null}
      <FieldIssues id={`${id}-issues`} issues={own} />
    </div>
  );
}

export function SelectField(props: {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  path?: string;
  issues?: readonly LabIssue[];
  hideLabel?: boolean;
}) {
  const id = useId();
  const own = props.path === undefined ? [] : issuesAt(props.issues ?? [], props.path);
  const hasError = own.some((i) => i.severity === 'error');
  return (
    <div className={`field ${hasError ? 'has-error' : ''}`}>
      <label htmlFor={id} className={props.hideLabel ? 'visually-hidden' : 'field-label'}>
        {props.label}
      </label>
      <select
        id={id}
        value={props.value}
        aria-invalid={hasError || undefined}
        aria-describedby={own.length ? `${id}-issues` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldIssues id={`${id}-issues`} issues={own} />
    </div>
  );
}

/** Findings that have no field of their own, listed with their rule. */
export function IssueList({ issues, title }: { issues: readonly LabIssue[]; title: string }) {
  if (issues.length === 0) return null;
  return (
    <div className="issue-list" role="group" aria-label={title}>
      <h3>{title}</h3>
      <ul>
        {issues.map((issue, k) => (
          <li key={k} className={`is-${issue.severity}`}>
            <span className="field-issue-kind">
              {issue.severity === 'error' ? 'Error' : 'Hint'}:
            </span>{' '}
            {issue.message}
            <span className="issue-rule">{ISSUE_CODES[issue.code].rule}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Why a file could not be opened, as a dialog. */
import { useEffect, useRef } from 'react';
import { appStore, useApp } from '../store/store';

export function FileProblem() {
  const problem = useApp((s) => s.fileProblem);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (problem) close.current?.focus();
  }, [problem]);
  if (!problem) return null;
  const dismiss = (): void => appStore.getState().setFileProblem(null);
  return (
    <div className="dialog-backdrop" onClick={dismiss}>
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="file-problem-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          if (e.key === 'Escape') dismiss();
        }}
      >
        <h2 id="file-problem-title">{problem.title}</h2>
        <p>The lab on the canvas was kept. What is wrong with the file:</p>
        <ul className="dialog-list">
          {problem.messages.map((m, k) => (
            <li key={k} className="mono small">
              {m}
            </li>
          ))}
        </ul>
        <button ref={close} type="button" className="primary-button" onClick={dismiss}>
          Close
        </button>
      </div>
    </div>
  );
}

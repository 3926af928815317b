/**
 * The top bar: the start menu of built-in labs, New, Open, Save, Export script, undo and redo,
 * and a tidy-up of the layout.
 */
import { EMPTY_LAB, EXAMPLE_LABS, exampleLab } from '@netns-lab/model';
import { useEffect, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { download, labFileName, labJson, labScript, readLabFile } from '../lab/files';
import { appStore, useApp } from '../store/store';

function LabsMenu() {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent): void => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current)
        setOpen(false);
    };
    const escape = (event: globalThis.KeyboardEvent): void => {
      if (event.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', escape);
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = (at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
    items[next]?.focus();
  };
  return (
    <div className="menu-wrap">
      <button
        ref={button}
        type="button"
        className="toolbar-button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        Built-in labs ▾
      </button>
      {open ? (
        <div
          ref={menu}
          className="menu"
          role="menu"
          aria-label="Built-in labs"
          onKeyDown={onKeyDown}
        >
          {EXAMPLE_LABS.map((example) => (
            <button
              key={example.id}
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={() => {
                appStore.getState().openLab(exampleLab(example.id));
                setOpen(false);
              }}
            >
              <span className="menu-item-title">{example.title}</span>
              <span className="menu-item-text">{example.description}</span>
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function Toolbar() {
  const canUndo = useApp((s) => s.past.length > 0);
  const canRedo = useApp((s) => s.future.length > 0);
  const labName = useApp((s) => s.lab.name);
  const file = useRef<HTMLInputElement>(null);

  const onFile = async (event: ChangeEvent<HTMLInputElement>): Promise<void> => {
    const chosen = event.target.files?.[0];
    event.target.value = '';
    if (!chosen) return;
    const result = readLabFile(await chosen.text());
    if (result.ok) {
      appStore.getState().openLab(result.lab);
      appStore.getState().setFileProblem(null);
    } else
      appStore
        .getState()
        .setFileProblem({ title: `${chosen.name} is not a lab file`, messages: result.messages });
  };

  return (
    <header className="toolbar" role="banner">
      <div className="brand">
        <svg width="22" height="22" viewBox="0 0 32 32" aria-hidden="true">
          <rect x="3" y="3" width="11" height="11" rx="3" fill="#dc2626" />
          <rect x="18" y="18" width="11" height="11" rx="3" fill="#2563eb" />
          <path d="M14 9h6v9" stroke="#334155" strokeWidth="2.5" fill="none" />
        </svg>
        <span className="brand-name">netns-lab</span>
        {labName ? (
          <span className="lab-name" title={labName}>
            {labName}
          </span>
        ) : null}
      </div>
      <nav className="toolbar-actions" aria-label="Lab">
        <LabsMenu />
        <button
          type="button"
          className="toolbar-button"
          onClick={() => appStore.getState().openLab(EMPTY_LAB)}
        >
          New
        </button>
        <button type="button" className="toolbar-button" onClick={() => file.current?.click()}>
          Open
        </button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          className="visually-hidden"
          aria-label="Open lab file"
          tabIndex={-1}
          onChange={(e) => void onFile(e)}
        />
        <button
          type="button"
          className="toolbar-button"
          onClick={() => {
            const lab = appStore.getState().lab;
            download(labFileName(lab), labJson(lab), 'application/json');
          }}
        >
          Save
        </button>
        <button
          type="button"
          className="toolbar-button"
          onClick={() =>
            download('lab.sh', labScript(appStore.getState().lab), 'text/x-shellscript')
          }
        >
          Export script
        </button>
        <span className="toolbar-sep" aria-hidden="true" />
        <button
          type="button"
          className="toolbar-button"
          disabled={!canUndo}
          aria-keyshortcuts="Control+Z"
          onClick={() => appStore.getState().undo()}
        >
          Undo
        </button>
        <button
          type="button"
          className="toolbar-button"
          disabled={!canRedo}
          aria-keyshortcuts="Control+Shift+Z"
          onClick={() => appStore.getState().redo()}
        >
          Redo
        </button>
        <button
          type="button"
          className="toolbar-button"
          onClick={() => appStore.getState().tidyLayout()}
        >
          Tidy layout
        </button>
      </nav>
    </header>
  );
}

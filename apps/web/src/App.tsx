/** The page: toolbar; palette and tools | canvas and live tables | inspector and plan; status. */
import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { Canvas } from './canvas/Canvas';
import { Palette } from './canvas/Palette';
import { FileProblem } from './common/FileProblem';
import { Inspector } from './inspector/Inspector';
import { TablesDock } from './live/TablesDock';
import { PlanPanel } from './plan/PlanPanel';
import { StatusBar } from './status/StatusBar';
import { appStore } from './store/store';
import { Toolbar } from './toolbar/Toolbar';
import { PingTool } from './tools/PingTool';
import { WhichWay } from './tools/WhichWay';

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT'
  );
}

/** Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) undo and redo lab edits, except while typing in a field. */
function useUndoKeys(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || isTyping(event.target)) return;
      const key = event.key.toLowerCase();
      if (key === 'z' && !event.shiftKey) appStore.getState().undo();
      else if ((key === 'z' && event.shiftKey) || key === 'y') appStore.getState().redo();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function App() {
  useUndoKeys();
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar />
        <aside className="left-column" aria-label="Palette and tools">
          <Palette />
          <PingTool />
          <WhichWay />
        </aside>
        <main className="centre-column" aria-label="Lab">
          <Canvas />
          <TablesDock />
        </main>
        <aside className="right-column" aria-label="Inspector and plan">
          <Inspector />
          <PlanPanel />
        </aside>
        <StatusBar />
      </div>
      <FileProblem />
    </ReactFlowProvider>
  );
}

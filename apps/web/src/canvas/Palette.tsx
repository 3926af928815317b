/**
 * What can be added: drag an item onto the canvas, or press it (keyboard) to add one in the
 * middle of the view. The host is always there.
 */
import { useReactFlow } from '@xyflow/react';
import type { DragEvent } from 'react';
import type { AddableKind } from '../lab/edit';
import { appStore } from '../store/store';
import { KindIcon } from './nodes/KindIcon';

export const DRAG_TYPE = 'application/x-netns-lab-kind';

const ITEMS: { kind: AddableKind; label: string; hint: string }[] = [
  { kind: 'namespace', label: 'Namespace', hint: 'a room of its own: ip netns add' },
  { kind: 'bridge', label: 'Bridge', hint: 'a virtual switch: ip link add type bridge' },
  { kind: 'external', label: 'External network', hint: 'a LAN with hosts, reached by cable' },
];

/** Where a new node goes when added by button: the middle of the visible canvas. */
export function useCanvasCentre(): () => { x: number; y: number } {
  const flow = useReactFlow();
  return () => {
    const pane = document.querySelector('.canvas-area');
    const rect = pane?.getBoundingClientRect();
    const screen = rect
      ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }
      : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
    const p = flow.screenToFlowPosition(screen);
    return { x: Math.round(p.x - 100), y: Math.round(p.y - 40) };
  };
}

export function Palette() {
  const centre = useCanvasCentre();
  const onDragStart = (event: DragEvent, kind: AddableKind): void => {
    event.dataTransfer.setData(DRAG_TYPE, kind);
    event.dataTransfer.setData('text/plain', kind);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <section className="palette panel" aria-label="Palette">
      <h2 className="panel-title">Add to the lab</h2>
      <p className="panel-note" id="palette-note">
        Drag onto the canvas, or press to add.
      </p>
      <div className="palette-items">
        {ITEMS.map((item) => (
          <button
            key={item.kind}
            type="button"
            className={`palette-item kind-${item.kind}`}
            draggable
            aria-label={item.label}
            aria-describedby="palette-note"
            title={item.hint}
            onDragStart={(e) => onDragStart(e, item.kind)}
            onClick={() => appStore.getState().addNode(item.kind, centre())}
          >
            <KindIcon kind={item.kind} />
            <span className="palette-label">{item.label}</span>
          </button>
        ))}
      </div>
    </section>
  );
}

/** What an empty canvas says: how to start, and the built-in labs one press away. */
import { EXAMPLE_LABS, exampleLab } from '@netns-lab/model';
import { appStore } from '../store/store';

export function EmptyCanvas() {
  return (
    <div className="empty-canvas">
      <div className="empty-card">
        <h2>Draw a lab</h2>
        <p>
          Drag a <strong>Namespace</strong> or a <strong>Bridge</strong> from the palette, then drag
          from the dot under one node to another to join them with a veth pair. Or start from one of
          the seed&apos;s labs:
        </p>
        <ul className="empty-labs">
          {EXAMPLE_LABS.map((example) => (
            <li key={example.id}>
              <button
                type="button"
                className="link-button"
                onClick={() => appStore.getState().openLab(exampleLab(example.id))}
              >
                {example.title}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

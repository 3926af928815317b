/**
 * Ping: from a namespace to an address (typed, picked from the lab, or the selected node's);
 * each reply or loss as it arrives, then the summary. The path is marked on the canvas.
 */
import { agentClient } from '../agent/client';
import { SelectField } from '../common/fields';
import { addressOptions, namespaceOptions } from '../lab/namespaces';
import { appStore, useApp } from '../store/store';
import { useId } from 'react';

export function pingSummaryText(s: {
  transmitted: number;
  received: number;
  lossPercent: number;
}): string {
  return `${s.transmitted} transmitted, ${s.received} received, ${s.lossPercent}% loss`;
}

export function PingTool() {
  const lab = useApp((s) => s.lab);
  const ping = useApp((s) => s.ping);
  const selection = useApp((s) => s.selection);
  const connected = useApp((s) => s.connection.status === 'connected');
  const targetId = useId();
  const countId = useId();
  const namespaces = namespaceOptions(lab);
  const addresses = addressOptions(lab);
  const ns = namespaces.some((o) => o.ns === ping.ns) ? ping.ns : (namespaces[1]?.ns ?? 'host');
  const selectedNode = selection.nodes.length === 1 ? selection.nodes[0] : undefined;
  const selectedAddress = addresses.find((a) => a.nodeId === selectedNode && a.nodeId !== ns);
  const target = ping.target.trim();
  const state = appStore.getState;

  const start = (): void => {
    state().setPingForm({ ns });
    agentClient()?.ping(ns, target, ping.count);
  };

  return (
    <section className="tool panel" aria-label="Ping">
      <h2 className="panel-title">Ping</h2>
      <SelectField
        label="Source namespace"
        value={ns}
        options={namespaces.map((o) => ({ value: o.ns, label: o.label }))}
        onChange={(value) => state().setPingForm({ ns: value })}
      />
      <div className="field">
        <label htmlFor={targetId} className="field-label">
          Target
        </label>
        <input
          id={targetId}
          className="mono"
          value={ping.target}
          placeholder="192.168.15.2"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => state().setPingForm({ target: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && connected && target && !ping.running) start();
          }}
        />
      </div>
      <SelectField
        label="Pick an address"
        value=""
        options={[
          { value: '', label: addresses.length ? 'Pick a node’s address…' : 'No addresses yet' },
          ...addresses.map((a) => ({ value: a.address, label: a.label })),
        ]}
        onChange={(value) => value && state().setPingForm({ target: value })}
      />
      {selectedAddress ? (
        <button
          type="button"
          className="link-button small"
          onClick={() => state().setPingForm({ target: selectedAddress.address })}
        >
          Use the selected node ({selectedAddress.address})
        </button>
      ) : null}
      <div className="tool-row">
        <div className="field count-field">
          <label htmlFor={countId} className="field-label">
            Count
          </label>
          <input
            id={countId}
            type="number"
            min={1}
            max={100}
            value={ping.count}
            onChange={(e) => {
              const n = Math.round(Number(e.target.value));
              if (Number.isFinite(n)) state().setPingForm({ count: Math.max(1, Math.min(100, n)) });
            }}
          />
        </div>
        <button
          type="button"
          className="primary-button"
          disabled={!connected || target === '' || ping.running}
          onClick={start}
        >
          Ping
        </button>
        <button
          type="button"
          className="small-button"
          disabled={!ping.running}
          onClick={() => ping.requestId && agentClient()?.cancel(ping.requestId)}
        >
          Cancel
        </button>
      </div>
      {!connected ? <p className="muted small">Ping needs the agent.</p> : null}
      {ping.ran ? (
        <div className="ping-output">
          <p className="small muted">
            ping {ping.ran.target} from {ping.ran.ns}
          </p>
          <ol className="ping-log" role="log" aria-label="Ping replies">
            {ping.events.map((e, i) =>
              e.kind === 'reply' ? (
                <li key={i} className="is-reply">
                  seq {e.seq}: {e.timeMs.toFixed(2)} ms, ttl {e.ttl}
                  {e.from !== ping.ran?.target ? ` from ${e.from}` : ''}
                </li>
              ) : (
                <li key={i} className="is-loss">
                  seq {e.seq}: lost{e.message ? ` (${e.message})` : ''}
                </li>
              ),
            )}
            {ping.running ? <li className="is-waiting">waiting…</li> : null}
          </ol>
          {ping.summary ? (
            <p
              className={`ping-summary ${ping.summary.received === 0 ? 'is-bad' : ping.summary.received < ping.summary.transmitted ? 'is-partial' : 'is-good'}`}
              role="status"
            >
              {pingSummaryText(ping.summary)}
              {ping.summary.rtt ? (
                <span className="ping-rtt muted">
                  rtt min/avg/max {ping.summary.rtt.min.toFixed(2)}/
                  {ping.summary.rtt.avg.toFixed(2)}/{ping.summary.rtt.max.toFixed(2)} ms
                </span>
              ) : null}
              {ping.summary.cancelled ? <span className="muted"> (cancelled)</span> : null}
            </p>
          ) : null}
          {ping.error ? (
            <p className="field-issue is-error" role="alert">
              {ping.error}
            </p>
          ) : null}
          {!ping.running ? (
            <button type="button" className="link-button small" onClick={() => state().clearPing()}>
              Clear
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

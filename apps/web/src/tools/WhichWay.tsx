/** "Which way?": the route the kernel picks for an address from a namespace (ip route get). */
import { useId } from 'react';
import { agentClient } from '../agent/client';
import { SelectField } from '../common/fields';
import { namespaceOptions } from '../lab/namespaces';
import { appStore, useApp } from '../store/store';

export function WhichWay() {
  const lab = useApp((s) => s.lab);
  const routeGet = useApp((s) => s.routeGet);
  const connected = useApp((s) => s.connection.status === 'connected');
  const addressId = useId();
  const namespaces = namespaceOptions(lab);
  const ns = namespaces.some((o) => o.ns === routeGet.ns)
    ? routeGet.ns
    : (namespaces[1]?.ns ?? 'host');
  const address = routeGet.address.trim();
  const ask = (): void => {
    appStore.getState().setRouteGetForm({ ns });
    agentClient()?.routeGet(ns, address);
  };
  const result = routeGet.result;
  return (
    <section className="tool panel" aria-label="Which way?">
      <h2 className="panel-title">Which way?</h2>
      <p className="panel-note">The route the kernel picks for a packet.</p>
      <SelectField
        label="From namespace"
        value={ns}
        options={namespaces.map((o) => ({ value: o.ns, label: o.label }))}
        onChange={(value) => appStore.getState().setRouteGetForm({ ns: value })}
      />
      <div className="field">
        <label htmlFor={addressId} className="field-label">
          To address
        </label>
        <input
          id={addressId}
          className="mono"
          value={routeGet.address}
          placeholder="192.168.1.3"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => appStore.getState().setRouteGetForm({ address: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && connected && address) ask();
          }}
        />
      </div>
      <div className="tool-row">
        <button
          type="button"
          className="small-button"
          disabled={!connected || address === '' || routeGet.running}
          onClick={ask}
        >
          Which way?
        </button>
      </div>
      {result ? (
        <div className="route-answer" role="status">
          <dl>
            <dt>dev</dt>
            <dd className="mono">{result.dev}</dd>
            <dt>via</dt>
            <dd className="mono">{result.via ?? 'directly (on-link)'}</dd>
            {result.src ? (
              <>
                <dt>src</dt>
                <dd className="mono">{result.src}</dd>
              </>
            ) : null}
          </dl>
          <code className="small">{result.line}</code>
        </div>
      ) : null}
      {routeGet.error ? (
        <p className="field-issue is-error" role="alert">
          {routeGet.error}
        </p>
      ) : null}
    </section>
  );
}

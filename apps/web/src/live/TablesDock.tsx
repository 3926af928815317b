/**
 * The live tables of the nodes the student opened, side by side: what the kernel holds in
 * each namespace, updated as it changes.
 */
import {
  bridgeNamespace,
  EXTERNAL_BRIDGE,
  externalHostNames,
  HOST_NS,
  indexNodes,
  type LabNode,
  type NamespaceState,
} from '@netns-lab/model';
import type { ReactNode } from 'react';
import { displayName } from '../canvas/flow';
import { appStore, useApp } from '../store/store';
import {
  FdbTable,
  ForwardLine,
  InterfacesTable,
  NatTable,
  NeighboursTable,
  RoutesTable,
} from './tables';

function Missing({ ns }: { ns: string }) {
  const connection = useApp((s) => s.connection.status);
  const loaded = useApp((s) => s.liveLoaded);
  return (
    <p className="muted small live-missing">
      {connection !== 'connected'
        ? 'Not connected to the agent: no live tables.'
        : !loaded
          ? 'Reading the kernel…'
          : `The kernel has no namespace ${ns} yet: press Apply to build it.`}
    </p>
  );
}

function NamespaceTables({
  state,
  title,
  withNat,
}: {
  state: NamespaceState;
  title: string;
  withNat: boolean;
}) {
  const recent = useApp((s) => s.recent);
  return (
    <>
      <InterfacesTable state={state} title={title} recent={recent} />
      <RoutesTable state={state} title={title} recent={recent} />
      <NeighboursTable state={state} title={title} recent={recent} />
      <ForwardLine state={state} recent={recent} />
      {withNat || state.nat.length > 0 ? (
        <NatTable state={state} title={title} recent={recent} />
      ) : null}
    </>
  );
}

function NodeTables({ node, nodes }: { node: LabNode; nodes: ReturnType<typeof indexNodes> }) {
  const live = useApp((s) => s.namespaces);
  const recent = useApp((s) => s.recent);
  switch (node.kind) {
    case 'host':
    case 'namespace': {
      const ns = node.kind === 'host' ? HOST_NS : node.name;
      const state = live[ns];
      const title = displayName(node);
      return state ? (
        <NamespaceTables
          state={state}
          title={title}
          withNat={node.nat.length > 0 || node.kind === 'host'}
        />
      ) : (
        <Missing ns={ns} />
      );
    }
    case 'bridge': {
      const ns = bridgeNamespace(node, nodes);
      const state = ns === null ? undefined : live[ns];
      if (!state) return <Missing ns={ns ?? node.name} />;
      return (
        <>
          <InterfacesTable
            state={state}
            title={node.name}
            recent={recent}
            only={(ifname, master) => ifname === node.name || master === node.name}
          />
          <FdbTable state={state} bridge={node.name} title={node.name} recent={recent} />
        </>
      );
    }
    case 'external': {
      const state = live[node.name];
      const hosts: ReactNode[] = node.hosts.map((host) => {
        const ns = externalHostNames(host).ns;
        const hostState = live[ns];
        return (
          <div key={ns} className="lan-host-tables">
            <h4>{ns}</h4>
            {hostState ? (
              <>
                <InterfacesTable
                  state={hostState}
                  title={ns}
                  recent={recent}
                  only={(ifname) => ifname !== 'lo'}
                />
                <RoutesTable state={hostState} title={ns} recent={recent} />
                <NeighboursTable state={hostState} title={ns} recent={recent} />
              </>
            ) : (
              <Missing ns={ns} />
            )}
          </div>
        );
      });
      return (
        <>
          {state ? (
            <FdbTable state={state} bridge={EXTERNAL_BRIDGE} title={node.name} recent={recent} />
          ) : (
            <Missing ns={node.name} />
          )}
          {hosts}
        </>
      );
    }
  }
}

export function TablesDock() {
  const open = useApp((s) => s.openTables);
  const lab = useApp((s) => s.lab);
  const nodes = indexNodes(lab);
  const shown = open.map((id) => nodes.get(id)).filter((n): n is LabNode => n !== undefined);
  if (shown.length === 0) return null;
  return (
    <div className="tables-dock" aria-label="Live tables" role="group">
      {shown.map((node) => {
        const title = displayName(node);
        return (
          <section key={node.id} className="tables-panel" aria-label={`Tables: ${title}`}>
            <header className="tables-head">
              <h2>
                <span className="muted">
                  {node.kind === 'bridge'
                    ? 'Bridge'
                    : node.kind === 'external'
                      ? 'LAN'
                      : node.kind === 'host'
                        ? ''
                        : 'Namespace'}
                </span>{' '}
                {title}
              </h2>
              <button
                type="button"
                className="icon-button"
                aria-label={`Close tables of ${title}`}
                onClick={() => appStore.getState().closeTable(node.id)}
              >
                ×
              </button>
            </header>
            <div className="tables-body">
              <NodeTables node={node} nodes={nodes} />
            </div>
          </section>
        );
      })}
    </div>
  );
}

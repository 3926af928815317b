/** The inspector for one node: its name and everything the kind has, validated as typed. */
import {
  HOST_ID,
  type BridgeNode,
  type ExternalNode,
  type Lab,
  type LabIssue,
  type LabNode,
} from '@netns-lab/model';
import { useState } from 'react';
import { CheckboxField, IssueList, SelectField, TextField } from '../common/fields';
import { StatusPill } from '../common/StatusPill';
import { displayName, KIND_LABEL, nodeAriaLabel } from '../canvas/flow';
import { proposeAddressFor } from '../lab/addresses';
import { proposeLanHostAddress, removeAt, replaceAt, updateNode, withOptional } from '../lab/edit';
import { proposeLanHostName } from '../lab/naming';
import type { ElementStatus } from '../lab/status';
import { appStore, useApp } from '../store/store';
import { AddressList } from './AddressList';
import { InterfaceEditor } from './InterfaceEditor';
import { applyLinkLayer, LinkLayerFields } from './LinkLayerFields';
import { ListItem } from './ListItem';
import { hasOwnField } from './paths';
import { RoutingEditor } from './RoutingEditor';

function editNode<T extends LabNode>(
  id: string,
  kind: T['kind'],
  update: (n: T) => T,
  coalesce?: string,
): void {
  appStore
    .getState()
    .editLab(
      (lab) => updateNode(lab, id, (n) => (n.kind === kind ? update(n as T) : n)),
      coalesce === undefined ? {} : { coalesce },
    );
}

const seal = (): void => appStore.getState().sealEdit();

function Interfaces({
  lab,
  node,
  issues,
}: {
  lab: Lab;
  node: LabNode;
  issues: readonly LabIssue[];
}) {
  const ends: { linkIndex: number; side: 'a' | 'b' }[] = [];
  lab.links.forEach((link, linkIndex) => {
    if (link.a.node === node.id) ends.push({ linkIndex, side: 'a' });
    if (link.b.node === node.id) ends.push({ linkIndex, side: 'b' });
  });
  const switchLike = node.kind === 'bridge' || node.kind === 'external';
  return (
    <div className="section" role="group" aria-label={switchLike ? 'Ports' : 'Interfaces'}>
      <h3>{switchLike ? 'Ports' : 'Interfaces'}</h3>
      {ends.length === 0 ? (
        <p className="muted small">
          No cables yet: drag from the dot under this node to another node, or use Connect to below.
        </p>
      ) : null}
      {ends.map(({ linkIndex, side }) => (
        <InterfaceEditor
          key={`${linkIndex}${side}`}
          lab={lab}
          linkIndex={linkIndex}
          side={side}
          issues={issues}
        />
      ))}
    </div>
  );
}

function ConnectTo({ lab, node }: { lab: Lab; node: LabNode }) {
  const others = lab.nodes.filter((n) => n.id !== node.id);
  const [target, setTarget] = useState('');
  const chosen = others.some((n) => n.id === target) ? target : (others[0]?.id ?? '');
  if (others.length === 0) return null;
  return (
    <div className="section connect-to">
      <SelectField
        label="Connect to"
        value={chosen}
        options={others.map((n) => ({
          value: n.id,
          label: nodeAriaLabel(n),
        }))}
        onChange={setTarget}
      />
      <button
        type="button"
        className="small-button"
        onClick={() => appStore.getState().connect(node.id, chosen)}
      >
        Connect
      </button>
    </div>
  );
}

function BridgeFields({
  lab,
  node,
  index,
  issues,
}: {
  lab: Lab;
  node: BridgeNode;
  index: number;
  issues: readonly LabIssue[];
}) {
  const base = `nodes[${index}]`;
  const holders = lab.nodes.filter((n) => n.kind === 'namespace');
  return (
    <div className="section">
      <SelectField
        label="Lives in"
        value={node.namespace ?? ''}
        path={`${base}.namespace`}
        issues={issues}
        options={[
          { value: '', label: 'the host' },
          ...holders.map((n) => ({ value: n.id, label: n.kind === 'namespace' ? n.name : n.id })),
        ]}
        onChange={(ns) =>
          editNode<BridgeNode>(node.id, 'bridge', (n) =>
            withOptional(n, 'namespace', ns || undefined),
          )
        }
      />
      <AddressList
        title="Addresses on the bridge"
        addresses={node.addresses}
        basePath={`${base}.addresses`}
        issues={issues}
        propose={() => proposeAddressFor(lab, { nodeId: node.id })}
        onChange={(addresses, coalesce) =>
          editNode<BridgeNode>(node.id, 'bridge', (n) => ({ ...n, addresses }), coalesce)
        }
      />
      <LinkLayerFields
        value={node}
        base={base}
        issues={issues}
        onBlur={seal}
        onChange={(change, coalesce) =>
          editNode<BridgeNode>(node.id, 'bridge', (n) => applyLinkLayer(n, change), coalesce)
        }
      />
    </div>
  );
}

function ExternalFields({
  lab,
  node,
  index,
  issues,
}: {
  lab: Lab;
  node: ExternalNode;
  index: number;
  issues: readonly LabIssue[];
}) {
  const base = `nodes[${index}]`;
  const edit = (update: (n: ExternalNode) => ExternalNode, coalesce?: string): void =>
    editNode<ExternalNode>(node.id, 'external', update, coalesce);
  return (
    <div className="section">
      <TextField
        label="Subnet"
        value={node.subnet}
        placeholder="192.168.1.0/24"
        path={`${base}.subnet`}
        issues={issues}
        onBlur={seal}
        onChange={(subnet) => edit((n) => ({ ...n, subnet }), `${base}.subnet`)}
      />
      <div className="subhead">
        <h3>PCs on the LAN</h3>
        <button
          type="button"
          className="small-button"
          onClick={() =>
            edit((n) => ({
              ...n,
              hosts: [
                ...n.hosts,
                { name: proposeLanHostName(lab, n.name), address: proposeLanHostAddress(lab, n) },
              ],
            }))
          }
        >
          Add LAN PC
        </button>
      </div>
      {node.hosts.map((host, k) => {
        const path = `${base}.hosts[${k}]`;
        return (
          <ListItem
            key={k}
            className="lan-host"
            legend={`LAN PC ${k + 1}`}
            path={path}
            issues={issues}
            removeLabel={`Remove LAN PC ${k + 1}`}
            onRemove={() => edit((n) => ({ ...n, hosts: removeAt(n.hosts, k) }))}
          >
            <TextField
              label="Name"
              value={host.name}
              path={`${path}.name`}
              issues={issues}
              onBlur={seal}
              onChange={(name) =>
                edit(
                  (n) => ({ ...n, hosts: replaceAt(n.hosts, k, { ...host, name }) }),
                  `${path}.name`,
                )
              }
            />
            <div className="field-pair">
              <TextField
                label="Address"
                value={host.address}
                placeholder="192.168.1.3"
                path={`${path}.address`}
                issues={issues}
                onBlur={seal}
                onChange={(address) =>
                  edit(
                    (n) => ({ ...n, hosts: replaceAt(n.hosts, k, { ...host, address }) }),
                    `${path}.address`,
                  )
                }
              />
              <TextField
                label="Gateway"
                value={host.gateway ?? ''}
                placeholder="none"
                path={`${path}.gateway`}
                issues={issues}
                onBlur={seal}
                onChange={(gateway) =>
                  edit(
                    (n) => ({
                      ...n,
                      hosts: replaceAt(
                        n.hosts,
                        k,
                        withOptional(host, 'gateway', gateway.trim() ? gateway : undefined),
                      ),
                    }),
                    `${path}.gateway`,
                  )
                }
              />
            </div>
          </ListItem>
        );
      })}
    </div>
  );
}

export function NodeInspector({
  lab,
  node,
  index,
  issues,
  status,
}: {
  lab: Lab;
  node: LabNode;
  index: number;
  issues: readonly LabIssue[];
  status: ElementStatus;
}) {
  const open = useApp((s) => s.openTables.includes(node.id));
  const base = `nodes[${index}]`;
  const other = issues.filter((i) => !hasOwnField(i.path));
  return (
    <div className="inspector-body">
      <header className="inspector-head">
        <div>
          <p className="inspector-kind">{KIND_LABEL[node.kind]}</p>
          <h2 className="inspector-title">{displayName(node)}</h2>
        </div>
        <StatusPill status={status} />
      </header>
      <div className="inspector-actions">
        <button
          type="button"
          className="small-button"
          aria-pressed={open}
          onClick={() =>
            open ? appStore.getState().closeTable(node.id) : appStore.getState().openTable(node.id)
          }
        >
          {open ? 'Hide live tables' : 'Show live tables'}
        </button>
        {node.id !== HOST_ID ? (
          <button
            type="button"
            className="small-button danger"
            onClick={() => appStore.getState().deleteElements([node.id], [])}
          >
            Delete {KIND_LABEL[node.kind].toLowerCase()}
          </button>
        ) : null}
      </div>
      <IssueList issues={other} title="Problems" />
      {node.kind === 'host' ? (
        <p className="muted small">
          The machine&apos;s own network namespace (in sandbox mode, the agent&apos;s private one).
          Bridges live here unless told otherwise.
        </p>
      ) : (
        <div className="section">
          <TextField
            label="Name"
            value={node.name}
            path={`${base}.name`}
            issues={issues}
            onBlur={seal}
            onChange={(name) =>
              appStore
                .getState()
                .editLab(
                  (l) => updateNode(l, node.id, (n) => (n.kind === 'host' ? n : { ...n, name })),
                  { coalesce: `${base}.name` },
                )
            }
          />
          {node.kind === 'namespace' ? (
            <CheckboxField
              label="Loopback up (lo)"
              checked={node.loopback}
              path={`${base}.loopback`}
              issues={issues}
              onChange={(loopback) =>
                appStore
                  .getState()
                  .editLab((l) =>
                    updateNode(l, node.id, (n) =>
                      n.kind === 'namespace' ? { ...n, loopback } : n,
                    ),
                  )
              }
            />
          ) : null}
        </div>
      )}
      {node.kind === 'bridge' ? (
        <BridgeFields lab={lab} node={node} index={index} issues={issues} />
      ) : null}
      {node.kind === 'external' ? (
        <ExternalFields lab={lab} node={node} index={index} issues={issues} />
      ) : null}
      <Interfaces lab={lab} node={node} issues={issues} />
      <ConnectTo lab={lab} node={node} />
      {node.kind === 'host' || node.kind === 'namespace' ? (
        <RoutingEditor lab={lab} node={node} index={index} issues={issues} />
      ) : null}
    </div>
  );
}

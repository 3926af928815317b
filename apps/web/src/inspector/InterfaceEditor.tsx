/** One end of a veth: its kernel name, addresses, MAC, MTU and state. */
import { indexNodes, type Lab, type LabIssue, type LinkEnd } from '@netns-lab/model';
import { TextField } from '../common/fields';
import { proposeAddressFor } from '../lab/addresses';
import { updateEnd } from '../lab/edit';
import { appStore } from '../store/store';
import { AddressList } from './AddressList';
import { applyLinkLayer, LinkLayerFields } from './LinkLayerFields';

export function InterfaceEditor({
  lab,
  linkIndex,
  side,
  issues,
  legend,
}: {
  lab: Lab;
  linkIndex: number;
  side: 'a' | 'b';
  issues: readonly LabIssue[];
  legend?: string;
}) {
  const link = lab.links[linkIndex];
  if (link === undefined) return null;
  const end = link[side];
  const peer = link[side === 'a' ? 'b' : 'a'];
  const nodes = indexNodes(lab);
  const own = nodes.get(end.node);
  const peerNode = nodes.get(peer.node);
  const peerName =
    peerNode === undefined ? peer.node : peerNode.kind === 'host' ? 'host' : peerNode.name;
  const isPort = own?.kind === 'bridge' || own?.kind === 'external';
  const base = `links[${linkIndex}].${side}`;
  const edit = (update: (e: LinkEnd) => LinkEnd, coalesce?: string): void =>
    appStore
      .getState()
      .editLab(
        (l) => updateEnd(l, link.id, side, update),
        coalesce === undefined ? {} : { coalesce },
      );
  const seal = (): void => appStore.getState().sealEdit();
  return (
    <fieldset className="iface">
      <legend>{legend ?? `Interface ${end.ifname || '(unnamed)'}`}</legend>
      <p className="muted small">
        {isPort ? 'Port of this switch; ' : ''}cable to <strong>{peerName}</strong> (
        <span className="mono">{peer.ifname}</span>)
        <button
          type="button"
          className="link-button small"
          onClick={() => appStore.getState().setSelection({ nodes: [], links: [link.id] })}
        >
          Select cable
        </button>
      </p>
      <TextField
        label="Interface name"
        value={end.ifname}
        path={`${base}.ifname`}
        issues={issues}
        onBlur={seal}
        onChange={(ifname) => edit((e) => ({ ...e, ifname }), `${base}.ifname`)}
      />
      {!isPort || end.addresses.length > 0 ? (
        <AddressList
          addresses={end.addresses}
          basePath={`${base}.addresses`}
          issues={issues}
          propose={() => proposeAddressFor(lab, { linkId: link.id, side })}
          onChange={(addresses, coalesce) => edit((e) => ({ ...e, addresses }), coalesce)}
        />
      ) : null}
      <LinkLayerFields
        value={end}
        base={base}
        issues={issues}
        onBlur={seal}
        onChange={(change, coalesce) => edit((e) => applyLinkLayer(e, change), coalesce)}
      />
    </fieldset>
  );
}

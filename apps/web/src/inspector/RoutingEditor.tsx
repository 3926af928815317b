/** A namespace's (or the host's) routing: static routes, ip_forward and MASQUERADE rules. */
import type { HostNode, Lab, LabIssue, NamespaceNode, NatRule, Route } from '@netns-lab/model';
import { CheckboxField, NumberField, SelectField, TextField } from '../common/fields';
import { proposeNatSource } from '../lab/addresses';
import { removeAt, replaceAt, updateNode, withOptional } from '../lab/edit';
import { interfacesOfRoutingNode } from '../lab/namespaces';
import { appStore } from '../store/store';
import { ListItem } from './ListItem';

type RoutingNode = HostNode | NamespaceNode;

export function RoutingEditor({
  lab,
  node,
  index,
  issues,
}: {
  lab: Lab;
  node: RoutingNode;
  index: number;
  issues: readonly LabIssue[];
}) {
  const base = `nodes[${index}]`;
  const edit = (update: (n: RoutingNode) => RoutingNode, coalesce?: string): void =>
    appStore
      .getState()
      .editLab(
        (l) =>
          updateNode(l, node.id, (n) =>
            n.kind === 'host' || n.kind === 'namespace' ? update(n) : n,
          ),
        coalesce === undefined ? {} : { coalesce },
      );
  const seal = (): void => appStore.getState().sealEdit();
  const devices = interfacesOfRoutingNode(lab, node);
  const deviceOptions = (current: string | undefined) => [
    { value: '', label: '(any)' },
    ...[...new Set([...devices, ...(current ? [current] : [])])].map((d) => ({
      value: d,
      label: d,
    })),
  ];
  const setRoute = (k: number, route: Route, coalesce?: string): void =>
    edit((n) => ({ ...n, routes: replaceAt(n.routes, k, route) }), coalesce);
  const setRule = (k: number, rule: NatRule, coalesce?: string): void =>
    edit((n) => ({ ...n, nat: replaceAt(n.nat, k, rule) }), coalesce);

  return (
    <>
      <div className="section" role="group" aria-label="Routes">
        <div className="subhead">
          <h3>Routes</h3>
          <button
            type="button"
            className="small-button"
            onClick={() => edit((n) => ({ ...n, routes: [...n.routes, { to: '' }] }))}
          >
            Add route
          </button>
        </div>
        {node.routes.length === 0 ? (
          <p className="muted small">
            Only the routes the kernel adds for each address (its connected subnets).
          </p>
        ) : null}
        {node.routes.map((route, k) => {
          const path = `${base}.routes[${k}]`;
          return (
            <ListItem
              key={k}
              className="route"
              legend={`Route ${k + 1}`}
              path={path}
              issues={issues}
              removeLabel={`Remove route ${k + 1}`}
              onRemove={() => edit((n) => ({ ...n, routes: removeAt(n.routes, k) }))}
            >
              <div className="field-pair">
                <TextField
                  label="To"
                  value={route.to}
                  placeholder="default or 192.168.1.0/24"
                  path={`${path}.to`}
                  issues={issues}
                  onBlur={seal}
                  onChange={(to) => setRoute(k, { ...route, to }, `${path}.to`)}
                />
                <TextField
                  label="Via"
                  value={route.via ?? ''}
                  placeholder="gateway"
                  path={`${path}.via`}
                  issues={issues}
                  onBlur={seal}
                  onChange={(via) =>
                    setRoute(
                      k,
                      withOptional(route, 'via', via.trim() ? via : undefined),
                      `${path}.via`,
                    )
                  }
                />
              </div>
              <div className="field-pair">
                <SelectField
                  label="Dev"
                  value={route.dev ?? ''}
                  options={deviceOptions(route.dev)}
                  path={`${path}.dev`}
                  issues={issues}
                  onChange={(dev) => setRoute(k, withOptional(route, 'dev', dev || undefined))}
                />
                <NumberField
                  label="Metric"
                  value={route.metric}
                  min={0}
                  max={4294967295}
                  path={`${path}.metric`}
                  issues={issues}
                  onBlur={seal}
                  onChange={(metric) =>
                    setRoute(k, withOptional(route, 'metric', metric), `${path}.metric`)
                  }
                />
              </div>
            </ListItem>
          );
        })}
      </div>

      <div className="section" role="group" aria-label="Forwarding and NAT">
        <h3>Forwarding and NAT</h3>
        <CheckboxField
          label="IP forwarding (net.ipv4.ip_forward)"
          checked={node.ipForward}
          path={`${base}.ipForward`}
          issues={issues}
          description="Lets this namespace pass packets between its interfaces, as a router."
          onChange={(ipForward) => edit((n) => ({ ...n, ipForward }))}
        />
        <div className="subhead">
          <span>MASQUERADE rules</span>
          <button
            type="button"
            className="small-button"
            onClick={() =>
              edit((n) => ({
                ...n,
                nat: [...n.nat, { kind: 'masquerade', source: proposeNatSource(lab, node.id) }],
              }))
            }
          >
            Add MASQUERADE rule
          </button>
        </div>
        {node.nat.length === 0 ? <p className="muted small">No NAT rules.</p> : null}
        {node.nat.map((rule, k) => {
          const path = `${base}.nat[${k}]`;
          return (
            <ListItem
              key={k}
              className="nat-rule"
              legend={`NAT rule ${k + 1}`}
              path={path}
              issues={issues}
              removeLabel={`Remove NAT rule ${k + 1}`}
              onRemove={() => edit((n) => ({ ...n, nat: removeAt(n.nat, k) }))}
            >
              <div className="field-pair">
                <TextField
                  label="Source"
                  value={rule.source}
                  placeholder="192.168.15.0/24"
                  path={`${path}.source`}
                  issues={issues}
                  onBlur={seal}
                  onChange={(source) => setRule(k, { ...rule, source }, `${path}.source`)}
                />
                <SelectField
                  label="Out interface"
                  value={rule.outInterface ?? ''}
                  options={deviceOptions(rule.outInterface)}
                  path={`${path}.outInterface`}
                  issues={issues}
                  onChange={(out) =>
                    setRule(k, withOptional(rule, 'outInterface', out || undefined))
                  }
                />
              </div>
            </ListItem>
          );
        })}
      </div>
    </>
  );
}

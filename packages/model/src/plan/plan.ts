/**
 * plan(diff): the ordered steps that turn the kernel from `prev` into `next`, in fixed phases
 * (removals first, innermost first; then additions, outermost first), deterministic, each a
 * command a person would type. Things the kernel removes by itself are not removed twice:
 * deleting a namespace deletes its interfaces, addresses and routes; deleting one end of a veth
 * deletes the other.
 */
import type { LabDiff } from '../diff/diff';
import { HOST_NS, type Lab } from '../lab/schema';
import { diffLabs } from '../diff/diff';
import { emptyKernelModel } from '../kernel/model';
import type { Endpoint, InterfaceEntity, KernelModel, Origin, VethEntity } from '../kernel/model';
import type { PlanStep, RouteSpec, Step } from './steps';

export interface PlanOptions {
  /** Host mode: an iptables comment that tags every rule netns-lab adds. */
  natComment?: string;
  /**
   * Host mode: an alias that tags every interface netns-lab makes in the host (those in the
   * lab's namespaces go with them).
   */
  linkAlias?: string;
}

function routeSpec(route: RouteSpec): RouteSpec {
  const spec: RouteSpec = { to: route.to };
  if (route.via !== undefined) spec.via = route.via;
  if (route.dev !== undefined) spec.dev = route.dev;
  if (route.metric !== undefined) spec.metric = route.metric;
  return spec;
}

function natStep(
  op: 'nat-add' | 'nat-del',
  rule: { ns: string; source: string; outInterface?: string },
  options: PlanOptions,
): Step {
  const step: Extract<Step, { op: 'nat-add' | 'nat-del' }> = {
    op,
    ns: rule.ns,
    source: rule.source,
  };
  if (rule.outInterface !== undefined) step.outInterface = rule.outInterface;
  if (options.natComment !== undefined) step.comment = options.natComment;
  return step;
}

/** Attribute steps that turn interface `from` (undefined: a fresh one) into `to`. */
function attributeSteps(from: InterfaceEntity | undefined, to: InterfaceEntity): Step[] {
  const { ns, ifname } = to;
  const steps: Step[] = [];
  if (to.mac !== undefined && to.mac !== from?.mac)
    steps.push({ op: 'link-mac', ns, ifname, mac: to.mac });
  if (to.mtu !== undefined && to.mtu !== from?.mtu)
    steps.push({ op: 'link-mtu', ns, ifname, mtu: to.mtu });
  if (to.master !== undefined && to.master !== from?.master)
    steps.push({ op: 'link-master', ns, ifname, master: to.master });
  if (to.master === undefined && from?.master !== undefined)
    steps.push({ op: 'link-nomaster', ns, ifname });
  return steps;
}

export function planDiff(diff: LabDiff, options: PlanOptions = {}): PlanStep[] {
  const out: PlanStep[] = [];
  const add = (step: Step, origin: Origin): void => {
    out.push({ step, origin });
  };
  const removedNs = new Set(diff.netns.removed.map((n) => n.name));
  const gone = (ns: string): boolean => removedNs.has(ns);
  // Interfaces this plan deletes: whatever sat on them goes with them.
  const doomed = new Set<string>();
  for (const veth of diff.veth.removed)
    for (const end of [veth.a, veth.b]) doomed.add(`${end.ns}/${end.ifname}`);
  for (const bridge of diff.bridge.removed) doomed.add(`${bridge.ns}/${bridge.name}`);
  const doomedIf = (ns: string, ifname: string): boolean =>
    gone(ns) || doomed.has(`${ns}/${ifname}`);

  // Removals, innermost first.
  for (const rule of diff.nat.removed)
    if (!gone(rule.ns)) add(natStep('nat-del', rule, options), rule.origin);
  for (const fwd of diff.forward.removed)
    if (!gone(fwd.ns)) add({ op: 'forward', ns: fwd.ns, enabled: false }, fwd.origin);
  for (const route of [...diff.route.removed, ...diff.route.updated.map(([from]) => from)])
    if (!gone(route.ns))
      add({ op: 'route-del', ns: route.ns, route: routeSpec(route) }, route.origin);
  // Newest first, so that secondaries go before the primary that would take them along.
  for (const address of [...diff.address.removed].reverse())
    if (!doomedIf(address.ns, address.ifname))
      add(
        { op: 'addr-del', ns: address.ns, ifname: address.ifname, cidr: address.cidr },
        address.origin,
      );
  for (const lo of diff.loopback.removed)
    if (!gone(lo.ns)) add({ op: 'link-down', ns: lo.ns, ifname: 'lo' }, lo.origin);
  // A veth with an end in a namespace being deleted goes with the namespace, its other end
  // included: the kernel deletes them all in one batch (one `ip link del` each would wait ~20 ms
  // apiece for the kernel to finish with the device). The kernel does it in the background, so
  // whoever runs the plan waits for the other ends to be gone (endsFreedByNamespaceDeletes).
  for (const veth of diff.veth.removed)
    if (!gone(veth.a.ns) && !gone(veth.b.ns))
      add({ op: 'link-del', ns: veth.a.ns, ifname: veth.a.ifname }, veth.origin);
  for (const bridge of diff.bridge.removed)
    if (!gone(bridge.ns))
      add({ op: 'link-del', ns: bridge.ns, ifname: bridge.name }, bridge.origin);
  for (const ns of diff.netns.removed) add({ op: 'netns-del', ns: ns.name }, ns.origin);

  // Additions, outermost first.
  for (const ns of diff.netns.added) add({ op: 'netns-add', ns: ns.name }, ns.origin);
  for (const bridge of diff.bridge.added)
    add({ op: 'bridge-add', ns: bridge.ns, name: bridge.name }, bridge.origin);
  // Each end is created in its namespace at once (never made in the host and then moved).
  for (const veth of diff.veth.added)
    add(
      {
        op: 'veth-add',
        ifname: veth.a.ifname,
        ns: veth.a.ns,
        peer: veth.b.ifname,
        peerNs: veth.b.ns,
      },
      veth.origin,
    );
  const alias = options.linkAlias;
  if (alias !== undefined) {
    for (const bridge of diff.bridge.added)
      if (bridge.ns === HOST_NS)
        add({ op: 'link-alias', ns: HOST_NS, ifname: bridge.name, alias }, bridge.origin);
    for (const veth of diff.veth.added)
      for (const end of [veth.a, veth.b])
        if (end.ns === HOST_NS)
          add({ op: 'link-alias', ns: HOST_NS, ifname: end.ifname, alias }, veth.origin);
  }
  for (const iface of diff.iface.added)
    for (const step of attributeSteps(undefined, iface)) add(step, iface.origin);
  for (const [from, to] of diff.iface.updated)
    for (const step of attributeSteps(from, to)) add(step, to.origin);
  for (const address of diff.address.added)
    add(
      { op: 'addr-add', ns: address.ns, ifname: address.ifname, cidr: address.cidr },
      address.origin,
    );
  // Bridges come up after their ports (the seed does it the other way round): enabling a port
  // of a bridge that is already up costs time in proportion to the bridge's ports, so quadratic
  // over a big lab; bringing the bridge up last enables all its ports at once. Stable otherwise.
  const ups = [
    ...diff.iface.added.filter((i) => i.up).map((i) => [undefined, i] as const),
    ...diff.iface.updated.filter(([from, to]) => from.up !== to.up),
  ].sort(([, x], [, y]) => (x.kind === y.kind ? 0 : x.kind === 'bridge' ? 1 : -1));
  for (const [, iface] of ups) {
    const bridge = iface.kind === 'bridge';
    const op = iface.up ? 'link-up' : 'link-down';
    add(
      bridge
        ? { op, ns: iface.ns, ifname: iface.ifname, bridge }
        : { op, ns: iface.ns, ifname: iface.ifname },
      iface.origin,
    );
  }
  for (const lo of diff.loopback.added) add({ op: 'link-up', ns: lo.ns, ifname: 'lo' }, lo.origin);
  for (const route of [...diff.route.added, ...diff.route.updated.map(([, to]) => to)])
    add({ op: 'route-add', ns: route.ns, route: routeSpec(route) }, route.origin);
  for (const fwd of diff.forward.added)
    add({ op: 'forward', ns: fwd.ns, enabled: true }, fwd.origin);
  for (const rule of diff.nat.added) add(natStep('nat-add', rule, options), rule.origin);
  return out;
}

/**
 * The veth ends outside the namespaces a diff deletes whose peer is inside one: the kernel
 * deletes them when it cleans the namespace up, shortly after `ip netns del`, not at once. Their
 * names are free again only then: wait for them before making anything of the same name.
 * `models` adds the veths other kernel models have into a deleted namespace (the agent's diff
 * holds only the veths it has seen; one not read yet would go unwaited for).
 */
export function endsFreedByNamespaceDeletes(
  diff: LabDiff,
  models: readonly KernelModel[] = [],
): Endpoint[] {
  const removedNs = new Set(diff.netns.removed.map((n) => n.name));
  const out = new Map<string, Endpoint>();
  const consider = (veth: { a: Endpoint; b: Endpoint }): void => {
    const [a, b] = [removedNs.has(veth.a.ns), removedNs.has(veth.b.ns)];
    const end = a && !b ? veth.b : b && !a ? veth.a : null;
    if (end !== null) out.set(`${end.ns}/${end.ifname}`, { ns: end.ns, ifname: end.ifname });
  };
  for (const veth of diff.veth.removed) consider(veth);
  if (removedNs.size > 0)
    for (const model of new Set(models)) for (const key in model.veth) consider(model.veth[key]!);
  return [...out.values()];
}

/** plan(diff(prev, next)) in one call. First apply: planLabs(EMPTY_LAB, lab). */
export function planLabs(prev: Lab, next: Lab, options: PlanOptions = {}): PlanStep[] {
  return planDiff(diffLabs(prev, next), options);
}

/**
 * The interfaces a plan brings up that the kernel must have brought up before the lab carries
 * traffic, in groups of which any one will do. A veth end set up while its peer is still down
 * gets its carrier only when the peer comes up, and its transmit queue later, in the background
 * (linkwatch): until then it drops everything it sends (a ping's first ARP request right after
 * the apply, say). The kernel does that end at once (its queue is waiting), and the other end,
 * active already, in the same pass (microseconds apart) or up to a second later (when both ends
 * have the same index, which two new namespaces often give them). So a pair carries traffic
 * once either end's state is UP.
 * A bridge gets its carrier and queue the same way, with its first forwarding port.
 *
 * Listed: each veth pair with both ends up in `want` that the plan makes or sets up (its end in
 * the lab's host first: the agent always hears of that one); and each bridge that is up with
 * such a pair among its ports, when the plan makes or sets up the bridge, or when it had no
 * such pair in `current` (the kernel's state before the plan) and so no carrier yet.
 */
export function linksComingUp(
  plan: readonly PlanStep[],
  want: KernelModel,
  current: KernelModel = emptyKernelModel(),
): Endpoint[][] {
  const touched = new Set<string>();
  for (const { step } of plan) {
    if (step.op === 'veth-add') {
      touched.add(endKey(step));
      touched.add(endKey({ ns: step.peerNs, ifname: step.peer }));
    } else if (step.op === 'bridge-add') touched.add(endKey({ ns: step.ns, ifname: step.name }));
    else if (step.op === 'link-up' || step.op === 'link-master') touched.add(endKey(step));
  }
  const out: Endpoint[][] = [];
  const copy = (end: Endpoint): Endpoint => ({ ns: end.ns, ifname: end.ifname });
  // One pass over the pairs (cheap where nothing is touched: a 1000-namespace lab's edit).
  const bridges = new Set<string>();
  for (const key of touched) if (want.iface[key]?.kind === 'bridge') bridges.add(key);
  for (const veth of Object.values(want.veth)) {
    if (!touched.has(endKey(veth.a)) && !touched.has(endKey(veth.b))) continue;
    if (!carries(want, veth)) continue;
    out.push(veth.b.ns === HOST_NS ? [copy(veth.b), copy(veth.a)] : [copy(veth.a), copy(veth.b)]);
    for (const end of [veth.a, veth.b]) {
      const master = want.iface[endKey(end)]?.master;
      if (master !== undefined) bridges.add(endKey({ ns: end.ns, ifname: master }));
    }
  }
  for (const bridge of bridges) {
    if (want.iface[bridge]?.up !== true || !hasCarryingPort(want, bridge)) continue;
    if (touched.has(bridge) || !hasCarryingPort(current, bridge))
      out.push([copy(want.iface[bridge]!)]);
  }
  return out;
}

const endKey = (end: Endpoint): string => `${end.ns}/${end.ifname}`;

/** Whether both ends of a pair are up in the model. */
function carries(model: KernelModel, veth: VethEntity): boolean {
  return model.iface[endKey(veth.a)]?.up === true && model.iface[endKey(veth.b)]?.up === true;
}

/** Whether an up bridge (ns/name) has such a pair among its ports (stops at the first). */
function hasCarryingPort(model: KernelModel, bridge: string): boolean {
  if (model.iface[bridge]?.up !== true) return false;
  for (const veth of Object.values(model.veth))
    for (const end of [veth.a, veth.b]) {
      const master = model.iface[endKey(end)]?.master;
      if (master !== undefined && endKey({ ns: end.ns, ifname: master }) === bridge)
        if (carries(model, veth)) return true;
    }
  return false;
}

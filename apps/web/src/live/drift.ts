/**
 * Does the kernel still hold what was applied? The applied lab compiled by the model, checked
 * against the live tables the agent streams: a namespace, interface, address, route, forwarding
 * switch or NAT rule that is missing (or an interface up/down the other way) marks the element
 * it came from as "differs from kernel".
 */
import {
  canonicalCidr,
  compileLab,
  type KernelModel,
  type Lab,
  type NamespaceState,
  type Origin,
} from '@netns-lab/model';
import type { ElementIds } from '../lab/status';

const compiled = new WeakMap<Lab, KernelModel>();

export function driftOf(
  applied: Lab | null,
  live: Readonly<Record<string, NamespaceState>>,
): ElementIds {
  const nodes = new Set<string>();
  const links = new Set<string>();
  if (applied === null) return { nodes, links };
  const mark = (origin: Origin): void => {
    if (origin.linkId !== undefined) links.add(origin.linkId);
    else if (origin.nodeId !== undefined) nodes.add(origin.nodeId);
  };
  let model = compiled.get(applied);
  if (model === undefined) {
    model = compileLab(applied);
    compiled.set(applied, model);
  }
  for (const ns of Object.values(model.netns)) if (live[ns.name] === undefined) mark(ns.origin);
  for (const iface of Object.values(model.iface)) {
    const state = live[iface.ns];
    if (state === undefined) continue;
    const link = state.links.find((l) => l.ifname === iface.ifname);
    if (link === undefined || link.adminUp !== iface.up) mark(iface.origin);
    else if (iface.master !== undefined && link.master !== iface.master) mark(iface.origin);
  }
  for (const address of Object.values(model.address)) {
    const state = live[address.ns];
    if (state === undefined) continue;
    const held = state.addresses.some(
      (a) => a.ifname === address.ifname && canonicalCidr(a.cidr) === address.cidr,
    );
    if (!held) mark(address.origin);
  }
  for (const route of Object.values(model.route)) {
    const state = live[route.ns];
    if (state === undefined) continue;
    const held = state.routes.some(
      (r) =>
        (r.to === route.to || canonicalCidr(r.to) === route.to) &&
        (route.via === undefined || r.via === route.via) &&
        (route.dev === undefined || r.dev === route.dev),
    );
    if (!held) mark(route.origin);
  }
  for (const fwd of Object.values(model.forward)) {
    const state = live[fwd.ns];
    if (state !== undefined && !state.ipForward) mark(fwd.origin);
  }
  for (const rule of Object.values(model.nat)) {
    const state = live[rule.ns];
    if (state === undefined) continue;
    const held = state.nat.some(
      (r) =>
        r.target === 'MASQUERADE' &&
        r.source !== undefined &&
        canonicalCidr(r.source) === rule.source &&
        (rule.outInterface === undefined || r.outInterface === rule.outInterface),
    );
    if (!held) mark(rule.origin);
  }
  return { nodes, links };
}

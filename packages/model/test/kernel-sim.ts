/**
 * A small model of what the kernel does with each plan step, strict where the kernel is strict
 * ("File exists", "Cannot find device", a gateway on no connected subnet) and with the kernel's
 * own cascades (a namespace takes its interfaces along, a veth takes its peer, an address
 * removal takes routes and secondaries). Property tests run plans against it; the real kernel
 * tests (script export, agent) check that it tells the truth.
 */
import {
  containsIp,
  emptyKernelModel,
  entityKey,
  HOST_NS,
  overlaps,
  parseCidr,
  parseIp,
  type KernelModel,
  type Step,
} from '../src/index';

interface SimLink {
  kind: 'veth' | 'bridge';
  up: boolean;
  mac?: string;
  mtu?: number;
  master?: string;
  /** ns/ifname of the veth peer. */
  peer?: string;
}

interface SimRoute {
  ns: string;
  to: string;
  via?: string;
  dev?: string;
  metric?: number;
  /** The interface the kernel resolved the route to. */
  on: string;
}

export class KernelSim {
  netns = new Set<string>([HOST_NS]);
  links = new Map<string, SimLink>();
  /** ns/ifname -> CIDRs in the order they were added (the first of a subnet is the primary). */
  addresses = new Map<string, string[]>();
  routes = new Map<string, SimRoute>();
  forward = new Set<string>();
  loopback = new Set<string>();
  nat: string[] = [];

  apply(step: Step): void {
    const fail = (why: string): never => {
      throw new Error(`${step.op}: ${why}`);
    };
    const need = (ns: string): void => {
      if (!this.netns.has(ns)) fail(`no namespace ${ns}`);
    };
    const link = (ns: string, ifname: string): SimLink =>
      this.links.get(`${ns}/${ifname}`) ?? fail(`Cannot find device ${ns}/${ifname}`);
    switch (step.op) {
      case 'netns-add':
        if (this.netns.has(step.ns)) fail('File exists');
        this.netns.add(step.ns);
        return;
      case 'netns-del':
        need(step.ns);
        for (const key of [...this.links.keys()])
          if (key.startsWith(`${step.ns}/`)) this.deleteLink(key);
        this.netns.delete(step.ns);
        this.forward.delete(step.ns);
        this.loopback.delete(step.ns);
        this.nat = this.nat.filter((r) => !r.startsWith(`${step.ns}/`));
        for (const [key, r] of this.routes) if (r.ns === step.ns) this.routes.delete(key);
        return;
      case 'bridge-add':
        need(step.ns);
        if (this.links.has(`${step.ns}/${step.name}`)) fail('File exists');
        this.links.set(`${step.ns}/${step.name}`, { kind: 'bridge', up: false });
        return;
      case 'veth-add': {
        // `ip link add A netns NS type veth peer name B netns PEERNS`: each end is made in its
        // own namespace, down; a missing namespace fails before anything is made (iproute2 says so).
        for (const ns of [step.ns, step.peerNs])
          if (!this.netns.has(ns)) fail(`argument "${ns}" is wrong: Invalid "netns" value`);
        const a = `${step.ns}/${step.ifname}`;
        const b = `${step.peerNs}/${step.peer}`;
        if (this.links.has(a) || this.links.has(b) || a === b) fail('File exists');
        this.links.set(a, { kind: 'veth', up: false, peer: b });
        this.links.set(b, { kind: 'veth', up: false, peer: a });
        return;
      }
      case 'link-del':
        link(step.ns, step.ifname);
        this.deleteLink(`${step.ns}/${step.ifname}`);
        return;
      case 'link-up':
      case 'link-down': {
        if (step.ifname === 'lo') {
          need(step.ns);
          if (step.op === 'link-up') this.loopback.add(step.ns);
          else this.loopback.delete(step.ns);
          return;
        }
        const l = link(step.ns, step.ifname);
        l.up = step.op === 'link-up';
        if (!l.up) this.flushRoutesOn(`${step.ns}/${step.ifname}`);
        return;
      }
      case 'link-master': {
        const l = link(step.ns, step.ifname);
        if (link(step.ns, step.master).kind !== 'bridge') fail('not a bridge');
        l.master = step.master;
        return;
      }
      case 'link-nomaster':
        delete link(step.ns, step.ifname).master;
        return;
      case 'link-mac':
        link(step.ns, step.ifname).mac = step.mac;
        return;
      case 'link-mtu':
        link(step.ns, step.ifname).mtu = step.mtu;
        return;
      case 'addr-add': {
        link(step.ns, step.ifname);
        const key = `${step.ns}/${step.ifname}`;
        const list = this.addresses.get(key) ?? [];
        if (list.includes(step.cidr)) fail('File exists');
        this.addresses.set(key, [...list, step.cidr]);
        return;
      }
      case 'addr-del': {
        const key = `${step.ns}/${step.ifname}`;
        link(step.ns, step.ifname);
        const list = this.addresses.get(key) ?? [];
        if (!list.includes(step.cidr)) fail('Cannot assign requested address');
        const removed = parseCidr(step.cidr)!;
        const primary = list.find((c) => overlaps(parseCidr(c)!, removed)) === step.cidr;
        // Removing a primary takes its secondaries along (promote_secondaries is off).
        const left = list.filter(
          (c) => c !== step.cidr && !(primary && overlaps(parseCidr(c)!, removed)),
        );
        this.addresses.set(key, left);
        for (const [rkey, r] of this.routes) {
          if (r.on !== key) continue;
          const via = r.via === undefined ? null : parseIp(r.via);
          const stillConnected =
            via === null ? left.length > 0 : left.some((c) => containsIp(parseCidr(c)!, via));
          if (!stillConnected) this.routes.delete(rkey);
        }
        return;
      }
      case 'route-add': {
        need(step.ns);
        const r = step.route;
        const key = `${step.ns}/${r.to}/${r.metric ?? ''}`;
        if (this.routes.has(key)) fail('File exists');
        let on: string | undefined;
        if (r.via !== undefined) {
          const via = parseIp(r.via)!;
          on = [...this.addresses].find(
            ([k, list]) =>
              k.startsWith(`${step.ns}/`) &&
              (r.dev === undefined || k === `${step.ns}/${r.dev}`) &&
              this.links.get(k)?.up === true &&
              list.some((c) => containsIp(parseCidr(c)!, via)),
          )?.[0];
          if (on === undefined) fail('Nexthop has invalid gateway');
        } else if (r.dev !== undefined) {
          on = `${step.ns}/${r.dev}`;
          if (!link(step.ns, r.dev).up) fail('Nexthop device is not up');
        } else fail('no via and no dev');
        this.routes.set(key, { ns: step.ns, ...r, on: on! });
        return;
      }
      case 'route-del': {
        const key = `${step.ns}/${step.route.to}/${step.route.metric ?? ''}`;
        if (!this.routes.delete(key)) fail('No such process');
        return;
      }
      case 'forward':
        need(step.ns);
        if (step.enabled) this.forward.add(step.ns);
        else this.forward.delete(step.ns);
        return;
      case 'nat-add':
        need(step.ns);
        this.nat.push(`${step.ns}/${step.source}/${step.outInterface ?? ''}`);
        return;
      case 'nat-del': {
        const rule = `${step.ns}/${step.source}/${step.outInterface ?? ''}`;
        const i = this.nat.indexOf(rule);
        if (i < 0) fail('Bad rule (does a matching rule exist in that chain?)');
        this.nat.splice(i, 1);
        return;
      }
    }
  }

  private flushRoutesOn(key: string): void {
    for (const [rkey, r] of this.routes) if (r.on === key) this.routes.delete(rkey);
  }

  private deleteLink(key: string): void {
    const l = this.links.get(key);
    if (l === undefined) return;
    this.links.delete(key);
    this.addresses.delete(key);
    this.flushRoutesOn(key);
    if (l.kind === 'bridge') {
      const ns = key.slice(0, key.indexOf('/'));
      const name = key.slice(key.indexOf('/') + 1);
      for (const [k, port] of this.links)
        if (k.startsWith(`${ns}/`) && port.master === name) delete port.master;
    }
    if (l.peer !== undefined) this.deleteLink(l.peer);
  }

  /** What the simulated kernel holds, as a kernel model (origins left empty). */
  toModel(): KernelModel {
    const m = emptyKernelModel();
    const origin = {};
    for (const ns of this.netns) if (ns !== HOST_NS) m.netns[ns] = { name: ns, origin };
    const seen = new Set<string>();
    for (const [key, l] of this.links) {
      const ns = key.slice(0, key.indexOf('/'));
      const ifname = key.slice(key.indexOf('/') + 1);
      const iface: KernelModel['iface'][string] = { ns, ifname, kind: l.kind, up: l.up, origin };
      if (l.mac !== undefined) iface.mac = l.mac;
      if (l.mtu !== undefined) iface.mtu = l.mtu;
      if (l.master !== undefined) iface.master = l.master;
      m.iface[entityKey.iface(iface)] = iface;
      if (l.kind === 'bridge') m.bridge[`${ns}/${ifname}`] = { ns, name: ifname, origin };
      else if (l.peer !== undefined && !seen.has(key)) {
        seen.add(key);
        seen.add(l.peer);
        const p = l.peer;
        const veth = {
          a: { ns, ifname },
          b: { ns: p.slice(0, p.indexOf('/')), ifname: p.slice(p.indexOf('/') + 1) },
          origin,
        };
        m.veth[entityKey.veth(veth)] = veth;
      }
    }
    for (const [key, list] of this.addresses) {
      const ns = key.slice(0, key.indexOf('/'));
      const ifname = key.slice(key.indexOf('/') + 1);
      for (const cidr of list) m.address[`${key}/${cidr}`] = { ns, ifname, cidr, origin };
    }
    for (const [key, r] of this.routes) {
      const { on: _on, ...route } = r;
      m.route[key] = { ...route, origin };
    }
    for (const ns of this.forward) m.forward[ns] = { ns, origin };
    for (const ns of this.loopback) m.loopback[ns] = { ns, origin };
    for (const rule of this.nat) {
      const [ns, net, prefix, out] = rule.split('/');
      const entity: KernelModel['nat'][string] = { ns: ns!, source: `${net}/${prefix}`, origin };
      if (out) entity.outInterface = out;
      m.nat[rule] = entity;
    }
    return m;
  }
}

/**
 * A kernel model with origins stripped, in a form that compares with toEqual. A lab that sets
 * no MAC or MTU leaves them to the kernel: pass the lab's model as `reference` to ignore them
 * where it does not care.
 */
export function comparable(
  model: KernelModel,
  reference?: KernelModel,
): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [kind, bucket] of Object.entries(model)) {
    const entries: Record<string, unknown> = {};
    out[kind] = entries;
    for (const [key, entity] of Object.entries(bucket as Record<string, object>)) {
      const { origin: _origin, ...rest } = entity as Record<string, unknown>;
      if (kind === 'veth') {
        entries[key] = {};
        continue;
      }
      if (kind === 'iface' && reference !== undefined) {
        const wanted = reference.iface[key];
        if (wanted?.mac === undefined) delete rest['mac'];
        if (wanted?.mtu === undefined) delete rest['mtu'];
      }
      entries[key] = JSON.parse(JSON.stringify(rest));
    }
  }
  return out;
}

/**
 * Plan steps: a typed union, each rendered as the exact command a person would type, in the
 * seed's own style (`ip -n red addr add ...`, `ip netns exec blue ip route add ...`).
 */
import { HOST_NS } from '../lab/schema';
import type { Origin, RouteEntity } from '../kernel/model';

export type Step =
  | { op: 'netns-add'; ns: string }
  | { op: 'netns-del'; ns: string }
  | { op: 'bridge-add'; ns: string; name: string }
  /**
   * Creates a veth pair with each end directly in its namespace (`ns` for `ifname`, `peerNs` for
   * `peer`; HOST_NS is the lab's root namespace), in one command: no end is ever moved.
   */
  | { op: 'veth-add'; ifname: string; ns: string; peer: string; peerNs: string }
  | { op: 'link-del'; ns: string; ifname: string }
  | { op: 'link-up'; ns: string; ifname: string; bridge?: boolean }
  | { op: 'link-down'; ns: string; ifname: string; bridge?: boolean }
  | { op: 'link-master'; ns: string; ifname: string; master: string }
  | { op: 'link-nomaster'; ns: string; ifname: string }
  | { op: 'link-mac'; ns: string; ifname: string; mac: string }
  | { op: 'link-mtu'; ns: string; ifname: string; mtu: number }
  /** Host mode: marks an interface netns-lab made in the real host (ip link ... alias). */
  | { op: 'link-alias'; ns: string; ifname: string; alias: string }
  | { op: 'addr-add'; ns: string; ifname: string; cidr: string }
  | { op: 'addr-del'; ns: string; ifname: string; cidr: string }
  | { op: 'route-add'; ns: string; route: RouteSpec }
  | { op: 'route-del'; ns: string; route: RouteSpec }
  | { op: 'forward'; ns: string; enabled: boolean }
  | { op: 'nat-add'; ns: string; source: string; outInterface?: string; comment?: string }
  | { op: 'nat-del'; ns: string; source: string; outInterface?: string; comment?: string };

export type StepOp = Step['op'];
export type RouteSpec = Pick<RouteEntity, 'to' | 'via' | 'dev' | 'metric'>;

/** A step with the lab element it comes from. */
export interface PlanStep {
  step: Step;
  origin: Origin;
}

/** Which program runs a step, in which namespace, with which arguments (no namespace prefix). */
export interface StepCommand {
  ns: string;
  tool: 'ip' | 'iptables' | 'sysctl';
  args: string[];
}

function routeArgs(route: RouteSpec): string[] {
  const args = [route.to];
  if (route.via !== undefined) args.push('via', route.via);
  if (route.dev !== undefined) args.push('dev', route.dev);
  if (route.metric !== undefined) args.push('metric', String(route.metric));
  return args;
}

function natArgs(
  action: '-A' | '-D',
  s: { source: string; outInterface?: string; comment?: string },
): string[] {
  const args = ['-t', 'nat', action, 'POSTROUTING', '-s', s.source];
  if (s.outInterface !== undefined) args.push('-o', s.outInterface);
  if (s.comment !== undefined) args.push('-m', 'comment', '--comment', s.comment);
  args.push('-j', 'MASQUERADE');
  return args;
}

/** The program and arguments of a step, before it is placed in its namespace. */
export function stepCommand(step: Step): StepCommand {
  switch (step.op) {
    case 'netns-add':
      return { ns: HOST_NS, tool: 'ip', args: ['netns', 'add', step.ns] };
    case 'netns-del':
      return { ns: HOST_NS, tool: 'ip', args: ['netns', 'del', step.ns] };
    case 'bridge-add':
      return { ns: step.ns, tool: 'ip', args: ['link', 'add', step.name, 'type', 'bridge'] };
    case 'veth-add':
      // `ip link add veth-red netns red type veth peer name veth-blue netns blue`: run in the
      // host, an end without `netns` is made in the host. Same result as the seed's two steps
      // (`ip link add ... peer name ...`, then `ip link set veth-red netns red`) without the move,
      // which costs the kernel ~17 ms per link.
      return {
        ns: HOST_NS,
        tool: 'ip',
        args: [
          'link',
          'add',
          step.ifname,
          ...(step.ns !== HOST_NS ? ['netns', step.ns] : []),
          'type',
          'veth',
          'peer',
          'name',
          step.peer,
          ...(step.peerNs !== HOST_NS ? ['netns', step.peerNs] : []),
        ],
      };
    case 'link-del':
      return { ns: step.ns, tool: 'ip', args: ['link', 'del', step.ifname] };
    case 'link-up':
    case 'link-down': {
      const state = step.op === 'link-up' ? 'up' : 'down';
      // The seed writes `ip link set dev v-net-0 up` for the bridge, `set veth-red up` for veths.
      const dev = step.bridge ? ['dev', step.ifname] : [step.ifname];
      return { ns: step.ns, tool: 'ip', args: ['link', 'set', ...dev, state] };
    }
    case 'link-master':
      return { ns: step.ns, tool: 'ip', args: ['link', 'set', step.ifname, 'master', step.master] };
    case 'link-nomaster':
      return { ns: step.ns, tool: 'ip', args: ['link', 'set', step.ifname, 'nomaster'] };
    case 'link-mac':
      return {
        ns: step.ns,
        tool: 'ip',
        args: ['link', 'set', 'dev', step.ifname, 'address', step.mac],
      };
    case 'link-mtu':
      return {
        ns: step.ns,
        tool: 'ip',
        args: ['link', 'set', 'dev', step.ifname, 'mtu', String(step.mtu)],
      };
    case 'link-alias':
      return {
        ns: step.ns,
        tool: 'ip',
        args: ['link', 'set', 'dev', step.ifname, 'alias', step.alias],
      };
    case 'addr-add':
      return { ns: step.ns, tool: 'ip', args: ['addr', 'add', step.cidr, 'dev', step.ifname] };
    case 'addr-del':
      return { ns: step.ns, tool: 'ip', args: ['addr', 'del', step.cidr, 'dev', step.ifname] };
    case 'route-add':
      return { ns: step.ns, tool: 'ip', args: ['route', 'add', ...routeArgs(step.route)] };
    case 'route-del':
      return { ns: step.ns, tool: 'ip', args: ['route', 'del', ...routeArgs(step.route)] };
    case 'forward':
      return {
        ns: step.ns,
        tool: 'sysctl',
        args: ['-w', `net.ipv4.ip_forward=${step.enabled ? 1 : 0}`],
      };
    case 'nat-add':
      return { ns: step.ns, tool: 'iptables', args: natArgs('-A', step) };
    case 'nat-del':
      return { ns: step.ns, tool: 'iptables', args: natArgs('-D', step) };
  }
}

/**
 * The full command line, as the seed writes it: `ip -n NS` for links and addresses,
 * `ip netns exec NS` for routes, iptables and sysctl.
 */
export function stepArgv(step: Step): string[] {
  const { ns, tool, args } = stepCommand(step);
  if (ns === HOST_NS) return [tool, ...args];
  if (tool === 'ip' && args[0] !== 'route') return ['ip', '-n', ns, ...args];
  return ['ip', 'netns', 'exec', ns, tool, ...args];
}

/** A step's command line as one string (names and addresses never contain spaces). */
export function stepLine(step: Step): string {
  return stepArgv(step).join(' ');
}

/** Whether a step removes something (used to report teardown and to skip undo of deletes). */
export function isRemoval(step: Step): boolean {
  return (
    step.op.endsWith('-del') ||
    step.op === 'link-down' ||
    step.op === 'link-nomaster' ||
    (step.op === 'forward' && !step.enabled)
  );
}

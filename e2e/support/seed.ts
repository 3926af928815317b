/** What the seed (shared/seed/README.md) runs, in the words netns-lab's plan uses. */

/**
 * Section 5: red and blue on the bridge v-net-0, addresses with their /24, in the plan's order.
 * The seed makes each veth in the host and then moves one end (`ip link add veth-red type veth
 * peer name veth-red-br`, `ip link set veth-red netns red`); netns-lab runs the equivalent
 * one-step form that creates the end in its namespace. And it brings the bridge up after its
 * ports, where the seed does it first.
 */
export const SEED_BRIDGE_COMMANDS = [
  'ip netns add red',
  'ip netns add blue',
  'ip link add v-net-0 type bridge',
  'ip link add veth-red netns red type veth peer name veth-red-br',
  'ip link add veth-blue netns blue type veth peer name veth-blue-br',
  'ip link set veth-red-br master v-net-0',
  'ip link set veth-blue-br master v-net-0',
  'ip -n red addr add 192.168.15.1/24 dev veth-red',
  'ip -n blue addr add 192.168.15.2/24 dev veth-blue',
  'ip -n red link set veth-red up',
  // "The -br ends must be set up too, or nothing passes."
  'ip link set veth-red-br up',
  'ip -n blue link set veth-blue up',
  'ip link set veth-blue-br up',
  'ip link set dev v-net-0 up',
];

/** The titles of the built-in labs in the start menu. */
export const BUILT_IN = {
  veth: 'Two namespaces, one veth',
  bridge: 'Many namespaces on a bridge',
  gateway: 'Reach the LAN through the host',
  router: 'Two subnets and a router',
} as const;

/** A MAC address as the live tables show it. */
export const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A node's state badge, e.g. "State: applied" (which "State: not applied" does not match). */
export function stateBadge(
  state: 'not applied' | 'applied' | 'changed' | 'error' | 'differs',
): RegExp {
  return new RegExp(`State:\\s*${state}`);
}

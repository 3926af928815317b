/**
 * Validation findings: errors block apply, hints teach and never block. Every finding has a
 * stable code from ISSUE_CODES, a path into the lab, and a sentence a student can act on.
 */

export type Severity = 'error' | 'hint';

export interface LabIssue {
  severity: Severity;
  code: IssueCode;
  /** Path into the lab document, e.g. links[3].a.ifname or nodes[2].routes[0].via. */
  path: string;
  /** What is wrong and what to do, e.g. `"veth-red-bridge-1" is 17 bytes; ...`. */
  message: string;
  /** The node the finding belongs to (for a mark on the canvas). */
  nodeId?: string;
  /** The link the finding belongs to. */
  linkId?: string;
}

/** The catalogue: every code, its severity, and the rule it explains (shown in the UI). */
export const ISSUE_CODES = {
  // The document's shape.
  schema: { severity: 'error', rule: 'The lab file does not have the expected shape.' },
  'host-missing': { severity: 'error', rule: 'A lab has exactly one host node, with id "host".' },
  'id-duplicate': { severity: 'error', rule: 'Every node and link needs its own id.' },
  'ref-dangling': {
    severity: 'error',
    rule: 'A link end or bridge refers to a node that does not exist or cannot hold it.',
  },
  // Kernel names.
  'name-empty': { severity: 'error', rule: 'A kernel name has 1 to 15 bytes.' },
  'name-too-long': {
    severity: 'error',
    rule: 'Linux interface and namespace names are at most 15 bytes.',
  },
  'name-dot': { severity: 'error', rule: '"." and ".." are not names.' },
  'name-character': {
    severity: 'error',
    rule: 'Names may not contain "/", ":", white space, quotes or non-ASCII characters.',
  },
  'name-leading-dash': {
    severity: 'error',
    rule: 'A name starting with "-" would be read as an option.',
  },
  'name-keyword': {
    severity: 'error',
    rule: 'iproute2 reads keywords (and their prefixes) as command words.',
  },
  'name-reserved': {
    severity: 'error',
    rule: '"host" names the lab\'s root namespace, and "lo" is the loopback.',
  },
  'name-duplicate': {
    severity: 'error',
    rule: 'Two namespaces, or two interfaces in one namespace, cannot share a name; one interface name in different namespaces is fine.',
  },
  // Addresses.
  'address-invalid': {
    severity: 'error',
    rule: 'Addresses are written as CIDR, e.g. 192.168.15.1/24.',
  },
  'address-network': {
    severity: 'error',
    rule: 'An interface address cannot be the network or broadcast address of its subnet.',
  },
  'address-duplicate': {
    severity: 'error',
    rule: 'The same address on two interfaces breaks ARP and routing.',
  },
  'mac-invalid': {
    severity: 'error',
    rule: 'A MAC address is six hex pairs, e.g. 02:00:00:00:00:01, and must be unicast.',
  },
  'mac-duplicate': {
    severity: 'error',
    rule: 'Two interfaces with one MAC confuse the bridge and ARP.',
  },
  // Routes and NAT.
  'route-invalid': {
    severity: 'error',
    rule: 'A route needs "default" or a network prefix, and a gateway ("via") or a device ("dev").',
  },
  'route-dev-unknown': {
    severity: 'error',
    rule: "A route's device must be an interface of that namespace.",
  },
  'route-dev-down': {
    severity: 'error',
    rule: 'The kernel refuses routes through an interface that is down.',
  },
  'route-gateway-unreachable': {
    severity: 'error',
    rule: 'A gateway must be on a subnet connected to an interface of that namespace.',
  },
  'route-duplicate': {
    severity: 'error',
    rule: 'Two routes to one destination with one metric clash.',
  },
  'nat-invalid': {
    severity: 'error',
    rule: 'A MASQUERADE source is a network prefix, e.g. 192.168.15.0/24.',
  },
  'nat-out-unknown': {
    severity: 'error',
    rule: 'The out-interface of a NAT rule must be an interface of that namespace.',
  },
  'nat-duplicate': { severity: 'error', rule: 'The same NAT rule twice would be added twice.' },
  // Links and bridges.
  'link-same-bridge': {
    severity: 'error',
    rule: 'A veth with both ends on one bridge loops frames back into it.',
  },
  'link-invalid-end': {
    severity: 'error',
    rule: 'A link end attaches to a namespace, the host, a bridge or an external LAN.',
  },
  'bridge-loop': {
    severity: 'error',
    rule: 'Bridges joined in a cycle flood frames forever (no STP here).',
  },
  'port-address': {
    severity: 'error',
    rule: 'An interface enslaved to a bridge does not hold addresses; put them on the bridge.',
  },
  'external-invalid': {
    severity: 'error',
    rule: 'An external LAN has a subnet such as 192.168.1.0/24 and hosts inside it.',
  },
  // Hints: they teach and never block.
  'hint-forward-off': {
    severity: 'hint',
    rule: "A namespace that forwards others' packets needs net.ipv4.ip_forward=1.",
  },
  'hint-no-way-back': {
    severity: 'hint',
    rule: 'Replies need a way back: a route to the source, or MASQUERADE on the way out.',
  },
  'hint-link-down': { severity: 'hint', rule: 'An interface that is down passes nothing.' },
  'hint-no-address': {
    severity: 'hint',
    rule: 'A namespace without an address cannot send or answer IP packets.',
  },
  'hint-nat-unattached': {
    severity: 'hint',
    rule: 'A MASQUERADE source that matches no attached subnet never matches a packet.',
  },
} as const satisfies Record<string, { severity: Severity; rule: string }>;

export type IssueCode = keyof typeof ISSUE_CODES;

export interface ValidationResult {
  /** The parsed lab (defaults filled), or null when the document's shape is wrong. */
  lab: import('../lab/schema').Lab | null;
  issues: LabIssue[];
  /** True when there are no errors (hints do not count). */
  ok: boolean;
}

/**
 * Turns a failed command's stderr into a sentence a student understands, naming the element
 * and what to do about it. The raw stderr is always shown next to it.
 */
import { HOST_NS, stepLine, type Step } from '@netns-lab/model';

const where = (ns: string): string => (ns === HOST_NS ? 'the host' : `namespace ${ns}`);

function subject(step: Step): string {
  switch (step.op) {
    case 'netns-add':
    case 'netns-del':
      return `namespace ${step.ns}`;
    case 'bridge-add':
      return `bridge ${step.name} in ${where(step.ns)}`;
    case 'veth-add':
      return `veth pair ${step.ifname} (in ${where(step.ns)}) / ${step.peer} (in ${where(step.peerNs)})`;
    case 'addr-add':
    case 'addr-del':
      return `address ${step.cidr} on ${step.ifname} in ${where(step.ns)}`;
    case 'route-add':
    case 'route-del':
      return `route to ${step.route.to}${step.route.via ? ` via ${step.route.via}` : ''} in ${where(step.ns)}`;
    case 'forward':
      return `ip_forward in ${where(step.ns)}`;
    case 'nat-add':
    case 'nat-del':
      return `MASQUERADE for ${step.source} in ${where(step.ns)}`;
    default:
      return `interface ${step.ifname} in ${where(step.ns)}`;
  }
}

/** Tolerated on removals: what should be gone is gone already (the CNI rule). */
export function isAlreadyGone(stderr: string): boolean {
  return /Cannot find device|No such process|No such file or directory|Cannot assign requested address|does not exist|Bad rule|No chain\/target\/match|Invalid argument.*netns/i.test(
    stderr,
  );
}

export function explainFailure(step: Step, stderr: string, timedOut = false): string {
  const what = subject(step);
  if (timedOut)
    return `${what}: the command did not finish in time and was stopped (${stepLine(step)}).`;
  // execa says ENOENT, a shell "not found"; the launcher (like nsenter) says "failed to
  // execute iptables: No such file or directory".
  if (
    /command not found|ENOENT|not found|failed to execute \S+: No such file or directory/i.test(
      stderr,
    ) &&
    /iptables/.test(stderr)
  )
    return `${what}: iptables is not installed. Install it with: apt-get install iptables`;
  if (step.op === 'veth-add') {
    // One command makes both ends, each in its namespace: name which name or namespace is wrong.
    if (/File exists/i.test(stderr))
      return `${what}: the name ${step.ifname} is already taken in ${where(step.ns)} or ${step.peer} in ${where(step.peerNs)}, so the pair cannot be created; delete or rename the interface that holds it.`;
    if (
      /Invalid "netns" value|Cannot open network namespace|No such file|Invalid argument.*netns/i.test(
        stderr,
      )
    ) {
      const named = /argument "([^"]+)" is wrong/.exec(stderr)?.[1];
      const missing =
        named !== undefined
          ? `namespace ${named}`
          : [step.ns, step.peerNs]
              .filter((ns) => ns !== HOST_NS)
              .map((ns) => `namespace ${ns}`)
              .join(' or ');
      if (missing !== '') return `${what}: ${missing} does not exist; create it first.`;
    }
  }
  if (/File exists/i.test(stderr))
    return `${what} already exists in the kernel, so it cannot be created again.`;
  if (/invalid gateway|Nexthop has invalid gateway/i.test(stderr))
    return `${what}: the gateway is not on a subnet connected to an interface that is up in ${'ns' in step ? where(step.ns) : 'that namespace'}.`;
  if (/Nexthop device is not up|Network is down/i.test(stderr))
    return `${what}: the interface it goes out of is down; bring it up first.`;
  if (/Network is unreachable/i.test(stderr)) return `${what}: no route reaches that gateway.`;
  if (/Cannot find device/i.test(stderr)) return `${what}: that interface does not exist there.`;
  if (/Invalid "netns" value|Cannot open network namespace/i.test(stderr))
    return `${what}: that namespace does not exist.`;
  if (/Operation not permitted|Permission denied/i.test(stderr))
    return `${what}: the kernel refused it for lack of privilege (${stderr.split('\n')[0]?.trim()}).`;
  if (/Numerical result out of range|too long/i.test(stderr))
    return `${what}: a value is out of range for the kernel.`;
  const first = stderr
    .split('\n')
    .find((l) => l.trim() !== '' && !/^Command failed/.test(l))
    ?.trim();
  return `${what}: the kernel refused it${first ? ` (${first})` : ''}.`;
}

/**
 * Labs for tests that are not built in: names the kernel accepts although they repeat across
 * namespaces.
 */
import { LabSchema, type Lab } from '../src/index';

/**
 * red and blue each have an eth0 on the bridge v-net-0 (as containers do), and an eth1 at both
 * ends of a veth between them: one name in two namespaces, also for the two ends of one pair.
 */
export function eth0Lab(): Lab {
  return LabSchema.parse({
    version: 1,
    name: 'eth0 in every namespace',
    nodes: [
      { kind: 'host', id: 'host' },
      { kind: 'namespace', id: 'red', name: 'red' },
      { kind: 'namespace', id: 'blue', name: 'blue' },
      { kind: 'bridge', id: 'v-net-0', name: 'v-net-0' },
    ],
    links: [
      {
        id: 'red-br',
        a: { node: 'red', ifname: 'eth0', addresses: ['192.168.15.1/24'] },
        b: { node: 'v-net-0', ifname: 'veth-red-br' },
      },
      {
        id: 'blue-br',
        a: { node: 'blue', ifname: 'eth0', addresses: ['192.168.15.2/24'] },
        b: { node: 'v-net-0', ifname: 'veth-blue-br' },
      },
      {
        id: 'red-blue',
        a: { node: 'red', ifname: 'eth1', addresses: ['10.0.0.1/24'] },
        b: { node: 'blue', ifname: 'eth1', addresses: ['10.0.0.2/24'] },
      },
    ],
  });
}

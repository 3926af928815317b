import { describe, expect, it } from 'vitest';
import type { IssueCode, LabIssue } from './issue';
import { bridge, end, external, host, lab, namespace, seedLab, veth } from './fixtures';
import { validateLab } from './validate';

const issuesWith = (input: unknown, code: IssueCode): LabIssue[] =>
  validateLab(input).issues.filter((issue) => issue.code === code);

const bridges = (...ids: string[]) => [host(), ...ids.map((id) => bridge(id))];

describe('links between switches', () => {
  it('reports a veth with both ends on one bridge', () => {
    const input = seedLab();
    input.links?.push(veth('loop', end('v-net-0', 'vl-a'), end('v-net-0', 'vl-b')));
    const [issue] = issuesWith(input, 'link-same-bridge');
    expect(issue).toMatchObject({ severity: 'error', path: 'links[3]', linkId: 'loop' });
    expect(issue?.message).toBe(
      'Link loop (vl-a and vl-b) has both ends on the bridge v-net-0, so every frame it floods comes straight back: attach one end to a namespace or the host',
    );
  });

  it('reports a veth with both ends on one external LAN', () => {
    const input = seedLab();
    input.links?.push(veth('loop', end('lan', 'vl-a'), end('lan', 'vl-b')));
    const [issue] = issuesWith(input, 'link-same-bridge');
    expect(issue?.message).toContain('both ends on the LAN lan');
  });

  it('reports two parallel veths between two bridges as a loop', () => {
    const input = lab(bridges('br-a', 'br-b'), [
      veth('l1', end('br-a', 'ab1'), end('br-b', 'ba1')),
      veth('l2', end('br-a', 'ab2'), end('br-b', 'ba2')),
    ]);
    const issues = issuesWith(input, 'bridge-loop');
    expect(issues.map((i) => [i.path, i.linkId, i.severity])).toEqual([
      ['links[1]', 'l2', 'error'],
    ]);
    expect(issues[0]?.message).toContain(
      'Link l2 joins the bridge br-a and the bridge br-b, which are already joined through other links',
    );
  });

  it('reports the link that closes a cycle of three bridges and a LAN', () => {
    const input = lab(
      [...bridges('br-a', 'br-b', 'br-c'), external('lan', '192.168.1.0/24', [])],
      [
        veth('l1', end('br-a', 'ab'), end('br-b', 'ba')),
        veth('l2', end('br-b', 'bc'), end('br-c', 'cb')),
        veth('l3', end('br-c', 'cl'), end('lan', 'lc')),
        veth('l4', end('lan', 'la'), end('br-a', 'al')),
      ],
    );
    expect(issuesWith(input, 'bridge-loop').map((i) => i.path)).toEqual(['links[3]']);
  });

  it('accepts a chain of bridges, and bridges joined through a namespace', () => {
    const input = lab(
      [...bridges('br-a', 'br-b', 'br-c'), namespace('router', { ipForward: true })],
      [
        veth('l1', end('br-a', 'ab'), end('br-b', 'ba')),
        veth('l2', end('br-b', 'bc'), end('br-c', 'cb')),
        veth('l3', end('router', 'r-a', '10.0.0.1/24'), end('br-a', 'a-r')),
        veth('l4', end('router', 'r-c', '10.0.1.1/24'), end('br-c', 'c-r')),
      ],
    );
    expect(issuesWith(input, 'bridge-loop')).toEqual([]);
  });

  it('reports addresses on a bridge port and says where to put them', () => {
    const input = seedLab();
    input.links![0] = veth(
      'red-br',
      end('red', 'veth-red', '192.168.15.1/24'),
      end('v-net-0', 'veth-red-br', '192.168.15.9/24'),
    );
    const [issue] = issuesWith(input, 'port-address');
    expect(issue).toMatchObject({
      severity: 'error',
      path: 'links[0].b.addresses',
      linkId: 'red-br',
    });
    expect(issue?.message).toBe(
      'veth-red-br on the bridge v-net-0 is a switch port, and ports hold no addresses: move 192.168.15.9/24 to the bridge v-net-0 itself or the other end of link red-br',
    );
  });

  it('reports addresses on a LAN port', () => {
    const input = seedLab();
    input.links![2] = veth(
      'host-lan',
      end('host', 'veth-lan', '192.168.1.2/24'),
      end('lan', 'veth-lan-br', '192.168.1.9/24'),
    );
    expect(issuesWith(input, 'port-address').map((i) => i.path)).toEqual(['links[2].b.addresses']);
  });
});

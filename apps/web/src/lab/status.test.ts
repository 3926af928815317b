import { exampleLab, type Lab } from '@netns-lab/model';
import { describe, expect, it } from 'vitest';
import { issueIndexOf, planOf } from './derived';
import { updateEnd } from './edit';
import { elementStatuses, type ElementIds } from './status';

const none: ElementIds = { nodes: new Set(), links: new Set() };

function statuses(
  applied: Lab | null,
  lab: Lab,
  extra: { drift?: ElementIds; failure?: { nodeId?: string; linkId?: string } } = {},
) {
  return elementStatuses({
    lab,
    applied,
    plan: planOf(applied, lab),
    issues: issueIndexOf(lab),
    failure: extra.failure ?? null,
    drift: extra.drift ?? none,
  });
}

describe('each element shows its state', () => {
  const lab = exampleLab('seed-bridge');

  it('is not applied before the first apply', () => {
    const s = statuses(null, lab);
    expect(s.nodes.get('red')).toBe('not-applied');
    expect(s.links.get('red-br')).toBe('not-applied');
  });

  it('is applied when the kernel holds the lab as drawn', () => {
    const s = statuses(lab, lab);
    expect([...s.nodes.values()].every((v) => v === 'applied')).toBe(true);
    expect([...s.links.values()].every((v) => v === 'applied')).toBe(true);
  });

  it('is changed when an edit gives the next apply something to do there', () => {
    const edited = updateEnd(lab, 'red-br', 'a', (e) => ({
      ...e,
      addresses: ['192.168.15.10/24'],
    }));
    const s = statuses(lab, edited);
    expect(s.links.get('red-br')).toBe('changed');
    expect(s.links.get('blue-br')).toBe('applied');
  });

  it('is an error when a rule is broken on it or the last apply failed there', () => {
    const broken = updateEnd(lab, 'blue-br', 'a', (e) => ({ ...e, ifname: 'veth-blue-bridge-1' }));
    const s = statuses(lab, broken, { failure: { nodeId: 'red' } });
    expect(s.links.get('blue-br')).toBe('error');
    expect(s.nodes.get('blue')).toBe('error');
    expect(s.nodes.get('red')).toBe('error');
  });

  it('differs from the kernel when the live tables lost what was applied', () => {
    const s = statuses(lab, lab, { drift: { nodes: new Set(['v-net-0']), links: new Set() } });
    expect(s.nodes.get('v-net-0')).toBe('differs');
  });

  it('counts a cable drawn again exactly as applied as applied', () => {
    const redrawn = { ...lab, links: lab.links.map((l) => ({ ...l, id: `${l.id}-again` })) };
    const s = statuses(lab, redrawn);
    expect(s.links.get('red-br-again')).toBe('applied');
  });
});

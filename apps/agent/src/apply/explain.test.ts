import { describe, expect, it } from 'vitest';
import type { Step } from '@netns-lab/model';
import { explainFailure } from './explain';

const veth: Step = {
  op: 'veth-add',
  ifname: 'veth-red',
  ns: 'red',
  peer: 'veth-red-br',
  peerNs: 'host',
};

describe('explaining a failed veth-add', () => {
  it('names both ends and where each goes', () => {
    expect(explainFailure(veth, 'RTNETLINK answers: File exists')).toMatch(
      /^veth pair veth-red \(in namespace red\) \/ veth-red-br \(in the host\): /,
    );
  });

  it('says a name is taken in its namespace on "File exists"', () => {
    expect(explainFailure(veth, 'RTNETLINK answers: File exists')).toContain(
      'the name veth-red is already taken in namespace red or veth-red-br in the host',
    );
  });

  it('says which namespace does not exist', () => {
    expect(
      explainFailure(veth, 'Error: argument "red" is wrong: Invalid "netns" value\n'),
    ).toContain('namespace red does not exist');
    expect(
      explainFailure(
        { ...veth, ns: 'red', peerNs: 'blue' },
        'Cannot open network namespace: No such file or directory',
      ),
    ).toContain('namespace red or namespace blue does not exist');
  });
});

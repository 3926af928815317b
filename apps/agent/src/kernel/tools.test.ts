import { describe, expect, it } from 'vitest';
import { detectTools, findTool, KERNEL_TOOLS, toolPath } from './tools';

describe('tool detection', () => {
  it('finds the kernel tools this machine has, without starting a process', () => {
    const tools = detectTools();
    expect(Object.keys(tools).sort()).toEqual(Object.keys(KERNEL_TOOLS).sort());
    expect(tools.ip).toMatchObject({ available: true });
    expect(tools.nsenter).toMatchObject({ available: true });
  });

  it('says what to install, and what needs it, for a missing tool', () => {
    const tools = detectTools({ path: '/nonexistent-netns-lab' });
    expect(tools.iptables).toEqual({
      available: false,
      install: 'apt-get install iptables',
      needed: 'NAT (MASQUERADE) rules',
    });
    expect(tools.tracepath?.install).toBe('apt-get install iputils-tracepath');
  });

  it('adds the sbin directories an unprivileged user’s PATH lacks', () => {
    const path = toolPath('/usr/local/bin:/usr/bin:/bin');
    expect(path.split(':')).toEqual(expect.arrayContaining(['/usr/sbin', '/sbin']));
    expect(path.startsWith('/usr/local/bin:/usr/bin:/bin')).toBe(true);
    expect(findTool('iptables', path)).toMatch(/iptables$/);
  });
});

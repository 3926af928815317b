import { validateLab, planLabs, EMPTY_LAB } from '@netns-lab/model';
import { startAgent } from './agent-process';
import { BenchClient } from './ws-client';
import { bridgeLab } from './labs';
import { treeCpuSeconds } from './proc';

const sizes = process.argv.slice(2).map(Number);
const v = validateLab(bridgeLab(10));
console.log(v.issues.map((i) => `${i.severity} ${i.code} ${i.path}`).slice(0, 5));
for (const n of sizes) {
  const lab = bridgeLab(n);
  console.log('plan steps', n, planLabs(EMPTY_LAB, lab).length, 'bytes', JSON.stringify(lab).length);
  const agent = await startAgent();
  const client = await BenchClient.connect(agent.port, agent.token);
  const c0 = treeCpuSeconds(agent.pid);
  const t = await client.apply(lab);
  const c1 = treeCpuSeconds(agent.pid);
  console.log(n, 'apply', { ...t, done: { ...t.done, applyId: undefined } }, 'cpu', c1 - c0, 'msgs', client.messagesReceived);
  await new Promise((r) => setTimeout(r, 3000));
  const c2 = treeCpuSeconds(agent.pid);
  console.log('cpu 3s after', c2 - c1, 'msgs', client.messagesReceived);
  const d = await client.destroy();
  console.log(n, 'destroy', d.totalMs, d.done.commandsRun, d.done.processes);
  client.close();
  await agent.close();
}

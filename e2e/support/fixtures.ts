/**
 * The fixtures every scenario uses: one real agent per worker (restartable by a test), and for
 * each test a clean start: the agent holds no lab, the browser context is new (no autosaved
 * lab, no cookie), and the page is open on the agent's URL and connected.
 */
import { test as base, expect } from '@playwright/test';
import { destroyLab, startAgent, type RunningAgent, type StartAgentOptions } from './agent';
import { LabApp } from './app';

/** The worker's agent; a test may stop and restart it (scenario 7). */
export class AgentControl {
  private agent: RunningAgent | null = null;

  /** The running agent; throws when there is none. */
  get current(): RunningAgent {
    if (this.agent === null || !this.agent.running)
      throw new Error('no agent is running: start() it first');
    return this.agent;
  }

  async start(options: StartAgentOptions = {}): Promise<RunningAgent> {
    await this.agent?.stop();
    this.agent = await startAgent(options);
    return this.agent;
  }

  async stop(): Promise<void> {
    await this.agent?.stop();
  }

  /** An agent that runs and holds no lab: the previous test's lab is destroyed. */
  async clean(): Promise<RunningAgent> {
    const agent = this.agent;
    if (agent === null || !agent.running) return this.start();
    try {
      await destroyLab(agent);
      return agent;
    } catch {
      // An agent that cannot tear down its lab is replaced: its sandbox goes with it.
      return this.start();
    }
  }
}

export const test = base.extend<{ app: LabApp }, { agent: AgentControl }>({
  agent: [
    // eslint-disable-next-line no-empty-pattern -- Playwright needs the destructuring form
    async ({}, use) => {
      const control = new AgentControl();
      await control.start();
      await use(control);
      await control.stop();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  app: async ({ page, agent }, use) => {
    const running = await agent.clean();
    const app = new LabApp(page);
    await app.open(running.url);
    await use(app);
  },
});

export { expect };

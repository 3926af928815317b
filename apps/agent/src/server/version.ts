/** The agent's version, from its package.json (inlined by the bundler). */
import agentPackage from '../../package.json' with { type: 'json' };

export const AGENT_VERSION: string = agentPackage.version;

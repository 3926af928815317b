/** Shared by the client commands: the --url option and connecting to the agent. */
import { resolveAgentUrl, URL_ENV } from './agent-url';
import type { AgentSession } from './client';
import type { Io } from './io';

export const URL_OPTION = { url: { type: 'string' } } as const;

export const URL_HELP = `Finding the agent: --url URL (the URL \`netns-lab serve\` printed, with ?token=...), else
$${URL_ENV}, else the URL file that \`netns-lab serve\` writes for its user
($XDG_RUNTIME_DIR/netns-lab/url or ~/.netns-lab/url, mode 0600). Prefer the file or the
variable: a --url on the command line is visible to every user in the process list.`;

export async function openSession(io: Io, url: string | undefined): Promise<AgentSession> {
  const found = await resolveAgentUrl(io.env, url);
  // Loaded on demand: the offline commands need no WebSocket client.
  const { connectAgent } = await import('./client');
  return connectAgent(found.url, found.source);
}

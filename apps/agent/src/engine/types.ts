/**
 * The agent's parts meet here. The server (HTTP + WebSocket) only talks to an Engine; the Engine
 * owns the sandbox, the runner, the applier and the observer, all on the real kernel.
 */
import type {
  ClientMessage,
  Lab,
  NamespaceState,
  ServerMessageInput,
  ToolStatus,
} from '@netns-lab/model';

export type AgentMode = 'sandbox' | 'host';

export interface EngineOptions {
  mode: AgentMode;
  /** Host mode: where the journal of what netns-lab created is kept. */
  stateDir?: string;
  /** Timeout for any single child process (ms). */
  commandTimeoutMs?: number;
  /**
   * Warm the lab pipeline up in the background after the start, so that the first applies are
   * as quick as later ones (see warm-up.ts). The CLI turns it on; tests leave it off.
   */
  warmUp?: boolean;
}

export interface EngineInfo {
  mode: AgentMode;
  /** True when the sandbox runs in a user namespace (the agent is not root). */
  rootless: boolean;
  tools: Record<string, ToolStatus>;
}

/** One client's view: the engine sends it messages (unicast replies and broadcasts). */
export type Send = (message: ServerMessageInput) => void;

export interface Engine {
  readonly info: EngineInfo;
  /** The lab the kernel holds now (null before the first apply or after destroy). */
  appliedLab(): Lab | null;
  /**
   * The lab as clients were last told it, with its revision (a number that changes whenever
   * the lab does): the base of their next apply-patch.
   */
  shownLab(): { revision: number; lab: Lab | null };
  /** Every namespace's tables now. */
  snapshot(): Promise<NamespaceState[]>;
  /** Registers a client; it receives broadcasts (apply progress, state changes) until removed. */
  subscribe(send: Send): () => void;
  /** Handles one parsed client message; replies go to `reply`, broadcasts to every subscriber. */
  handle(message: ClientMessage, reply: Send): Promise<void>;
  /** Stops everything; in sandbox mode the lab vanishes. Idempotent. */
  close(): Promise<void>;
}

/**
 * A test client for an engine: sends messages the way the server does and collects what comes
 * back, so tests read like a student's session.
 */
import { randomUUID } from 'node:crypto';
import {
  parseClientMessage,
  type ClientMessageInput,
  type Lab,
  type NamespaceState,
  type ServerMessage,
  type ServerMessageInput,
} from '@netns-lab/model';
import type { Engine } from '../src/engine/types';

type Done = Extract<ServerMessage, { type: 'apply-done' }>;
type PingDone = Extract<ServerMessage, { type: 'ping-done' }>;

export class EngineClient {
  readonly messages: ServerMessageInput[] = [];
  private readonly unsubscribe: () => void;

  constructor(private readonly engine: Engine) {
    this.unsubscribe = engine.subscribe((m) => this.messages.push(m));
  }

  async send(input: ClientMessageInput): Promise<ServerMessageInput[]> {
    const parsed = parseClientMessage(input);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const replies: ServerMessageInput[] = [];
    await this.engine.handle(parsed.message, (m) => {
      replies.push(m);
      this.messages.push(m);
    });
    return replies;
  }

  /** Applies a lab and returns the apply-done that answers it. */
  async apply(lab: Lab): Promise<Done> {
    const requestId = randomUUID();
    const replies = await this.send({ type: 'apply', requestId, lab });
    const error = replies.find((m) => m.type === 'error');
    if (error) throw new Error(JSON.stringify(error));
    const done = this.messages.find((m) => m.type === 'apply-done' && m.requestId === requestId);
    if (!done) throw new Error('no apply-done');
    return done as Done;
  }

  async destroy(): Promise<Done> {
    const requestId = randomUUID();
    await this.send({ type: 'destroy', requestId });
    return this.messages.find((m) => m.type === 'apply-done' && m.requestId === requestId) as Done;
  }

  async ping(ns: string, target: string, count = 2): Promise<PingDone> {
    const replies = await this.send({
      type: 'ping',
      requestId: randomUUID(),
      ns,
      target,
      count,
      intervalMs: 200,
    });
    const done = replies.find((m) => m.type === 'ping-done');
    if (!done) throw new Error(`ping gave no summary: ${JSON.stringify(replies)}`);
    return done as PingDone;
  }

  /** The live state of one namespace as the agent now reports it (after a fresh read). */
  async state(ns: string): Promise<NamespaceState> {
    await this.send({ type: 'refresh', ns });
    const state = (await this.engine.snapshot()).find((s) => s.ns === ns);
    if (!state) throw new Error(`no state for ${ns}`);
    return state;
  }

  close(): void {
    this.unsubscribe();
  }
}

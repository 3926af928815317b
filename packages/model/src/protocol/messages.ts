/**
 * The versioned protocol between the agent and its clients (the web app, the CLI, a grader).
 * Both ends parse every message with these schemas; see docs/protocol.md.
 */
import { z } from 'zod';
import { LabPatchSchema } from '../lab/patch';
import { LabSchema, LIMITS } from '../lab/schema';
import { NamespaceStateSchema } from '../live/state';

export const PROTOCOL_VERSION = 1;
/** Largest WebSocket frame the agent accepts (a 1000-namespace lab fits). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const text = z.string().max(256);
const requestId = z.string().min(1).max(64);
/** A namespace name as a client may send it; the agent checks it exists before use. */
const nsName = z.string().min(1).max(64);

export const ClientMessageSchema = z.discriminatedUnion('type', [
  /** Build this lab (diffed against what the kernel holds; only the differences run). */
  z.strictObject({ type: z.literal('apply'), requestId, lab: LabSchema }),
  /**
   * Build the lab that `patch` makes of the agent's lab number `base` (the revision of its
   * last `lab` message): an edit sends what changed, not the whole lab. A stale base gets the
   * error stale-base, and the client sends the whole lab instead.
   */
  z.strictObject({
    type: z.literal('apply-patch'),
    requestId,
    base: z.number().int().min(0),
    patch: LabPatchSchema,
  }),
  /** Tear the whole lab down. */
  z.strictObject({ type: z.literal('destroy'), requestId }),
  /** Ping `target` from namespace `ns`; replies stream back as ping-reply. */
  z.strictObject({
    type: z.literal('ping'),
    requestId,
    ns: nsName,
    target: text,
    count: z.number().int().min(1).max(100).default(4),
    intervalMs: z.number().int().min(200).max(5000).default(1000),
  }),
  /** Ask the kernel which route a packet to `address` takes from `ns` (ip route get). */
  z.strictObject({ type: z.literal('route-get'), requestId, ns: nsName, address: text }),
  z.strictObject({ type: z.literal('tracepath'), requestId, ns: nsName, target: text }),
  /** Stop a running ping or tracepath. */
  z.strictObject({ type: z.literal('cancel'), requestId }),
  /** Read a namespace's tables again now (or all of them). */
  z.strictObject({ type: z.literal('refresh'), ns: nsName.optional() }),
]);

export const ToolStatusSchema = z.strictObject({
  available: z.boolean(),
  /** What to run to install it, when missing. */
  install: text.optional(),
  /** What does not work without it. */
  needed: text.optional(),
});

export const StepTargetSchema = z.strictObject({
  nodeId: z.string().optional(),
  linkId: z.string().optional(),
  /** Path into the lab, e.g. links[0].a.addresses[0]. */
  path: z.string().optional(),
});

export const PlannedStepSchema = z.strictObject({
  index: z.number().int(),
  /** The command as a person would type it. */
  argv: z.array(z.string()),
  target: StepTargetSchema,
});

export const ApplyFailureSchema = z.strictObject({
  index: z.number().int(),
  argv: z.array(z.string()),
  stderr: z.string(),
  /** What went wrong, in words a student understands. */
  message: z.string(),
  target: StepTargetSchema,
});

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    protocol: z.literal(PROTOCOL_VERSION),
    agentVersion: text,
    mode: z.enum(['sandbox', 'host']),
    rootless: z.boolean(),
    tools: z.record(z.string(), ToolStatusSchema),
  }),
  /**
   * The lab the kernel now holds (null: nothing applied), and its revision: a number that
   * changes whenever the lab does, the base of the next apply-patch.
   */
  z.strictObject({
    type: z.literal('lab'),
    revision: z.number().int().min(0),
    lab: LabSchema.nullable(),
  }),
  /** Every namespace's tables: sent after hello, and after a reconnect. */
  z.strictObject({ type: z.literal('state'), namespaces: z.array(NamespaceStateSchema) }),
  /** One namespace changed: its whole state. */
  z.strictObject({ type: z.literal('ns-state'), state: NamespaceStateSchema }),
  z.strictObject({ type: z.literal('ns-gone'), ns: text }),
  z.strictObject({
    type: z.literal('apply-started'),
    applyId: text,
    requestId: requestId.optional(),
    kind: z.enum(['apply', 'destroy']),
    steps: z.array(PlannedStepSchema),
  }),
  z.strictObject({
    type: z.literal('apply-step'),
    applyId: text,
    index: z.number().int(),
    total: z.number().int(),
    status: z.enum(['ok', 'failed']),
    argv: z.array(z.string()),
  }),
  z.strictObject({
    type: z.literal('apply-done'),
    applyId: text,
    requestId: requestId.optional(),
    ok: z.boolean(),
    /** Mutating commands the kernel ran (0 when the lab was already there). */
    commandsRun: z.number().int(),
    /** Processes started to run them. */
    processes: z.number().int(),
    durationMs: z.number(),
    failure: ApplyFailureSchema.optional(),
    rolledBack: z.boolean().optional(),
    /**
     * Namespaces the apply changed ("host" too): their tables come next, an ns-state (or
     * ns-gone) each when they differ from the last sent. Until then the tables a client holds
     * of them are from before the apply, and say nothing about whether the kernel holds it.
     */
    reading: z
      .array(text)
      .max(LIMITS.nodes + 1)
      .optional(),
  }),
  z.strictObject({
    type: z.literal('ping-reply'),
    requestId,
    seq: z.number().int(),
    ttl: z.number().int(),
    timeMs: z.number(),
    from: text,
  }),
  z.strictObject({
    type: z.literal('ping-loss'),
    requestId,
    seq: z.number().int(),
    message: text.optional(),
  }),
  z.strictObject({
    type: z.literal('ping-done'),
    requestId,
    transmitted: z.number().int(),
    received: z.number().int(),
    rtt: z.strictObject({ min: z.number(), avg: z.number(), max: z.number() }).optional(),
    cancelled: z.boolean().optional(),
    error: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('route-get-result'),
    requestId,
    ns: text,
    address: text,
    /** What the kernel answered: device, next hop (absent when on-link), source address. */
    result: z
      .strictObject({ dev: text, via: text.optional(), src: text.optional(), line: z.string() })
      .optional(),
    error: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('tracepath-hop'),
    requestId,
    hop: z.number().int(),
    address: text.optional(),
    timeMs: z.number().optional(),
    line: z.string(),
  }),
  z.strictObject({ type: z.literal('tracepath-done'), requestId, error: z.string().optional() }),
  z.strictObject({
    type: z.literal('error'),
    requestId: requestId.optional(),
    code: z.enum([
      'bad-message',
      'invalid-lab',
      'stale-base',
      'unknown-namespace',
      'tool-missing',
      'rate-limited',
      'too-large',
      'internal',
    ]),
    message: z.string(),
    /** Where in the message or the lab the problem is, e.g. lab.links[3].a.ifname. */
    path: z.string().optional(),
    issues: z
      .array(z.strictObject({ code: text, path: z.string(), message: z.string() }))
      .optional(),
  }),
]);

export type ClientMessage = z.output<typeof ClientMessageSchema>;
export type ClientMessageInput = z.input<typeof ClientMessageSchema>;
export type ServerMessage = z.output<typeof ServerMessageSchema>;
export type ServerMessageInput = z.input<typeof ServerMessageSchema>;
export type ToolStatus = z.output<typeof ToolStatusSchema>;
export type PlannedStep = z.output<typeof PlannedStepSchema>;
export type ApplyFailure = z.output<typeof ApplyFailureSchema>;
export type StepTarget = z.output<typeof StepTargetSchema>;
export type ErrorCode = Extract<ServerMessage, { type: 'error' }>['code'];

export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; error: { code: 'bad-message'; message: string; path: string } };

function parseWith<T>(schema: z.ZodType<T>, data: unknown): ParseResult<T> {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const first = result.error.issues[0];
  const path = first ? formatPath(first.path) : '';
  return {
    ok: false,
    error: {
      code: 'bad-message',
      message: first ? `${path || 'message'}: ${first.message}` : 'invalid message',
      path,
    },
  };
}

/** Formats a zod path as lab.links[3].a.ifname. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Parses a client's message (already JSON-decoded). */
export function parseClientMessage(data: unknown): ParseResult<ClientMessage> {
  return parseWith(ClientMessageSchema, data);
}

/** Parses the agent's message (already JSON-decoded). */
export function parseServerMessage(data: unknown): ParseResult<ServerMessage> {
  return parseWith(ServerMessageSchema, data);
}

/**
 * Probes a student runs against the lab: ping (streamed reply by reply), `ip route get` (which
 * route the kernel picks) and tracepath. Targets must be IP addresses: a hostname would make
 * the tool ask DNS, i.e. send traffic outside the lab.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { formatIp, parseIp } from '@netns-lab/model';
import type { Runner, StreamingProcess } from './runner';

export type ProbeErrorCode = 'bad-target' | 'bad-options' | 'failed';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly code: ProbeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Parses and re-serialises an address before it goes into an argv; refuses anything else. */
export function checkTarget(target: string): string {
  const ip = parseIp(target.trim());
  if (ip === null) {
    throw new ProbeError(
      'bad-target',
      `${JSON.stringify(target)} is not an IP address (names are refused: resolving them ` +
        'would send traffic outside the lab).',
    );
  }
  return formatIp(ip);
}

// ---------------------------------------------------------------------------------------- ping

export type PingEvent =
  | { type: 'reply'; seq: number; ttl: number; timeMs: number; from: string }
  | { type: 'loss'; seq: number; message?: string };

export interface PingSummary {
  transmitted: number;
  received: number;
  rtt?: { min: number; avg: number; max: number };
  cancelled?: boolean;
  error?: string;
}

export interface PingOptions {
  /** 1 to 100. */
  count: number;
  /** 200 to 5000 ms. */
  intervalMs: number;
}

export interface ProbeHandle<T> {
  /** Settles when the probe ends (it never rejects: failures are in the result). */
  done: Promise<T>;
  /** Stops it early; done then settles with what was seen so far. */
  cancel(): void;
}

export const PING_LIMITS = { count: [1, 100], intervalMs: [200, 5000] } as const;

/**
 * `ping -n -O -c COUNT -i INTERVAL -W 1 -- TARGET`: -O prints "no answer yet" for a request
 * with no reply before the next one is sent, so loss streams as it happens rather than only in
 * the summary. Sequence numbers never answered by the end are reported lost then.
 */
export function ping(
  runner: Runner,
  ns: string,
  target: string,
  options: PingOptions,
  onEvent: (event: PingEvent) => void,
): ProbeHandle<PingSummary> {
  const address = checkTarget(target);
  const { count, intervalMs } = options;
  if (!inRange(count, PING_LIMITS.count) || !inRange(intervalMs, PING_LIMITS.intervalMs)) {
    throw new ProbeError(
      'bad-options',
      `ping needs a count of 1 to 100 and an interval of 200 to 5000 ms`,
    );
  }
  const interval = (intervalMs / 1000).toFixed(3);
  const argv = ['ping', '-n', '-O', '-c', String(count), '-i', interval, '-W', '1', '--', address];
  const child = runner.spawn(ns, argv, { timeoutMs: count * intervalMs + 5000 });

  const replied = new Set<number>();
  const lost = new Set<number>();
  let highestSeq = 0;
  let summary: PingSummary | undefined;
  let cancelled = false;
  const stderrLines: string[] = [];

  const emitLoss = (seq: number, message?: string) => {
    if (replied.has(seq) || lost.has(seq)) return;
    lost.add(seq);
    onEvent(message === undefined ? { type: 'loss', seq } : { type: 'loss', seq, message });
  };

  const stdoutDone = forEachLine(child.stdout, (line) => {
    const parsed = parsePingLine(line);
    if (parsed === null) return;
    if (parsed.type === 'reply') {
      if (replied.has(parsed.seq)) return; // a duplicate (DUP!)
      replied.add(parsed.seq);
      lost.delete(parsed.seq);
      highestSeq = Math.max(highestSeq, parsed.seq);
      onEvent(parsed);
    } else if (parsed.type === 'loss') {
      highestSeq = Math.max(highestSeq, parsed.seq);
      emitLoss(parsed.seq, parsed.message);
    } else if (parsed.type === 'transmitted') {
      summary = { transmitted: parsed.transmitted, received: parsed.received };
    } else if (summary !== undefined) {
      summary.rtt = parsed.rtt;
    }
  });
  const stderrDone = forEachLine(child.stderr, (line) => {
    if (stderrLines.length < 5) stderrLines.push(line.trim());
  });

  const done = settle(child, stdoutDone, stderrDone).then((result): PingSummary => {
    const final: PingSummary = summary ?? {
      transmitted: Math.max(highestSeq, replied.size),
      received: replied.size,
    };
    for (let seq = 1; seq <= final.transmitted; seq += 1) emitLoss(seq, 'no reply');
    if (cancelled) final.cancelled = true;
    else if (summary === undefined) {
      final.error = stderrLines.join('; ') || (result.timedOut ? 'ping timed out' : 'ping failed');
    }
    return final;
  });
  return {
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      child.kill();
    },
  };
}

type PingLine =
  | PingEvent
  | { type: 'transmitted'; transmitted: number; received: number }
  | { type: 'rtt'; rtt: { min: number; avg: number; max: number } };

/** One line of `ping -n -O` output, or null for lines that carry nothing (the banner). */
export function parsePingLine(line: string): PingLine | null {
  const reply = /^\d+ bytes from (\S+?):? icmp_seq=(\d+) ttl=(\d+) time=([\d.]+) ms/.exec(line);
  if (reply) {
    const [, from, seq, ttl, time] = reply as unknown as [string, string, string, string, string];
    return { type: 'reply', seq: Number(seq), ttl: Number(ttl), timeMs: Number(time), from };
  }
  const noAnswer = /^no answer yet for icmp_seq=(\d+)/.exec(line);
  if (noAnswer) return { type: 'loss', seq: Number(noAnswer[1]), message: 'no answer yet' };
  // "From 192.168.15.1 icmp_seq=3 Destination Host Unreachable"
  const error = /^From (\S+?):? icmp_seq=(\d+) (.+)$/.exec(line);
  if (error) {
    const [, from, seq, message] = error as unknown as [string, string, string, string];
    return { type: 'loss', seq: Number(seq), message: `${from}: ${message.trim()}` };
  }
  const totals = /^(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(line);
  if (totals) {
    return { type: 'transmitted', transmitted: Number(totals[1]), received: Number(totals[2]) };
  }
  const rtt = /^(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(
    line,
  );
  if (rtt) {
    return {
      type: 'rtt',
      rtt: { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) },
    };
  }
  return null;
}

function inRange(value: number, [min, max]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Calls onLine for each line; resolves after the last one. */
function forEachLine(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', onLine);
  return once(lines, 'close').then(() => undefined);
}

/** Waits for a streaming child and all of its output. */
async function settle(child: StreamingProcess, ...outputs: Promise<void>[]) {
  const [result] = await Promise.all([child.done, ...outputs.map((p) => p.catch(() => undefined))]);
  return result;
}

// ----------------------------------------------------------------------------------- route get

export interface RouteGetResult {
  dev: string;
  /** The next hop; absent when the address is on-link. */
  via?: string;
  src?: string;
  /** What `ip route get` prints, as a person would see it. */
  line: string;
}

/** Fixed script: the address arrives as "$1" (an argument), never as script text. */
const ROUTE_GET_SCRIPT = `ip -j route get "$1" || exit
printf '@@plain\\n'
ip route get "$1"`;

/** Which route the kernel picks from `ns` towards `address` (`ip route get`). */
export async function routeGet(
  runner: Runner,
  ns: string,
  address: string,
): Promise<RouteGetResult> {
  const target = checkTarget(address);
  const result = await runner.run(ns, [
    'sh',
    '-c',
    ROUTE_GET_SCRIPT,
    'netns-lab-route-get',
    target,
  ]);
  if (result.exitCode !== 0) {
    const message = result.stderr.replace(/^RTNETLINK answers: /m, '').trim();
    throw new ProbeError('failed', message || `ip route get ${target} failed`);
  }
  const [jsonText = '', plain = ''] = result.stdout.split('\n@@plain\n');
  const parsed: unknown = JSON.parse(jsonText.trim() || '[]');
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first !== 'object' || first === null) {
    throw new ProbeError('failed', `ip route get ${target} printed nothing`);
  }
  const entry = first as Record<string, unknown>;
  if (typeof entry.dev !== 'string') {
    throw new ProbeError('failed', `ip route get ${target}: no device in the answer`);
  }
  const route: RouteGetResult = {
    dev: entry.dev,
    line: plain
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' '),
  };
  if (typeof entry.gateway === 'string') route.via = entry.gateway;
  if (typeof entry.prefsrc === 'string') route.src = entry.prefsrc;
  return route;
}

// ----------------------------------------------------------------------------------- tracepath

export interface TracepathHop {
  hop: number;
  address?: string;
  timeMs?: number;
  line: string;
}

export interface TracepathResult {
  error?: string;
  cancelled?: boolean;
}

/** `tracepath -n -m 30 -- TARGET`, one event per hop line as it arrives. */
export function tracepath(
  runner: Runner,
  ns: string,
  target: string,
  onHop: (hop: TracepathHop) => void,
  options: { maxHops?: number; timeoutMs?: number } = {},
): ProbeHandle<TracepathResult> {
  const address = checkTarget(target);
  const maxHops = Math.min(Math.max(Math.trunc(options.maxHops ?? 30), 1), 64);
  const child = runner.spawn(ns, ['tracepath', '-n', '-m', String(maxHops), '--', address], {
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  let cancelled = false;
  const stderrLines: string[] = [];
  const stdoutDone = forEachLine(child.stdout, (line) => {
    const hop = parseTracepathLine(line);
    if (hop !== null) onHop(hop);
  });
  const stderrDone = forEachLine(child.stderr, (line) => {
    if (stderrLines.length < 5) stderrLines.push(line.trim());
  });
  const done = settle(child, stdoutDone, stderrDone).then((result): TracepathResult => {
    if (cancelled) return { cancelled: true };
    if (result.timedOut) return { error: 'tracepath timed out' };
    if (result.exitCode !== 0 && stderrLines.length > 0) return { error: stderrLines.join('; ') };
    return {};
  });
  return {
    done,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      child.kill();
    },
  };
}

/**
 * " 1?: [LOCALHOST]   pmtu 1500", " 1:  192.168.15.2   0.317ms reached", " 2:  no reply".
 * The summary line ("Resume: pmtu ...") is not a hop.
 */
export function parseTracepathLine(line: string): TracepathHop | null {
  const match = /^\s*(\d+)\??:\s+(\S+)(?:\s+([\d.]+)ms)?/.exec(line);
  if (!match) return null;
  const [, hop, what, time] = match as unknown as [string, string, string, string | undefined];
  const result: TracepathHop = { hop: Number(hop), line: line.trim() };
  if (parseIp(what) !== null) result.address = what;
  if (time !== undefined) result.timeMs = Number(time);
  return result;
}

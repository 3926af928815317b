/**
 * Streams the lab's live state, driven by the kernel's own events rather than a fixed poll:
 * - one `ip monitor all-nsid ...` in the lab's root namespace reports link, address, route and
 *   neighbour changes in every namespace that has an nsid there ("[nsid N]" prefixes); the
 *   observer gives each lab namespace an nsid (`ip netns set NAME auto`), since namespaces made
 *   by `ip netns add` have none and their events would otherwise never arrive;
 * - a file watch on the lab's /run/netns sees namespaces come and go (no process needed);
 * - an event re-reads only its namespace, after a short delay that gathers a burst of events
 *   into one read, and onChange fires only when the state differs from the last one sent.
 * iptables counters and ip_forward make no events: refresh() re-reads on demand, and
 * namespaces with NAT rules are re-read every couple of seconds for their counters.
 */
import { watch, type FSWatcher } from 'node:fs';
import { createInterface } from 'node:readline';
import { HOST_NS, sameTables, shareUnchangedState, type NamespaceState } from '@netns-lab/model';
import { createGate } from './gate';
import type { Runner, StreamingProcess } from './runner';
import { parseNsidList } from './parse-ip';
import {
  listNamespaces,
  ReadError,
  readNamespaceDetail,
  type ReadDetail,
  type ReadOptions,
} from './read-namespace';

export { listNamespaces, readNamespace, ReadError } from './read-namespace';

export interface ObserverOptions {
  onChange(ns: string, state: NamespaceState): void;
  onGone(ns: string): void;
  /** Something went wrong in the background (a read failed, the monitor died). */
  onError?(error: Error): void;
  /** How long events are gathered before a namespace is re-read (ms). */
  debounceMs?: number;
  /** How often namespaces with NAT rules are re-read for their counters (ms; 0: never). */
  natRefreshMs?: number;
}

export interface Observer {
  /** The last state read of every namespace, "host" first. */
  snapshot(): NamespaceState[];
  /**
   * Re-reads one namespace now (or re-lists and re-reads all), including what makes no events
   * (NAT rules and counters, conntrack, ip_forward). Resolves after any onChange it causes.
   */
  refresh(ns?: string): Promise<void>;
  /**
   * Holds back the reads that kernel events ask for (explicit refresh() still reads) until the
   * returned function is called; then every namespace that had events is read once. The
   * applier holds the observer while it changes the kernel, so that a 1000-namespace apply is
   * not slowed by reads of tables that are about to change again.
   */
  hold(): () => void;
  /**
   * Namespaces about to be deleted or made again under their names: every nsid that named
   * them is forgotten, and looked up again when next seen. (The kernel gives a deleted
   * namespace's nsids to the next namespaces that need one, and the lab's root is not re-listed
   * when a namespace goes and comes back between two rescans: a read decoded with the old
   * names would pair a veth with the wrong namespace.)
   */
  replacing(names: readonly string[]): void;
  /**
   * Calls `listener` with every interface the monitor reports made, changed or deleted (in a
   * namespace whose nsid it can name), from now until the returned function is called: the
   * applier waits for the veth ends a namespace deletion frees, and for the links it brings up
   * to be up, by listening, not only by looking.
   */
  onLinkReport(listener: (report: LinkReport) => void): () => void;
  /** Processes the observer has started (reads, the monitor, nsid bookkeeping). */
  readonly processCount: number;
  /** Stops the monitor, the watch and the timers. Idempotent. */
  close(): Promise<void>;
}

interface NsidCache {
  names: Map<number, string>;
  /** Peers' nsids that had no name when last listed (e.g. the real root in host mode). */
  unnamed: Set<number>;
}

interface Pending {
  timer?: NodeJS.Timeout | undefined;
  running?: Promise<void> | undefined;
  dirty: boolean;
  withNat: boolean;
}

/**
 * Not `nsid`: for each new nsid the monitor looks its name up by opening every namespace
 * (O(N) each, O(N^2) over a big apply, enough to make it lag by tens of seconds). The [nsid N]
 * prefixes need no lookup; the observer names them itself (rootNsids).
 */
const MONITOR_ARGV = ['ip', 'monitor', 'all-nsid', 'link', 'address', 'route', 'neigh'];
const MAX_MONITOR_RESTARTS = 5;

/** What the monitor said of one interface. */
export interface LinkReport {
  ns: string;
  ifname: string;
  deleted: boolean;
  /** Its operstate: UP, DOWN, LOWERLAYERDOWN, UNKNOWN... */
  state: string;
}

/**
 * A monitor line of a link: "[nsid current]4: x1@x2: <BROADCAST,...,UP,LOWER_UP> mtu 1500 qdisc
 * noqueue master br0 state UP group default", "Deleted " before the index when it is gone. A
 * bridge port also has lines of the bridge's own family ("4: x1@x2: <...> mtu 1500 master br0
 * state forwarding", or "Deleted ..." when it leaves the bridge while the link lives on): those
 * name no qdisc, and are not reports of the link.
 */
const LINK_LINE =
  /^\[nsid (current|\d+)\](Deleted )?\d+: ([^@:\s]+)(?:@[^:\s]*)?: <[^>]*> .* qdisc \S+ (?:.* )?state (\S+)/;

/** Starts watching; resolves once every namespace has been read once. */
export async function createObserver(runner: Runner, options: ObserverOptions): Promise<Observer> {
  const debounceMs = options.debounceMs ?? 25;
  const natRefreshMs = options.natRefreshMs ?? 2000;
  const states = new Map<string, NamespaceState>();
  const known = new Set<string>([HOST_NS]);
  const nsidCaches = new Map<string, NsidCache>();
  const pending = new Map<string, Pending>();
  /** The lab root's nsid -> namespace name: decodes the monitor's "[nsid N]". */
  let rootNsids = new Map<number, string>();
  let rootNsidsListed = false;
  /** The root's peer nsids that no name in /run/netns has (host mode: e.g. Docker's). */
  const hostUnnamed = new Set<number>();
  /** nsids seen in the monitor that no name maps to; not looked up again until a rescan. */
  const strangerNsids = new Set<number>();
  /** Bumped by replacing(): a listing or read begun before it may hold names no longer true. */
  let nsidEpoch = 0;
  let processCount = 0;
  let closed = false;
  let monitor: StreamingProcess | undefined;
  let monitorRestarts = 0;
  let watcher: FSWatcher | undefined;
  let rescanTimer: NodeJS.Timeout | undefined;
  let rescanning: Promise<void> | undefined;
  let rescanAgain = false;
  /**
   * Reads at a time: a burst of reads (1000 namespaces after a big apply) must leave the CPU
   * and the runner's slots to the applier's next commands.
   */
  const readGate = createGate(8);
  /** While > 0, event-driven reads and rescans wait (see hold()). */
  let holds = 0;
  const heldReads = new Set<string>();
  let heldRescan = false;
  /** nsids first heard of during a hold, named when it ends. */
  const heldStrangers = new Set<number>();
  const linkListeners = new Set<(report: LinkReport) => void>();

  const report = (error: unknown) => {
    if (closed) return;
    options.onError?.(error instanceof Error ? error : new Error(String(error)));
  };

  async function run(ns: string, argv: string[], input?: string) {
    processCount += 1;
    return runner.run(ns, argv, input === undefined ? {} : { input });
  }

  /**
   * Lists the root's nsids with their names. One listing at a time, shared by all who ask
   * meanwhile: it opens every namespace (~0.5 s among 1000), and the first changes of a big
   * apply bring a thousand unknown nsids at once.
   */
  let listing: Promise<void> | undefined;
  function refreshRootNsids(): Promise<void> {
    const epoch = nsidEpoch;
    listing ??= run(HOST_NS, ['ip', '-j', 'netns', 'list-id'])
      .then((result) => {
        if (result.exitCode === 0 && epoch === nsidEpoch) rootNsids = parseNsidList(result.stdout);
      })
      .finally(() => {
        listing = undefined;
      });
    return listing;
  }

  /**
   * Gives every lab namespace an nsid in the lab's root, so the monitor hears from it. The ids
   * are listed once (`ip netns list-id` opens every namespace: slow among 1000); after that the
   * monitor's own nsid events keep the map (see onMonitorLine).
   */
  async function assignNsids(names: readonly string[]): Promise<void> {
    if (!rootNsidsListed) {
      await refreshRootNsids();
      rootNsidsListed = true;
    }
    const named = new Set(rootNsids.values());
    const missing = names.filter((name) => name !== HOST_NS && !named.has(name));
    if (missing.length === 0) return;
    // -force: one namespace vanishing meanwhile must not stop the others.
    const batch = missing.map((name) => `netns set ${name} auto\n`).join('');
    await run(HOST_NS, ['ip', '-force', '-batch', '-'], batch);
    await refreshRootNsids();
  }

  /** Re-lists /run/netns: reads new namespaces, reports vanished ones. */
  function rescan(): Promise<void> {
    if (rescanning) {
      rescanAgain = true;
      return rescanning;
    }
    rescanning = (async () => {
      do {
        rescanAgain = false;
        // Host mode may have had no /run/netns at start; watch it once it exists.
        if (!watcher) startWatch();
        const names = await listNamespaces(runner);
        if (closed) return;
        const current = new Set(names);
        const added = names.filter((name) => !known.has(name));
        const removed = [...known].filter((name) => !current.has(name));
        for (const name of removed) forget(name);
        // A vanished namespace's nsids may be given to a new one: forget what named it.
        if (removed.length > 0) forgetNsidsNaming(new Set(removed));
        strangerNsids.clear();
        // Also after a namespace was deleted and made again under the same name (new nsid).
        await assignNsids(names);
        for (const name of added) {
          known.add(name);
          // Without NAT: a namespace just made has no rules yet (whoever adds some reads them
          // with refresh()); iptables-save in each of 1000 new namespaces would cost seconds.
          schedule(name, { now: true });
        }
      } while (rescanAgain && !closed);
    })().finally(() => {
      rescanning = undefined;
    });
    return rescanning;
  }

  function scheduleRescan(): void {
    if (holds > 0) {
      heldRescan = true;
      return;
    }
    if (closed || rescanTimer) return;
    rescanTimer = setTimeout(() => {
      rescanTimer = undefined;
      rescan().catch(report);
    }, debounceMs);
  }

  function forgetNsidsNaming(gone: ReadonlySet<string>): void {
    for (const [id, name] of rootNsids) if (gone.has(name)) rootNsids.delete(id);
    for (const cache of nsidCaches.values())
      for (const [id, name] of cache.names) if (gone.has(name)) cache.names.delete(id);
  }

  function forget(ns: string): void {
    known.delete(ns);
    nsidCaches.delete(ns);
    const entry = pending.get(ns);
    if (entry?.timer) clearTimeout(entry.timer);
    pending.delete(ns);
    const had = states.delete(ns);
    if (had && !closed) options.onGone(ns);
  }

  /**
   * Asks for a read of `ns`. Events within debounceMs of the first one share a read (the delay
   * does not restart, so a steady stream of events cannot starve it); an event during a read
   * causes one more read after it.
   */
  function schedule(ns: string, how: { withNat?: boolean; now?: boolean } = {}): Promise<void> {
    if (closed) return Promise.resolve();
    let entry = pending.get(ns);
    if (!entry) {
      entry = { dirty: false, withNat: false };
      pending.set(ns, entry);
    }
    entry.withNat ||= how.withNat === true;
    entry.dirty = true;
    // A read in progress reads again after itself (dirty is set), within the same promise.
    if (entry.running) return entry.running;
    if (how.now) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = undefined;
      return start(ns, entry);
    }
    if (holds > 0) {
      heldReads.add(ns);
      return Promise.resolve();
    }
    if (!entry.timer) {
      const current = entry;
      entry.timer = setTimeout(() => {
        current.timer = undefined;
        void start(ns, current);
      }, debounceMs);
    }
    return Promise.resolve();
  }

  function start(ns: string, entry: Pending): Promise<void> {
    entry.running = (async () => {
      while (entry.dirty && !closed) {
        entry.dirty = false;
        const withNat = entry.withNat;
        entry.withNat = false;
        const began = performance.now();
        // A read that crossed replacing() may have named peers after namespaces gone since.
        const current = await readAndEmit(ns, withNat).catch((error: unknown) => {
          report(error);
          return true;
        });
        if (!current) {
          entry.dirty = true;
          entry.withNat ||= withNat;
        }
        // Events went on during the read: read again, but after a pause as long as the read
        // took (at most 1 s), so that a big namespace under a stream of events (the host of a
        // 1000-namespace lab while IPv6 settles) is read at most half of the time.
        if (entry.dirty && !closed)
          await new Promise((resolve) =>
            setTimeout(resolve, Math.min(1000, performance.now() - began)),
          );
      }
    })().finally(() => {
      entry.running = undefined;
      if (pending.get(ns) === entry && !entry.timer) pending.delete(ns);
    });
    return entry.running;
  }

  /**
   * Names for a namespace's peer nsids without listing every namespace (`ip netns list-id`
   * costs ~34 ms among 1000): a veth whose peer is in the lab's host is recognised from the
   * host's side, whose nsids the monitor names. The host's end must be the veth with the peer's
   * ifindex whose own peer is this very interface in this namespace.
   */
  function peersViaHost(ns: string, detail: ReadDetail): Map<number, string> {
    const found = new Map<number, string>();
    const host = states.get(HOST_NS);
    if (ns === HOST_NS || host === undefined) return found;
    for (const link of detail.state.links) {
      const nsid = detail.peerNsids.get(link.ifname);
      if (nsid === undefined || link.peerIfindex === undefined) continue;
      const end = host.links.find(
        (l) =>
          l.ifindex === link.peerIfindex &&
          l.kind === 'veth' &&
          l.peerNamespace === ns &&
          l.peerIfindex === link.ifindex,
      );
      if (end !== undefined) found.set(nsid, HOST_NS);
    }
    return found;
  }

  /** Fills in the peer namespaces that `names` resolves; true when none is left unknown. */
  function nameDetail(detail: ReadDetail, names: ReadonlyMap<number, string>): boolean {
    for (const link of detail.state.links) {
      const nsid = detail.peerNsids.get(link.ifname);
      const name = nsid === undefined ? undefined : names.get(nsid);
      if (name !== undefined) link.peerNamespace = name;
    }
    detail.unresolvedNsids = detail.unresolvedNsids.filter((id) => !names.has(id));
    return detail.unresolvedNsids.length === 0;
  }

  /** One read through the read gate (never held while waiting for another read). */
  async function gatedRead(ns: string, options: ReadOptions): Promise<ReadDetail> {
    await readGate.enter();
    try {
      return await readNamespaceDetail(runner, ns, options);
    } finally {
      readGate.leave();
    }
  }

  /** Reads `ns` and reports a change; false when the read must be done again (see replacing). */
  async function readAndEmit(ns: string, forceNat: boolean): Promise<boolean> {
    const epoch = nsidEpoch;
    const last = states.get(ns);
    const withNat = forceNat || (last !== undefined && last.nat.length > 0);
    // The lab's root: the monitor's map names its nsids. Elsewhere: what was learnt before.
    const cache: NsidCache =
      ns === HOST_NS && rootNsidsListed
        ? { names: rootNsids, unnamed: hostUnnamed }
        : (nsidCaches.get(ns) ?? { names: new Map(), unnamed: new Set() });
    processCount += 1;
    let detail: ReadDetail;
    try {
      detail = await gatedRead(ns, { nat: withNat, nsidNames: cache.names });
      let unknown = detail.unresolvedNsids.filter((id) => !cache.unnamed.has(id));
      if (unknown.length > 0 && ns !== HOST_NS) {
        let viaHost = peersViaHost(ns, detail);
        if (!nameDetail(detail, viaHost)) {
          // The host may be about to show the other end (its read is under way).
          await pending.get(HOST_NS)?.running;
          viaHost = peersViaHost(ns, detail);
          nameDetail(detail, viaHost);
        }
        if (epoch === nsidEpoch)
          nsidCaches.set(ns, {
            names: new Map([...cache.names, ...viaHost]),
            unnamed: cache.unnamed,
          });
        unknown = detail.unresolvedNsids.filter((id) => !cache.unnamed.has(id));
      }
      if (unknown.length > 0) {
        // A veth to a namespace this one has no name for: list the names (once).
        processCount += 1;
        detail = await gatedRead(ns, { nat: withNat });
        if (ns === HOST_NS) for (const id of detail.unresolvedNsids) hostUnnamed.add(id);
      }
    } catch (error) {
      if (error instanceof ReadError && error.code === 'gone') {
        scheduleRescan();
        return true;
      }
      throw error;
    }
    if (closed || !known.has(ns)) return true;
    if (epoch !== nsidEpoch) return false;
    if (detail.nsidNames && ns !== HOST_NS) {
      nsidCaches.set(ns, { names: detail.nsidNames, unnamed: new Set(detail.unresolvedNsids) });
    }
    const read = detail.state;
    if (!detail.natRead && last !== undefined) {
      read.nat = last.nat;
      if (last.conntrack === undefined) delete read.conntrack;
      else read.conntrack = last.conntrack;
    }
    // What did not change stays the previous read's objects (the applier's observed model
    // then looks again only at what changed). snapshot() always holds the latest read (its
    // readAt tells how fresh it is); clients only hear about a change.
    const state = shareUnchangedState(last, read);
    states.set(ns, state);
    if (last !== undefined && sameTables(last, state)) return true;
    options.onChange(ns, state);
    return true;
  }

  function onMonitorLine(line: string): void {
    const match = /^\[nsid (current|\d+)\]/.exec(line);
    if (!match) return;
    if (linkListeners.size > 0) {
      const link = LINK_LINE.exec(line);
      const ns =
        link === null
          ? undefined
          : link[1] === 'current'
            ? HOST_NS
            : rootNsids.get(Number(link[1]));
      if (ns !== undefined) {
        const report = { ns, ifname: link![3]!, deleted: link![2] !== undefined, state: link![4]! };
        for (const listener of linkListeners) listener(report);
      }
    }
    if (match[1] === 'current') {
      schedule(HOST_NS);
      return;
    }
    const nsid = Number(match[1]);
    const ns = rootNsids.get(nsid);
    if (ns !== undefined) {
      if (known.has(ns)) schedule(ns);
      return;
    }
    // An nsid the map does not know (the kernel gives a namespace one in the root when a veth
    // joins them): one listing names them all; one it cannot name is not asked for again until
    // the next rescan.
    if (strangerNsids.has(nsid)) return;
    strangerNsids.add(nsid);
    // During an apply, new nsids come by the hundred: name them once it is over.
    if (holds > 0) heldStrangers.add(nsid);
    else nameStrangers([nsid]);
  }

  /** Lists the root's nsids once and reads (or finds) the namespaces they name. */
  function nameStrangers(nsids: readonly number[]): void {
    refreshRootNsids()
      .then(() => {
        for (const nsid of nsids) {
          const name = rootNsids.get(nsid);
          if (name === undefined) continue;
          strangerNsids.delete(nsid);
          if (known.has(name)) void schedule(name);
          else scheduleRescan();
        }
      })
      .catch(report);
  }

  function startMonitor(): void {
    processCount += 1;
    const child = runner.spawn(HOST_NS, MONITOR_ARGV);
    monitor = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: string | Buffer) => {
      if (stderr.length < 2048) stderr += chunk.toString();
    });
    createInterface({ input: child.stdout }).on('line', onMonitorLine);
    void child.done.then(() => onMonitorExit(child, stderr));
  }

  function onMonitorExit(child: StreamingProcess, stderr: string): void {
    if (closed || monitor !== child) return;
    monitor = undefined;
    if (monitorRestarts >= MAX_MONITOR_RESTARTS) {
      report(new Error(`ip monitor stopped and was not restarted again: ${stderr.trim()}`));
      return;
    }
    monitorRestarts += 1;
    report(new Error(`ip monitor stopped (${stderr.trim() || 'no message'}); restarting it`));
    startMonitor();
    // Events may have been missed while it was down.
    void refresh().catch(report);
  }

  function startWatch(): void {
    try {
      watcher = watch(runner.sandbox.netnsDir, () => scheduleRescan());
      watcher.on('error', () => {
        // The directory went away (host mode) or cannot be watched: refresh() still re-lists.
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      // No /run/netns yet (host mode before the first namespace): the monitor's nsid events
      // and refresh() still find new namespaces.
      watcher = undefined;
    }
  }

  async function refresh(ns?: string): Promise<void> {
    if (closed) return;
    if (ns !== undefined) {
      if (!known.has(ns)) await rescan();
      if (known.has(ns)) await schedule(ns, { withNat: true, now: true });
      return;
    }
    await rescan();
    await Promise.all([...known].map((name) => schedule(name, { withNat: true, now: true })));
  }

  startMonitor();
  startWatch();
  await refresh();

  const natTimer =
    natRefreshMs > 0
      ? setInterval(() => {
          for (const [ns, state] of states) {
            if (state.nat.length > 0) schedule(ns, { withNat: true }).catch(report);
          }
        }, natRefreshMs)
      : undefined;
  natTimer?.unref();

  return {
    snapshot() {
      const all = [...states.values()];
      return all.sort((a, b) =>
        a.ns === HOST_NS ? -1 : b.ns === HOST_NS ? 1 : a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0,
      );
    },
    refresh,
    hold() {
      holds += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds > 0 || closed) return;
        if (heldRescan) {
          heldRescan = false;
          scheduleRescan();
        }
        if (heldStrangers.size > 0) {
          nameStrangers([...heldStrangers]);
          heldStrangers.clear();
        }
        const names = [...heldReads];
        heldReads.clear();
        for (const name of names) if (known.has(name)) void schedule(name).catch(report);
      };
    },
    replacing(names) {
      if (names.length === 0) return;
      nsidEpoch += 1;
      const gone = new Set(names);
      forgetNsidsNaming(gone);
      for (const name of gone) nsidCaches.delete(name);
      // An nsid no name had (a dying namespace's) may be the next new namespace's.
      hostUnnamed.clear();
      strangerNsids.clear();
    },
    onLinkReport(listener) {
      linkListeners.add(listener);
      return () => linkListeners.delete(listener);
    },
    get processCount() {
      return processCount;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (natTimer) clearInterval(natTimer);
      if (rescanTimer) clearTimeout(rescanTimer);
      for (const entry of pending.values()) if (entry.timer) clearTimeout(entry.timer);
      watcher?.close();
      const child = monitor;
      monitor = undefined;
      if (child) {
        child.kill();
        await child.done;
      }
      await Promise.allSettled([...pending.values()].map((entry) => entry.running));
    },
  };
}

/**
 * Warms the lab pipeline up while the agent is idle after its start. V8 runs new code slowly
 * until it has seen it run (interpreter, then baseline, then optimised): the first few applies
 * of a 1000-namespace lab spent 40-50 ms in validation that takes 5-8 ms once warm. Running
 * the pipeline over the built-in labs and a class lab a few times, a lab per event-loop turn,
 * makes a student's first Apply and first edits as quick as the later ones. It changes nothing
 * (no kernel, no state) and stops when real work arrives (the first apply) or the engine closes.
 */
import {
  ClientMessageSchema,
  checkLab,
  classLab,
  compileLab,
  diffModels,
  emptyKernelModel,
  emptyNamespaceState,
  EXAMPLE_LABS,
  HOST_NS,
  observedModel,
  planDiff,
  shareUnchanged,
  stepArgv,
  type KernelModel,
  type KernelView,
  type Lab,
  type NamespaceState,
} from '@netns-lab/model';

export interface WarmUpOptions {
  /** Passes over the labs (default 10: about 0.2 s of CPU in slices of a few ms). */
  rounds?: number;
  signal?: AbortSignal;
}

/**
 * The tables the kernel would show for a model (what the observer would read once it is
 * applied), so that the observed model and the diff run too, as in an edit.
 */
function viewOf(model: KernelModel): KernelView {
  const states = new Map<string, NamespaceState>();
  const stateOf = (ns: string): NamespaceState => {
    let state = states.get(ns);
    if (state === undefined) {
      state = emptyNamespaceState(ns, {
        links: [{ ifname: 'lo', ifindex: 1, state: 'UNKNOWN', adminUp: true, kind: 'loopback' }],
      });
      states.set(ns, state);
    }
    return state;
  };
  stateOf(HOST_NS);
  for (const { name } of Object.values(model.netns)) stateOf(name);
  Object.values(model.iface).forEach((iface, i) =>
    stateOf(iface.ns).links.push({
      ifname: iface.ifname,
      ifindex: i + 2,
      state: iface.up ? 'UP' : 'DOWN',
      adminUp: iface.up,
      kind: iface.kind,
      ...(iface.master === undefined ? {} : { master: iface.master }),
    }),
  );
  for (const { ns, ifname, cidr } of Object.values(model.address))
    stateOf(ns).addresses.push({ ifname, cidr, family: cidr.includes(':') ? 6 : 4 });
  for (const { ns, to, via, dev } of Object.values(model.route))
    stateOf(ns).routes.push({
      to,
      family: 4,
      protocol: 'static',
      ...(via === undefined ? {} : { via }),
      ...(dev === undefined ? {} : { dev }),
    });
  for (const { ns } of Object.values(model.forward)) stateOf(ns).ipForward = true;
  return {
    namespaces: new Set([...states.keys()].filter((ns) => ns !== HOST_NS)),
    states,
  };
}

interface Warmed {
  lab: Lab;
  model: KernelModel;
}

/** One lab through the agent's pipeline, as an apply message would take it, as an edit of the last. */
function throughPipeline(text: string, previous: Warmed | null): Warmed {
  const message = ClientMessageSchema.parse(JSON.parse(text));
  if (message.type !== 'apply') throw new Error('warm-up: not an apply message');
  const lab = shareUnchanged(previous?.lab ?? null, message.lab);
  checkLab(lab);
  const model = compileLab(lab);
  const before = previous?.model ?? emptyKernelModel();
  const current = observedModel([model, before], viewOf(before));
  for (const { step } of planDiff(diffModels(current, model))) stepArgv(step);
  return { lab, model };
}

/** Resolves with the number of labs it ran through (fewer when aborted). */
export async function warmUpPipeline(options: WarmUpOptions = {}): Promise<number> {
  const labs = [...EXAMPLE_LABS.map((e) => e.lab), classLab(200), classLab(201)];
  const texts = labs.map((lab) => JSON.stringify({ type: 'apply', requestId: 'warm-up', lab }));
  let previous: Warmed | null = null;
  let done = 0;
  for (let round = 0; round < (options.rounds ?? 10); round++)
    for (const text of texts) {
      await new Promise((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) return done;
      previous = throughPipeline(text, previous);
      done += 1;
    }
  return done;
}

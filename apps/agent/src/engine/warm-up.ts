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
  EXAMPLE_LABS,
  planDiff,
  shareUnchanged,
  stepArgv,
  type Lab,
} from '@netns-lab/model';

export interface WarmUpOptions {
  /** Passes over the labs (default 10: about 0.2 s of CPU in slices of a few ms). */
  rounds?: number;
  signal?: AbortSignal;
}

/** One lab through the agent's pipeline, as an apply message would take it. */
function throughPipeline(text: string, previous: Lab | null): Lab {
  const message = ClientMessageSchema.parse(JSON.parse(text));
  if (message.type !== 'apply') throw new Error('warm-up: not an apply message');
  const lab = shareUnchanged(previous, message.lab);
  checkLab(lab);
  const model = compileLab(lab);
  for (const { step } of planDiff(diffModels(emptyKernelModel(), model))) stepArgv(step);
  return lab;
}

/** Resolves with the number of labs it ran through (fewer when aborted). */
export async function warmUpPipeline(options: WarmUpOptions = {}): Promise<number> {
  const labs = [...EXAMPLE_LABS.map((e) => e.lab), classLab(200), classLab(201)];
  const texts = labs.map((lab) => JSON.stringify({ type: 'apply', requestId: 'warm-up', lab }));
  let previous: Lab | null = null;
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

/**
 * Worker-thread entry of a parallel ERM evaluation (evaluation-pool.ts): sees
 * the shared data set in place, and per request evaluates its slice of the
 * sequences with the same SIMD pass as the main thread, into its own scratch
 * region and result buffer. Blocks in Atomics.wait between requests (no event
 * loop turn needed to start one). Every failure, loading included, is written
 * to the error block so that the waiting main thread can throw it.
 */
import { workerData } from 'node:worker_threads';
import {
  ACTIVATION,
  COMMAND,
  CONTROL_INTS,
  DONE,
  END,
  EVALUATION_ACTIVATION_IDS,
  type EvaluationWorkerData,
  FIRST,
  KERNEL,
  MAX_PARAMETERS,
  READY,
  REQUEST,
  STATUS,
  STOP,
  WITH_GRAD,
  writeError,
} from './evaluation-protocol.ts';

const init = workerData as EvaluationWorkerData;
const control = new Int32Array(init.control, init.index * CONTROL_INTS * 4, CONTROL_INTS);
const errors = new Uint8Array(init.errors);

async function load() {
  // loaded here, not statically, so that a failure to load reaches the main thread as an error (not a timeout)
  const { Dataset } = await import('./data.ts');
  const { ErmObjective } = await import('./objective.ts');
  const { getActivation } = await import('../estimator/activations.ts');
  const data = Dataset.fromSharedParts(init.parts as Parameters<typeof Dataset.fromSharedParts>[0]);
  const objectives = new Map<number, InstanceType<typeof ErmObjective>>();
  return (activation: number, native: boolean) => {
    const key = 2 * activation + (native ? 1 : 0);
    let objective = objectives.get(key);
    if (!objective) {
      const id = EVALUATION_ACTIVATION_IDS[activation];
      if (id === undefined) throw new RangeError(`no activation with index ${activation} in a worker thread`);
      // the kernels the calling thread uses ('native' throws here if this thread cannot load the addon)
      objective = new ErmObjective(data, getActivation(id), { lambdaK: 0, lambdaV: 0 }, { kernel: native ? 'native' : 'wasm' });
      objectives.set(key, objective);
    }
    return objective;
  };
}

let objectiveFor: Awaited<ReturnType<typeof load>>;
try {
  objectiveFor = await load();
  Atomics.store(control, READY, 1);
} catch (e) {
  writeError(control, errors, e);
  Atomics.store(control, READY, -1);
}
Atomics.notify(control, READY);

if (Atomics.load(control, READY) === 1) {
  const weights = new Float64Array(init.weights);
  const results = new Float64Array(init.results);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, REQUEST, seen);
    seen = Atomics.load(control, REQUEST);
    if (control[COMMAND] === STOP) break;
    try {
      const objective = objectiveFor!(control[ACTIVATION], control[KERNEL] === 1);
      const D = objective.D;
      const w = weights.subarray(0, 2 * D + objective.nTheta);
      const out = control[WITH_GRAD] === 1 ? results.subarray(0, 2 * D + objective.nTheta) : undefined;
      results[2 * D + MAX_PARAMETERS] = objective.evaluateSlice(w, out, control[FIRST], control[END], init.index + 1);
      control[STATUS] = 0;
    } catch (e) {
      writeError(control, errors, e);
      control[STATUS] = 1;
    }
    Atomics.store(control, DONE, seen);
    Atomics.notify(control, DONE);
  }
}

/**
 * Parallel loss-and-gradient evaluation: a small pool of worker threads that
 * evaluate slices of one shared data set (data.ts, storage 'shared') while
 * the calling thread evaluates the first slice itself; per-sequence work is
 * independent, so each thread sums its sequences' loss and gradient into its
 * own scratch region and result buffer, and the caller adds the partial sums.
 *
 * Synchronisation per evaluation goes through shared memory only
 * (evaluation-protocol.ts): the caller writes w, bumps each worker's request
 * counter and notifies it, evaluates its own slice, then waits in
 * Atomics.wait for every worker's done counter. No event-loop turn is
 * involved, so the synchronous L-BFGS loop can call it; measured cost in
 * bench/erm.ts.
 *
 * Slices are whole sequences, split so that each thread has about the same
 * number of tokens; for a fixed thread count the split, and so the result,
 * is deterministic; across thread counts results agree to rounding.
 *
 * Lifetime: one pool per data set (`evaluationPool`), workers unref'd (an
 * idle pool never keeps the process alive), stopped by `closeEvaluationPool`
 * or when the data set is garbage-collected.
 *
 * Failure: an error thrown in a worker (while loading or evaluating) is
 * written to shared memory and thrown here as a WorkerThreadError; a worker
 * that has not started within STARTUP_TIMEOUT_MS is one too. A worker that
 * dies without throwing (killed from outside) is noticed between
 * evaluations (its 'exit' event), and during one by a deadline (50× the
 * caller's own slice, at least EVALUATION_TIMEOUT_MIN_MS), after which the
 * pool is closed. Both limits can be lowered per pool (EvaluationPoolOptions;
 * the tests of these paths do).
 */
import { Worker } from 'node:worker_threads';
import { WorkerThreadError } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { getActivation } from '../estimator/activations.ts';
import type { Dataset } from './data.ts';
import {
  ACTIVATION,
  COMMAND,
  CONTROL_INTS,
  DONE,
  END,
  ERROR_BYTES,
  EVALUATE,
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
  readError,
} from './evaluation-protocol.ts';

/** How long a worker may take to load (tsx compiles the sources on first start). */
export const STARTUP_TIMEOUT_MS = 60_000;
/** the least time a worker may take over its slice of one evaluation before it is taken as dead */
export const EVALUATION_TIMEOUT_MIN_MS = 30_000;

/** Index of `act` among the activations a worker can evaluate, or −1 (then evaluations stay in the calling thread). */
export function workerActivationIndex(act: Activation): number {
  if (act.parameters.length > MAX_PARAMETERS) return -1;
  return EVALUATION_ACTIVATION_IDS.findIndex((id) => getActivation(id) === act);
}

/** Limits of a pool, and the worker it runs (the defaults everywhere but in tests of its failure paths). */
export interface EvaluationPoolOptions {
  /** how long a worker may take to load (default STARTUP_TIMEOUT_MS) */
  startupTimeoutMs?: number;
  /** the least time a worker may take over its slice before it is taken as dead (default EVALUATION_TIMEOUT_MIN_MS) */
  evaluationTimeoutMinMs?: number;
  /** the worker's entry module (default the evaluation worker; tests run workers that never start or never answer) */
  workerEntry?: URL;
}

/** One worker's partial sums after an evaluation (views into shared memory, valid until the next one). */
export interface PartialResult {
  /** data gradient (2D), then θ gradient (nTheta); only filled when the gradient was asked for */
  readonly gradient: Float64Array;
  readonly loss: number;
}

export class EvaluationPool {
  /** threads of an evaluation: the caller and `threads − 1` workers */
  readonly threads: number;
  /** the sequence slices [bounds[t], bounds[t + 1]) of thread t (t = 0: the caller) */
  readonly bounds: Uint32Array;
  private readonly D: number;
  private readonly workers: Worker[];
  private readonly control: Int32Array;
  private readonly weights: Float64Array;
  private readonly results: Float64Array[];
  private readonly errors: Uint8Array[];
  private generation = 0;
  private ready = false;
  private closed = false;
  /** set from a worker's 'error' or 'exit' event (seen between evaluations) */
  private failure: string | undefined;
  private readonly startupTimeoutMs: number;
  private readonly evaluationTimeoutMinMs: number;

  constructor(data: Dataset, threads: number, options: EvaluationPoolOptions = {}) {
    const workerCount = threads - 1;
    if (!(workerCount >= 1 && workerCount < data.scratchSlots)) throw new WorkerThreadError(`a pool of ${threads} threads needs ${threads} scratch regions, the data have ${data.scratchSlots}`);
    const parts = data.sharedParts();
    this.threads = threads;
    this.D = data.D;
    this.bounds = tokenBalancedBounds(data.length, threads);
    this.control = new Int32Array(new SharedArrayBuffer(workerCount * CONTROL_INTS * 4));
    const weights = new SharedArrayBuffer(8 * (2 * data.D + MAX_PARAMETERS));
    this.weights = new Float64Array(weights);
    this.results = [];
    this.errors = [];
    this.workers = [];
    const here = import.meta.url;
    const entry = options.workerEntry ?? (here.endsWith('.ts') ? new URL('./evaluation-worker-bootstrap.mjs', here) : new URL('./evaluation-worker.js', here));
    this.startupTimeoutMs = options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS;
    this.evaluationTimeoutMinMs = options.evaluationTimeoutMinMs ?? EVALUATION_TIMEOUT_MIN_MS;
    for (let k = 0; k < workerCount; k++) {
      const results = new SharedArrayBuffer(8 * (2 * data.D + MAX_PARAMETERS + 1));
      const errors = new SharedArrayBuffer(ERROR_BYTES);
      this.results.push(new Float64Array(results));
      this.errors.push(new Uint8Array(errors));
      const workerData: EvaluationWorkerData = { parts, control: this.control.buffer as SharedArrayBuffer, weights, results, errors, index: k };
      const worker = new Worker(entry, { workerData });
      worker.unref();
      worker.on('error', (e) => (this.failure ??= `worker ${k} failed: ${e.name}: ${e.message}`));
      worker.on('exit', (code) => {
        if (!this.closed) this.failure ??= `worker ${k} exited (code ${code})`;
      });
      this.workers.push(worker);
    }
  }

  /**
   * One evaluation: workers evaluate their slices at w (activation index
   * `activation`, see workerActivationIndex; with the native kernels when
   * `native`, else the SIMD ones, as the caller), `own(first, end)` evaluates the
   * caller's slice meanwhile; returns the workers' partial sums once all are
   * done. Throws WorkerThreadError when a worker failed (after every worker
   * has finished, so the pool stays usable).
   */
  evaluate(activation: number, native: boolean, w: Float64Array, withGradient: boolean, own: (first: number, end: number) => void): PartialResult[] {
    if (this.closed) throw new WorkerThreadError('the evaluation pool was closed');
    if (this.failure) throw new WorkerThreadError(this.failure);
    this.awaitReady();
    this.weights.set(w);
    const gen = ++this.generation;
    for (let k = 0; k < this.workers.length; k++) {
      const c = k * CONTROL_INTS;
      this.control[c + COMMAND] = EVALUATE;
      this.control[c + ACTIVATION] = activation;
      this.control[c + KERNEL] = native ? 1 : 0;
      this.control[c + WITH_GRAD] = withGradient ? 1 : 0;
      this.control[c + FIRST] = this.bounds[k + 1];
      this.control[c + END] = this.bounds[k + 2];
      Atomics.store(this.control, c + REQUEST, gen); // after the plain stores above: they are visible to the worker
      Atomics.notify(this.control, c + REQUEST);
    }
    let ownError: unknown;
    const started = performance.now();
    try {
      own(this.bounds[0], this.bounds[1]);
    } catch (e) {
      ownError = e; // rethrown once the workers are done with the shared buffers
    }
    // a worker's slice costs about what the caller's did; one that has not answered long after is taken
    // as dead (killed from outside: its exit event cannot reach this blocked thread) instead of hanging
    const deadline = performance.now() + Math.max(this.evaluationTimeoutMinMs, 50 * (performance.now() - started));
    const failures: string[] = [];
    for (let k = 0; k < this.workers.length; k++) {
      const c = k * CONTROL_INTS;
      for (let done = Atomics.load(this.control, c + DONE); done !== gen; done = Atomics.load(this.control, c + DONE)) {
        const left = deadline - performance.now();
        if (left <= 0) {
          this.close();
          throw new WorkerThreadError(`evaluation worker ${k} did not answer within ${((performance.now() - started) / 1000).toFixed(1)} s (50× the caller's own slice, at least ${this.evaluationTimeoutMinMs / 1000} s); the pool is closed`);
        }
        Atomics.wait(this.control, c + DONE, done, left);
      }
      if (this.control[c + STATUS] !== 0) failures.push(`worker ${k}: ${readError(this.control.subarray(c, c + CONTROL_INTS), this.errors[k])}`);
    }
    if (ownError !== undefined) throw ownError;
    if (failures.length > 0) throw new WorkerThreadError(`parallel evaluation failed in ${failures.join('; ')}`);
    return this.results.map((r) => ({ gradient: r, loss: r[2 * this.D + MAX_PARAMETERS] }));
  }

  /** Block until every worker has loaded (first evaluation only). */
  private awaitReady(): void {
    if (this.ready) return;
    const deadline = performance.now() + this.startupTimeoutMs;
    for (let k = 0; k < this.workers.length; k++) {
      const c = k * CONTROL_INTS;
      for (let state = Atomics.load(this.control, c + READY); state !== 1; state = Atomics.load(this.control, c + READY)) {
        if (state === -1) {
          const message = readError(this.control.subarray(c, c + CONTROL_INTS), this.errors[k]);
          this.close();
          throw new WorkerThreadError(`evaluation worker ${k} failed to start: ${message}`);
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          this.close();
          throw new WorkerThreadError(`evaluation worker ${k} did not start within ${this.startupTimeoutMs / 1000} s`);
        }
        Atomics.wait(this.control, c + READY, state, left);
      }
    }
    this.ready = true;
  }

  /** Stop the workers (idempotent): a stop request each, then terminate for those still loading. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let k = 0; k < this.workers.length; k++) {
      const c = k * CONTROL_INTS;
      this.control[c + COMMAND] = STOP;
      Atomics.add(this.control, c + REQUEST, 1);
      Atomics.notify(this.control, c + REQUEST);
      void this.workers[k].terminate();
    }
  }
}

/** Slice bounds over N sequences for T threads with about Σ L / T tokens each: bounds[t] = first n with tokens before n ≥ t·Σ L / T. */
export function tokenBalancedBounds(lengths: ArrayLike<number>, threads: number): Uint32Array {
  const N = lengths.length;
  let total = 0;
  for (let n = 0; n < N; n++) total += lengths[n];
  const bounds = new Uint32Array(threads + 1);
  let before = 0;
  let t = 1;
  for (let n = 0; n < N && t < threads; n++) {
    while (t < threads && before >= (t * total) / threads) bounds[t++] = n;
    before += lengths[n];
  }
  while (t <= threads) bounds[t++] = N;
  return bounds;
}

const pools = new WeakMap<Dataset, EvaluationPool>();
const release = new FinalizationRegistry<EvaluationPool>((pool) => pool.close());

/**
 * The pool evaluating `data` on `threads` threads (created on first use:
 * its workers start loading at once and the first evaluation waits for
 * them). A data set has at most one pool; a request for another thread
 * count replaces it.
 */
export function evaluationPool(data: Dataset, threads: number): EvaluationPool {
  let pool = pools.get(data);
  if (pool && pool.threads !== threads) {
    closeEvaluationPool(data);
    pool = undefined;
  }
  if (!pool) {
    pool = new EvaluationPool(data, threads);
    pools.set(data, pool);
    release.register(data, pool, pool);
  }
  return pool;
}

/** Stop the workers of `data`'s pool, if any (a later evaluation starts a new one). */
export function closeEvaluationPool(data: Dataset): void {
  const pool = pools.get(data);
  if (!pool) return;
  pools.delete(data);
  release.unregister(pool);
  pool.close();
}

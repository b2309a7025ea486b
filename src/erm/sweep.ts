/**
 * The ERM sweep behind `slr erm` and Figure 3: every (activation, α, seed)
 * point, run on a pool of worker threads (piscina), with resume.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { InadmissibleOverlapsError, InvalidInputError, NumericalRangeError, SlrError, UnknownNameError, WorkerThreadError, requireFinite } from '../errors.ts';
import { erfActivation, getActivation, linear, softmax, softplusKernel, unnormalisedExp } from '../estimator/activations.ts';
import { type LengthLaw, describeLengthLaw } from '../task/length-law.ts';
import { getTask, maxTask, spikedTask, validateNu } from '../task/tasks.ts';
import { MAX_DIMENSION } from './data.ts';
import { DEFAULT_GTOL, type ErmInit } from './fit.ts';
import { type ErmPoint, type ErmPointSpec, defaultValidationSamples, validateSpec } from './point.ts';
import type { WorkerReply } from './worker.ts';

export interface ErmSweepOptions {
  /** task id (`getTask`) */
  readonly task: string;
  readonly nu: number;
  readonly lengths: LengthLaw;
  /** label-noise variance Δ ≥ 0 (default 0) */
  readonly delta?: number;
  /** activation ids (`getActivation`) */
  readonly acts: readonly string[];
  /** sample ratios α = N/D > 0 */
  readonly alphas: readonly number[];
  /** fixed dimension D ≥ 2 (N = round(α·D)) … */
  readonly D?: number;
  /** … or a fixed √(N·D) (D = round(√(ND)/√α), N = round(α·D)), as in the paper's Figure 3 */
  readonly sqrtND?: number;
  /** ridge penalties λ_k, λ_v ≥ 0 (default 0.01 each; convention in objective.ts) */
  readonly lambdaK?: number;
  readonly lambdaV?: number;
  /** when given (non-empty): tune (λ_k, λ_v) over grid × grid (or λ_k = λ_v ∈ grid, see lambdaGridMode) on a validation set */
  readonly lambdaGrid?: readonly number[];
  readonly lambdaGridMode?: 'product' | 'diagonal';
  /** validation sequences (default max(200, ⌈N/4⌉)) */
  readonly validationSamples?: number;
  /** number of seeds (default 5), numbered firstSeed, firstSeed + 1, … */
  readonly seeds?: number;
  readonly firstSeed?: number;
  /** starting point of L-BFGS (default 'informed') */
  readonly init?: ErmInit;
  /** fresh sequences for the empirical test risk (default 10^4) */
  readonly testSamples?: number;
  /** coverage of the intervals (default 0.95) */
  readonly confidence?: number;
  readonly gTol?: number;
  readonly maxIterations?: number;
  /** test risk by quadrature at the learned overlaps (default true; see ErmPointSpec.quadrature) */
  readonly quadrature?: boolean;
  /**
   * worker threads (default: available cores, at most the number of points);
   * 0 or 1 runs in this thread. Threads left over when there are fewer
   * points than threads split each evaluation of a fit (evaluationThreadsPerFit).
   */
  readonly workers?: number;
  /** points already computed (resume): specs with the same key are not run again, and these are returned */
  readonly completed?: readonly ErmPoint[];
  /** module URL each worker imports first (to register user-defined activations or tasks) */
  readonly workerSetup?: string;
}

export interface ErmProgress {
  readonly done: number;
  readonly total: number;
  /** points taken from `completed` */
  readonly skipped: number;
  /** the point just finished (undefined for the initial call) */
  readonly point?: ErmPoint;
}

export const DEFAULT_LAMBDA = 0.01;
export const DEFAULT_SEEDS = 5;
export const DEFAULT_TEST_SAMPLES = 10_000;
export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_MAX_ITERATIONS = 2000;

/** The resume key of a point or spec: every field that defines it, in a fixed order. */
export function pointKey(p: ErmPoint | ErmPointSpec): string {
  const L = typeof (p as ErmPoint).L === 'string' ? (p as ErmPoint).L : describeLengthLaw((p as ErmPointSpec).lengths);
  const grid = typeof p.lambdaGrid === 'string' ? p.lambdaGrid : p.lambdaGrid.join(';');
  return [p.task, p.nu, L, p.delta, p.act, p.D, p.N, p.alpha, p.seed, p.init, p.lambdaK, p.lambdaV, grid, p.lambdaGridMode ?? 'product', p.validationSamples, p.testSamples, p.confidence, p.gTol, p.maxIterations, p.quadrature ?? true]
    .map(String)
    .join('|');
}

/** Sizes of the sweep: (D, N) for each α. */
export function sweepSizes(options: Pick<ErmSweepOptions, 'alphas' | 'D' | 'sqrtND'>): { alpha: number; D: number; N: number }[] {
  if ((options.D === undefined) === (options.sqrtND === undefined)) throw new InvalidInputError('give exactly one of D and sqrt-nd');
  if (options.alphas.length === 0) throw new InvalidInputError('alpha needs at least one value');
  return options.alphas.map((alpha) => {
    requireFinite('alpha', alpha);
    if (!(alpha > 0)) throw new InvalidInputError(`alpha must be > 0, got ${alpha}`);
    let D: number;
    if (options.D !== undefined) {
      D = requireFinite('D', options.D, { min: 2, max: MAX_DIMENSION, integer: true });
    } else {
      const s = requireFinite('sqrt-nd', options.sqrtND, { min: 1 });
      D = Math.round(s / Math.sqrt(alpha));
      if (D < 2) throw new InvalidInputError(`sqrt-nd = ${s} at alpha = ${alpha} gives D = ${D} < 2`);
      if (D > MAX_DIMENSION) throw new InvalidInputError(`sqrt-nd = ${s} at alpha = ${alpha} gives D = ${D} > ${MAX_DIMENSION}`);
    }
    const N = Math.round(alpha * D);
    if (N < 1) throw new InvalidInputError(`alpha = ${alpha} with D = ${D} gives N = ${N} < 1 training sequences`);
    return { alpha, D, N };
  });
}

/** The validated list of points of a sweep, in output order (activation, α, seed). */
export function sweepSpecs(options: ErmSweepOptions): ErmPointSpec[] {
  const task = getTask(options.task);
  const nu = validateNu(task, options.nu);
  const delta = requireFinite('delta', options.delta ?? 0, { min: 0 });
  if (options.acts.length === 0) throw new InvalidInputError('act needs at least one activation');
  for (const a of options.acts) {
    if (a === 'bayes') throw new InvalidInputError('ERM trains an attention activation; bayes is not one (see slr risk --act bayes)');
    getActivation(a);
  }
  const seeds = requireFinite('seeds', options.seeds ?? DEFAULT_SEEDS, { min: 1, integer: true });
  const firstSeed = requireFinite('seed', options.firstSeed ?? 1, { integer: true });
  const grid = options.lambdaGrid ?? [];
  const specs: ErmPointSpec[] = [];
  // repeated activations or α would repeat points (same key): each is run once
  const acts = [...new Set(options.acts)];
  const sizes = sweepSizes({ ...options, alphas: [...new Set(options.alphas)] });
  for (const act of acts) {
    for (const { alpha, D, N } of sizes) {
      for (let s = 0; s < seeds; s++) {
        const spec: ErmPointSpec = {
          task: task.id,
          nu,
          lengths: { lengths: [...options.lengths.lengths], probabilities: [...options.lengths.probabilities] },
          delta,
          act,
          D,
          N,
          alpha,
          seed: firstSeed + s,
          init: options.init ?? 'informed',
          lambdaK: options.lambdaK ?? DEFAULT_LAMBDA,
          lambdaV: options.lambdaV ?? DEFAULT_LAMBDA,
          lambdaGrid: [...grid],
          lambdaGridMode: options.lambdaGridMode ?? 'product',
          validationSamples: options.validationSamples ?? defaultValidationSamples(N),
          testSamples: options.testSamples ?? DEFAULT_TEST_SAMPLES,
          confidence: options.confidence ?? DEFAULT_CONFIDENCE,
          gTol: options.gTol ?? DEFAULT_GTOL,
          maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
          quadrature: options.quadrature ?? true,
        };
        validateSpec(spec);
        specs.push(spec);
      }
    }
  }
  return specs;
}

const BUILT_IN_ACTIVATIONS = new Set<unknown>([softmax, linear, erfActivation, softplusKernel, unnormalisedExp]);
const BUILT_IN_TASKS = new Set<unknown>([spikedTask, maxTask]);

/**
 * Run the sweep: every point not in `options.completed`, on `workers` threads
 * (largest N·D first, so the pool stays busy), calling `onProgress` after
 * each. Returns all points (completed ones included) in `sweepSpecs` order.
 *
 * Worker threads know only the built-in activations and tasks, plus what
 * `workerSetup` registers; when the sweep uses another one and no setup
 * module is given, it runs in this thread instead.
 */
export async function ermSweep(options: ErmSweepOptions, onProgress?: (p: ErmProgress) => void): Promise<ErmPoint[]> {
  const specs = sweepSpecs(options);
  const done = new Map<string, ErmPoint>();
  for (const p of options.completed ?? []) done.set(pointKey(p), p);
  const keys = specs.map(pointKey);
  const pending = specs.filter((_, i) => !done.has(keys[i]));
  const skipped = specs.length - pending.length;
  let finished = skipped;
  onProgress?.({ done: finished, total: specs.length, skipped });
  const record = (p: ErmPoint) => {
    done.set(pointKey(p), p);
    finished++;
    onProgress?.({ done: finished, total: specs.length, skipped, point: p });
  };

  const custom = options.acts.some((a) => !BUILT_IN_ACTIVATIONS.has(getActivation(a))) || !BUILT_IN_TASKS.has(getTask(options.task));
  const requested = options.workers ?? availableParallelism();
  requireFinite('workers', requested, { min: 0, integer: true });
  const workers = custom && !options.workerSetup ? 1 : Math.min(requested, pending.length);
  const threads = evaluationThreadsPerFit(requested, workers, availableParallelism());
  const order = [...pending].sort((a, b) => b.N * b.D - a.N * a.D).map((spec) => ({ ...spec, evaluationThreads: threads }));
  if (workers <= 1) {
    const { runErmPoint } = await import('./point.ts');
    for (const spec of order) {
      record(runErmPoint(spec));
      await new Promise((resolve) => setImmediate(resolve)); // let a progress bar repaint
    }
  } else {
    const pool = createPool(workers, options.workerSetup);
    try {
      await Promise.all(
        order.map(async (spec) => {
          const reply = (await pool.run(spec)) as WorkerReply;
          if (!reply.ok) throw rebuildError(reply);
          record(reply.point);
        }),
      );
    } finally {
      await pool.destroy();
    }
  }
  return keys.map((k) => done.get(k)!);
}

/**
 * Threads of one loss-and-gradient evaluation when `workers` points run at
 * once out of `requested` threads (sweep option `workers`) on `cores` cores:
 * the threads the user allowed, up to the cores, shared evenly among the
 * points running at once, at least 1. So a sweep that already runs a point
 * per core fits each with one thread (no oversubscription), a single point
 * (or a sweep left in this thread with workers ≥ 2, e.g. one pending point)
 * splits its evaluations over the cores, and workers = 0 or 1 keeps
 * everything in this thread. (The last points of a sweep still run one
 * thread each when others have finished: the split is fixed per point.)
 */
export function evaluationThreadsPerFit(requested: number, workers: number, cores: number): number {
  return Math.max(1, Math.floor(Math.min(requested, cores) / Math.max(1, workers)));
}

/** A piscina pool running worker.ts (through the tsx bootstrap when the sources are TypeScript). */
function createPool(threads: number, setup?: string): Piscina {
  const here = import.meta.url;
  const filename = here.endsWith('.ts') ? new URL('./worker-bootstrap.mjs', here).href : new URL('./worker.js', here).href;
  return new Piscina({ filename, minThreads: 0, maxThreads: threads, idleTimeout: 1000, workerData: { setup: setup ?? '' } });
}

const ERROR_CLASSES: Record<string, new (message: string) => SlrError> = {
  InvalidInputError,
  WorkerThreadError,
  InadmissibleOverlapsError,
  NumericalRangeError,
  UnknownNameError,
  SlrError,
};

function rebuildError(reply: Extract<WorkerReply, { ok: false }>): Error {
  const Cls = reply.typed ? (ERROR_CLASSES[reply.name] ?? SlrError) : undefined;
  if (Cls) return new Cls(reply.message);
  const e = new Error(`ERM worker failed: ${reply.message}`);
  e.name = reply.name;
  return e;
}

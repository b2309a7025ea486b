/**
 * One ERM experiment ("point"): draw a teacher and a training set, fit k, v
 * (and σ's parameters) by ridge-regularised ERM, and measure the result.
 *
 * Two test risks are reported, both for the trained predictor (k, v, θ fixed)
 * on a fresh sequence drawn with the same k*, v*:
 * - `testRisk`: by quadrature (`populationRisk` at the learned overlaps),
 *   with its error bound. This is the exact expected test risk of the trained
 *   predictor at this finite D, not only a D → ∞ limit: for fixed k, v a
 *   Gaussian token's projections (χ*, z*, χ, z) are jointly Gaussian with the
 *   Gram matrix of (u_k, u_v, k/√D, v/√D) as covariance, which is what the
 *   seven overlaps encode (THEORY.md §3); the spike's mean shift along u_k
 *   enters χ through m_kk* exactly as in the reduction.
 * - `testRiskEmpirical`: the mean of (y − f)² over `testSamples` fresh
 *   sequences of the full model, with the half-width of a CLT interval at
 *   `confidence` (a Monte Carlo check of the former, independent of the
 *   reduction).
 *
 * Reproducibility: the random streams of a point depend only on (task, ν,
 * P_L, Δ, D, N, seed), so every activation and penalty sees the same teacher,
 * training, validation and test sets (comparisons between σ are paired).
 */
import { InvalidInputError, SlrError, requireFinite } from '../errors.ts';
import { getActivation } from '../estimator/activations.ts';
import { RandomStream } from '../numerics/random.ts';
import { RunningStats, meanWithInterval } from '../numerics/statistics.ts';
import type { Overlaps } from '../risk/overlaps.ts';
import { populationRisk } from '../risk/population.ts';
import { type LengthLaw, describeLengthLaw, lengthLaw } from '../task/length-law.ts';
import { getTask, validateNu } from '../task/tasks.ts';
import { type DataLaw, type Dataset, DatasetStream, drawDataset, drawTeacher } from './data.ts';
import { type ErmFit, type ErmInit, fitErm } from './fit.ts';
import { closeEvaluationPool } from './evaluation-pool.ts';
import { ErmObjective, learnedOverlaps } from './objective.ts';

/** Everything that defines one point (plain data: it crosses to worker threads). */
export interface ErmPointSpec {
  readonly task: string;
  readonly nu: number;
  readonly lengths: { readonly lengths: readonly number[]; readonly probabilities: readonly number[] };
  readonly delta: number;
  readonly act: string;
  readonly D: number;
  readonly N: number;
  /** the requested α (N = round(α·D), so N/D may differ slightly) */
  readonly alpha: number;
  readonly seed: number;
  readonly init: ErmInit;
  readonly lambdaK: number;
  readonly lambdaV: number;
  /** when not empty: the penalties are chosen on a validation set among the grid (lambdaK/lambdaV are then unused) */
  readonly lambdaGrid: readonly number[];
  /**
   * 'product': (λ_k, λ_v) ∈ grid × grid; 'diagonal': λ_k = λ_v ∈ grid (|grid| fits
   * instead of |grid|²). Default 'product'.
   */
  readonly lambdaGridMode?: 'product' | 'diagonal';
  readonly validationSamples: number;
  readonly testSamples: number;
  readonly confidence: number;
  readonly gTol: number;
  readonly maxIterations: number;
  /**
   * compute `testRisk` by quadrature (default true). Off for settings where the
   * quadrature is too slow to run per point (e.g. softmax on max-SLR at the
   * time of writing: minutes per call); then only the fresh-sample risk is reported.
   */
  readonly quadrature?: boolean;
  /**
   * threads of one loss-and-gradient evaluation on the training set (default
   * 1; see ObjectiveOptions.threads and the sweep's rule in sweep.ts). Not
   * part of the point's key: results agree across thread counts to rounding
   * (the L-BFGS path may then differ in the last digits).
   */
  readonly evaluationThreads?: number;
}

/** The result of one point: its spec (flattened) and what was measured (the learned overlaps as `Overlaps`). */
export interface ErmPoint extends Overlaps {
  readonly task: string;
  readonly nu: number;
  /** the length law as `describeLengthLaw` prints it */
  readonly L: string;
  readonly delta: number;
  readonly act: string;
  readonly D: number;
  readonly N: number;
  readonly alpha: number;
  readonly seed: number;
  readonly init: ErmInit;
  readonly lambdaK: number;
  readonly lambdaV: number;
  /** the grid as a ';'-separated list, '' when the penalties were fixed */
  readonly lambdaGrid: string;
  readonly lambdaGridMode: 'product' | 'diagonal';
  readonly validationSamples: number;
  readonly testSamples: number;
  readonly confidence: number;
  readonly gTol: number;
  readonly maxIterations: number;
  /** whether testRisk was computed by quadrature (else it is NaN) */
  readonly quadrature: boolean;
  /** penalties of the reported fit (= lambdaK, lambdaV unless tuned) */
  readonly lambdaKUsed: number;
  readonly lambdaVUsed: number;
  /** validation mean square error of the chosen fit (NaN without a grid) */
  readonly validationLoss: number;
  /** (1/N) Σ (y − f)² on the training set */
  readonly trainLoss: number;
  /** E_train = trainLoss + λ_k q_kk + λ_v q_vv */
  readonly objective: number;
  /** expected test risk of the trained predictor by quadrature (NaN if it could not be computed, see message) */
  readonly testRisk: number;
  /** absolute error bound of testRisk */
  readonly testRiskError: number;
  /** mean (y − f)² over testSamples fresh sequences */
  readonly testRiskEmpirical: number;
  /** half-width of its CLT interval at `confidence` */
  readonly testRiskEmpiricalError: number;
  /** σ's trained parameters (e.g. erf's c) */
  readonly theta: readonly number[];
  /** L-BFGS iterations and loss-and-gradient evaluations, summed over the fits of a grid */
  readonly iterations: number;
  readonly evaluations: number;
  /** number of L-BFGS fits (1, or the number of grid points) */
  readonly fits: number;
  /** whether the reported fit met its stopping test */
  readonly converged: boolean;
  readonly message: string;
  /** how φ' was obtained */
  readonly gradient: 'analytic' | 'central-difference';
  /** wall time of the point (s) */
  readonly seconds: number;
}

/** Sequences per block of the streamed test set: about 2^22 numbers (16 MB). */
const TEST_BLOCK_NUMBERS = 1 << 22;

/**
 * A 32-bit seed from the data-defining fields (FNV-1a over their canonical
 * text), so that points with equal data law, D, N and seed share their data.
 */
export function dataSeed(spec: Pick<ErmPointSpec, 'task' | 'nu' | 'lengths' | 'delta' | 'D' | 'N' | 'seed'>): number {
  const text = JSON.stringify([spec.task, String(spec.nu), spec.lengths.lengths, spec.lengths.probabilities, spec.delta, spec.D, spec.N, spec.seed]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Stream indices of a point (RandomStream.streams: independent, non-overlapping). */
const STREAM = { teacher: 0, trainSampler: 1, trainTokens: 2, validationSampler: 3, validationTokens: 4, testSampler: 5, testTokens: 6, init: 7 } as const;

/** Validate the fields of a spec that are not checked elsewhere (throws InvalidInputError). */
export function validateSpec(spec: ErmPointSpec): void {
  requireFinite('D', spec.D, { min: 2, integer: true });
  requireFinite('N', spec.N, { min: 1, integer: true });
  requireFinite('alpha', spec.alpha);
  if (!(spec.alpha > 0)) throw new InvalidInputError(`alpha must be > 0, got ${spec.alpha}`);
  requireFinite('seed', spec.seed, { integer: true });
  requireFinite('lambda-k', spec.lambdaK, { min: 0 });
  requireFinite('lambda-v', spec.lambdaV, { min: 0 });
  for (const l of spec.lambdaGrid) requireFinite('lambda-grid entry', l, { min: 0 });
  requireFinite('validation samples', spec.validationSamples, { min: 1, integer: true });
  requireFinite('test samples', spec.testSamples, { min: 2, integer: true });
  requireFinite('gtol', spec.gTol, { min: 0 });
  requireFinite('max-iterations', spec.maxIterations, { min: 1, integer: true });
  if (!(spec.confidence > 0 && spec.confidence < 1)) throw new InvalidInputError(`confidence must be in (0, 1), got ${spec.confidence}`);
  if (spec.lambdaGridMode !== undefined && spec.lambdaGridMode !== 'product' && spec.lambdaGridMode !== 'diagonal') {
    throw new InvalidInputError(`lambda-grid mode must be product or diagonal, got ${String(spec.lambdaGridMode)}`);
  }
  if (spec.init !== 'informed' && spec.init !== 'random') throw new InvalidInputError(`init must be informed or random, got ${String(spec.init)}`);
}

/** Run one point (synchronously; the sweep runs many on a worker pool). */
export function runErmPoint(spec: ErmPointSpec): ErmPoint {
  const started = performance.now();
  validateSpec(spec);
  const task = getTask(spec.task);
  const act = getActivation(spec.act);
  const nu = validateNu(task, spec.nu);
  const lengths: LengthLaw = lengthLaw(spec.lengths.lengths, spec.lengths.probabilities);
  const law: DataLaw = { task, nu, lengths, delta: requireFinite('delta', spec.delta, { min: 0 }) };
  const streams = RandomStream.streams(dataSeed(spec), 8);
  const teacher = drawTeacher(spec.D, streams[STREAM.teacher]);
  const { data } = drawDataset(law, teacher, spec.N, streams[STREAM.trainSampler], streams[STREAM.trainTokens]);
  const threads = spec.evaluationThreads ?? 1;

  // the training set's evaluation threads (if any) stop with the point, not when the data set is collected
  try {
    let chosen: { fit: ErmFit; objective: ErmObjective; lambdaK: number; lambdaV: number; validationLoss: number };
    let iterations = 0;
    let evaluations = 0;
    let fits = 0;
    const fitOpts = { gTol: spec.gTol, maxIterations: spec.maxIterations, rng: streams[STREAM.init] };
    if (spec.lambdaGrid.length === 0) {
      const objective = new ErmObjective(data, act, { lambdaK: spec.lambdaK, lambdaV: spec.lambdaV }, { threads });
      const fit = fitErm(objective, teacher, { ...fitOpts, init: spec.init });
      iterations = fit.iterations;
      evaluations = fit.evaluations;
      fits = 1;
      chosen = { fit, objective, lambdaK: spec.lambdaK, lambdaV: spec.lambdaV, validationLoss: NaN };
    } else {
      // grid search along a regularisation path: λ_k from large to small, λ_v sweeping down and up in turn
      // (boustrophedon), so that consecutive fits differ in one penalty and each warm-starts from the previous;
      // the diagonal mode walks λ_k = λ_v from large to small
      const diagonal = spec.lambdaGridMode === 'diagonal';
      const validation = drawDataset(law, teacher, spec.validationSamples, streams[STREAM.validationSampler], streams[STREAM.validationTokens]).data;
      const grid = [...new Set(spec.lambdaGrid)].sort((a, b) => b - a);
      const predictions = new Float64Array(validation.N);
      let best: typeof chosen | undefined;
      let start: Float64Array | undefined;
      grid.forEach((lambdaK, row) => {
        for (const lambdaV of diagonal ? [lambdaK] : row % 2 === 0 ? grid : [...grid].reverse()) {
          const objective = new ErmObjective(data, act, { lambdaK, lambdaV }, { threads });
          const fit = fitErm(objective, teacher, { ...fitOpts, init: start ?? spec.init });
          iterations += fit.iterations;
          evaluations += fit.evaluations;
          fits++;
          start = fit.w;
          const validationLoss = meanSquareError(objective, fit.w, validation, predictions);
          // a non-finite validation loss (overflowing exp attention) is never chosen
          if (Number.isFinite(validationLoss) && (!best || validationLoss < best.validationLoss)) {
            best = { fit, objective, lambdaK, lambdaV, validationLoss };
          }
        }
      });
      if (!best) throw new InvalidInputError(`no penalty on the grid gave a finite validation loss for ${act.id}`);
      chosen = best;
    }

    const { fit, objective } = chosen;
    const overlaps: Overlaps = learnedOverlaps(fit.w, teacher);
    const theta = Array.from(fit.w.subarray(2 * spec.D));
    const notes: string[] = [fit.message];
    let testRisk = NaN;
    let testRiskError = NaN;
    const quadrature = spec.quadrature ?? true;
    if (quadrature) {
      try {
        const r = populationRisk({ task, nu, lengths, delta: law.delta, act, theta, overlaps });
        testRisk = r.value;
        testRiskError = r.error;
        if (!r.converged) notes.push('test-risk quadrature did not converge');
      } catch (e) {
        if (!(e instanceof SlrError)) throw e;
        notes.push(`test risk by quadrature unavailable: ${e.message}`);
      }
    }
    const empirical = empiricalRisk(objective, fit.w, new DatasetStream(law, teacher, streams[STREAM.testSampler], streams[STREAM.testTokens]), spec.testSamples, spec.confidence);
    return {
      task: task.id,
      nu,
      L: describeLengthLaw(lengths),
      delta: law.delta,
      act: act.id,
      D: spec.D,
      N: spec.N,
      alpha: spec.alpha,
      seed: spec.seed,
      init: spec.init,
      lambdaK: spec.lambdaK,
      lambdaV: spec.lambdaV,
      lambdaGrid: spec.lambdaGrid.join(';'),
      lambdaGridMode: spec.lambdaGridMode ?? 'product',
      validationSamples: spec.validationSamples,
      testSamples: spec.testSamples,
      confidence: spec.confidence,
      gTol: spec.gTol,
      maxIterations: spec.maxIterations,
      quadrature,
      lambdaKUsed: chosen.lambdaK,
      lambdaVUsed: chosen.lambdaV,
      validationLoss: chosen.validationLoss,
      trainLoss: fit.trainLoss,
      objective: fit.objective,
      testRisk,
      testRiskError,
      testRiskEmpirical: empirical.value,
      testRiskEmpiricalError: empirical.error,
      ...overlaps,
      theta,
      iterations,
      evaluations,
      fits,
      converged: fit.converged,
      message: notes.join('; '),
      gradient: objective.derivative.method,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    closeEvaluationPool(data);
  }
}

/** (1/n) Σ (y − f)² of the predictor w on a data set. */
function meanSquareError(objective: ErmObjective, w: Float64Array, data: Dataset, predictions: Float64Array): number {
  objective.predict(w, predictions, data);
  let sum = 0;
  for (let n = 0; n < data.N; n++) sum += (data.y[n] - predictions[n]) ** 2;
  return sum / data.N;
}

/** Mean of (y − f)² over `samples` fresh sequences (streamed in blocks) with a CLT interval. */
export function empiricalRisk(objective: ErmObjective, w: Float64Array, source: DatasetStream, samples: number, confidence: number): { value: number; error: number } {
  const stats = new RunningStats();
  const perBlock = Math.max(1, Math.floor(TEST_BLOCK_NUMBERS / (objective.data.maxLength * objective.D)));
  let predictions = new Float64Array(0);
  for (let done = 0; done < samples; ) {
    const count = Math.min(perBlock, samples - done);
    const block = source.next(count);
    if (predictions.length < count) predictions = new Float64Array(count);
    objective.predict(w, predictions, block);
    for (let n = 0; n < count; n++) stats.push((block.y[n] - predictions[n]) ** 2);
    done += count;
  }
  const r = meanWithInterval(stats, confidence, 'empirical test risk');
  return { value: r.value, error: r.error };
}

/** The default size of the validation set: max(200, ⌈N/4⌉). */
export function defaultValidationSamples(N: number): number {
  return Math.max(200, Math.ceil(N / 4));
}

import { InvalidInputError, NumericalRangeError, requireFinite } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { validateTheta } from '../estimator/activations.ts';
import { RandomStream } from '../numerics/random.ts';
import { RunningStats, meanWithInterval } from '../numerics/statistics.ts';
import type { LengthLaw } from '../task/length-law.ts';
import { SequenceSampler, posteriorLogits } from '../task/sampler.ts';
import { type Task, validateNu } from '../task/tasks.ts';
import { type Overlaps, admissible, isOnManifold, residual } from './overlaps.ts';
import type { RiskResult } from './result.ts';

export interface MonteCarloRiskInput {
  readonly task: Task;
  readonly nu: number;
  readonly lengths: LengthLaw;
  readonly delta?: number;
  /** an activation with overlaps, or 'bayes' for the posterior-mean predictor */
  readonly act: Activation | 'bayes';
  readonly theta?: readonly number[];
  readonly overlaps?: Overlaps;
}

export interface MonteCarloOptions {
  /** number of sequences (default 10^5) */
  samples?: number;
  /** integer seed (default 1) */
  seed?: number;
  /** 'reduced' (default) draws the four token projections; a number D ≥ 4 draws tokens in R^D */
  dimension?: number | 'reduced';
  /** coverage of the reported interval (default 0.999) */
  confidence?: number;
}

/**
 * Frame coefficients of k and v: in the orthonormal frame (k*, v*, e3, e4)/√D,
 * k = √D (a1, a2, a3, 0) and v = √D (b1, b2, b3, b4) realise the overlaps
 * (Cholesky factor of the residual covariance). Any admissible overlaps have one.
 */
export function frameCoefficients(o: Overlaps): { a: [number, number, number]; b: [number, number, number, number] } {
  admissible(o);
  const R = residual(o);
  const a3 = Math.sqrt(Math.max(0, R.Rkk));
  const b3 = a3 > 0 ? R.Rkv / a3 : 0;
  const b4 = Math.sqrt(Math.max(0, R.Rvv - b3 * b3));
  return { a: [o.mkk, o.mkv, a3], b: [o.mvk, o.mvv, b3, b4] };
}

/**
 * Population risk by Monte Carlo: draws sequences (tokens in R^D, or the
 * reduced projections), forms f(X) = Σ σ(χ)_ℓ z_ℓ with χ = Xk/√D, z = Xv/√D
 * (or the Bayes predictor Σ p_ℓ z*_ℓ) and averages (y − f)². The interval is
 * mean ± z·SE at the stated confidence (CLT; the loss has finite variance for
 * every σ here).
 */
export function monteCarloRisk(input: MonteCarloRiskInput, opts: MonteCarloOptions = {}): RiskResult {
  const { task, nu, lengths } = input;
  validateNu(task, nu);
  const delta = requireFinite('delta', input.delta ?? 0, { min: 0 });
  const samples = requireFinite('samples', opts.samples ?? 100_000, { min: 2, integer: true });
  const seed = requireFinite('seed', opts.seed ?? 1, { integer: true });
  const confidence = opts.confidence ?? 0.999;
  const dimension = opts.dimension ?? 'reduced';
  const rng = new RandomStream(seed);
  const Lmax = Math.max(...lengths.lengths);
  const scratch = new Float64Array(Lmax);
  const stats = new RunningStats();
  let theta: readonly number[] | undefined;
  let sampler: SequenceSampler;
  if (input.act === 'bayes') {
    // the Bayes predictor Σ p_ℓ z*_ℓ reads χ* and z* only
    sampler = new SequenceSampler({ task, nu, lengths, delta }, rng, dimension, 2);
    const linear = linearLogits(task, nu);
    for (let i = 0; i < samples; i++) {
      const s = sampler.next();
      let f: number;
      if (linear === undefined) {
        posteriorLogits(task, nu, s.chiStar, s.L, scratch);
        f = weightedSum(scratch, s.L, s.zStar, true);
      } else if (linear === Infinity) {
        f = s.zStar[argmax(s.chiStar, s.L)];
      } else {
        f = softmaxAverage(linear, s.chiStar, s.zStar, s.L);
      }
      const r = s.y - f;
      stats.push(r * r);
    }
  } else {
    const act = input.act;
    if (!input.overlaps) throw new InvalidInputError(`Monte Carlo risk of ${act.id} needs overlaps`);
    const th = validateTheta(act, input.theta ?? act.parameters.map((p) => p.initial));
    theta = th;
    const { a, b } = frameCoefficients(input.overlaps);
    // draw only the coordinates k and v reach (e3 through a3 or b3, e4 through b4)
    const coordinates = b[3] !== 0 ? 4 : a[2] !== 0 || b[2] !== 0 ? 3 : 2;
    sampler = new SequenceSampler({ task, nu, lengths, delta }, rng, dimension, coordinates);
    const z = new Float64Array(Lmax);
    const normalised = act.normalised;
    for (let i = 0; i < samples; i++) {
      const s = sampler.next();
      const { chiStar, zStar, e3, e4 } = s;
      for (let l = 0; l < s.L; l++) {
        const chi = a[0] * chiStar[l] + a[1] * zStar[l] + a[2] * e3[l];
        z[l] = b[0] * chiStar[l] + b[1] * zStar[l] + b[2] * e3[l] + b[3] * e4[l];
        scratch[l] = normalised ? act.logWeight!(chi, th) : act.weight(chi, th);
      }
      const r = s.y - weightedSum(scratch, s.L, z, normalised);
      stats.push(r * r);
    }
  }
  const est = meanWithInterval(stats, confidence);
  if (!Number.isFinite(est.value)) {
    throw new NumericalRangeError(`Monte Carlo risk is not finite (${est.value}): the loss overflows at these overlaps`);
  }
  const act = input.act === 'bayes' ? 'bayes' : input.act.id;
  return {
    task: task.id,
    act,
    nu,
    lengths,
    delta,
    family: input.overlaps ? (isOnManifold(input.overlaps) ? 'manifold' : 'full') : undefined,
    params: input.overlaps,
    theta,
    value: est.value,
    excess: est.value - delta,
    error: est.error,
    confidence,
    samples,
    method: `monte-carlo (${dimension === 'reduced' ? 'reduced token projections' : `full model, D=${dimension}`}; seed ${seed}; ${(confidence * 100).toPrecision(4)}% CLT interval)`,
    converged: est.converged,
  };
}

/**
 * The Bayes logits when they are c·χ* (+ a constant): c for selection tasks
 * (Infinity = argmax) and for a one-component N(μ, 1) spike (c = μ); undefined
 * for other product tasks (general `posteriorLogits`).
 */
function linearLogits(task: Task, nu: number): number | undefined {
  if (task.kind === 'selection') return task.selectionSlope(nu);
  const law = task.spikeLaw(nu);
  return law.length === 1 && law[0].sd === 1 ? law[0].mean : undefined;
}

function argmax(x: Float64Array, L: number): number {
  let best = 0;
  for (let l = 1; l < L; l++) if (x[l] > x[best]) best = l;
  return best;
}

/** Σ_ℓ softmax(c·x)_ℓ v_ℓ; one pass while |c·x| ≤ 600 (no overflow), else max-subtracted (c·x may be 1000·χ). */
function softmaxAverage(c: number, x: Float64Array, v: Float64Array, L: number): number {
  let num = 0;
  let den = 0;
  let l = 0;
  for (; l < L; l++) {
    const t = c * x[l];
    if (!(t <= 600 && t >= -600)) break;
    const e = Math.exp(t);
    num += e * v[l];
    den += e;
  }
  if (l === L) return num / den;
  let max = -Infinity;
  for (let l = 0; l < L; l++) {
    const t = c * x[l];
    if (t > max) max = t;
  }
  num = 0;
  den = 0;
  for (let l = 0; l < L; l++) {
    const e = Math.exp(c * x[l] - max);
    num += e * v[l];
    den += e;
  }
  return num / den;
}

/**
 * Σ_ℓ σ_ℓ v_ℓ where σ = w (separable) or softmax of log-weights w (normalised,
 * max-subtracted so that e^{1000 χ} does not overflow).
 */
function weightedSum(w: Float64Array, L: number, v: Float64Array, normalised: boolean): number {
  if (!normalised) {
    let f = 0;
    for (let l = 0; l < L; l++) f += w[l] * v[l];
    return f;
  }
  let max = -Infinity;
  for (let l = 0; l < L; l++) if (w[l] > max) max = w[l];
  let num = 0;
  let den = 0;
  for (let l = 0; l < L; l++) {
    const e = Math.exp(w[l] - max);
    num += e * v[l];
    den += e;
  }
  return num / den;
}

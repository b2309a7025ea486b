/**
 * Ridge-regularised ERM of attention by L-BFGS (strong Wolfe,
 * src/numerics/optimize.ts) on the objective of `objective.ts`.
 */
import { InvalidInputError, requireFinite } from '../errors.ts';
import { RandomStream } from '../numerics/random.ts';
import { lbfgs } from '../numerics/optimize.ts';
import type { Teacher } from './data.ts';
import type { ErmObjective } from './objective.ts';

/**
 * Starting point of the optimisation:
 * - 'informed': k = k*, v = v* (m_kk* = m_vv* = q_kk = q_vv = 1, cross terms 0), θ at its default;
 * - 'random': k, v with i.i.d. N(0, s²) coordinates, s = RANDOM_INIT_SCALE (q ≈ s², overlaps
 *   with k*, v* of order s/√D), θ at its default.
 */
export type ErmInit = 'informed' | 'random';

/** Coordinate scale s of the random start (a small start, as in gradient flow from small initialisation). */
export const RANDOM_INIT_SCALE = 0.1;

export interface FitOptions {
  /** a named start, or w itself (warm start; copied) */
  readonly init?: ErmInit | Float64Array;
  /** stream for the random start (required for init 'random') */
  readonly rng?: RandomStream;
  /**
   * stop when ‖∇E_train‖₂ ≤ gTol·max(1, E_train) (default 1e−6), the gradient
   * taken in the variables w = (k/√D, v/√D, θ). The 2-norm makes the test
   * independent of D: near a locally convex minimum the distance to it is at
   * most ‖∇E_train‖₂ / (2 min(λ_k, λ_v)) (the penalty alone has curvature 2λ).
   * Implemented as lbfgs's ∞-norm test at gTol/√n (n = 2D + #θ), which implies it.
   */
  readonly gTol?: number;
  /** L-BFGS iteration limit (default 2000) */
  readonly maxIterations?: number;
}

export interface ErmFit {
  /** w = (k/√D, v/√D, θ) at the end */
  readonly w: Float64Array;
  /** E_train at w (with the penalty) */
  readonly objective: number;
  /** (1/N) Σ (y − f)² at w (without the penalty) */
  readonly trainLoss: number;
  readonly iterations: number;
  /** loss-and-gradient evaluations */
  readonly evaluations: number;
  readonly converged: boolean;
  readonly message: string;
}

/** Default gradient tolerance (see FitOptions.gTol). */
export const DEFAULT_GTOL = 1e-6;
/** Relative decrease of E_train per iteration below which L-BFGS stops (progress at the rounding level of a sum of N terms). */
export const FIT_FTOL = 1e-13;

/** The starting w for a named initialisation (see ErmInit). */
export function initialPoint(objective: ErmObjective, teacher: Teacher, init: ErmInit, rng?: RandomStream): Float64Array {
  const { D } = objective;
  if (teacher.D !== D) throw new InvalidInputError(`teacher of dimension ${teacher.D} for data of dimension ${D}`);
  const w = new Float64Array(objective.size);
  if (init === 'informed') {
    w.set(teacher.uk, 0);
    w.set(teacher.uv, D);
  } else if (init === 'random') {
    if (!rng) throw new InvalidInputError('a random start needs a random stream');
    rng.fillNormal(w, 0, 2 * D);
    const s = RANDOM_INIT_SCALE / Math.sqrt(D);
    for (let i = 0; i < 2 * D; i++) w[i] *= s;
  } else {
    throw new InvalidInputError(`init must be informed or random, got ${String(init)}`);
  }
  objective.act.parameters.forEach((p, j) => (w[2 * D + j] = p.initial));
  return w;
}

/** Minimise E_train by L-BFGS from the given start; never throws for slow progress (see `converged`). */
export function fitErm(objective: ErmObjective, teacher: Teacher, options: FitOptions = {}): ErmFit {
  const gTol = requireFinite('gtol', options.gTol ?? DEFAULT_GTOL, { min: 0 });
  const maxIterations = requireFinite('max-iterations', options.maxIterations ?? 2000, { min: 1, integer: true });
  const init = options.init ?? 'informed';
  const w0 = typeof init === 'string' ? initialPoint(objective, teacher, init, options.rng) : Float64Array.from(init);
  if (w0.length !== objective.size) throw new InvalidInputError(`a start needs ${objective.size} numbers, got ${w0.length}`);
  const res = lbfgs(objective.evaluate, w0, { gTol: gTol / Math.sqrt(objective.size), fTol: FIT_FTOL, maxIterations });
  return {
    w: res.x,
    objective: res.value,
    trainLoss: objective.trainLoss(res.x),
    iterations: res.iterations,
    evaluations: res.evaluations,
    converged: res.converged,
    message: res.message,
  };
}

/**
 * The regularised empirical risk of attention and its analytic gradient.
 *
 * Convention (stated in every output):
 *   E_train(k, v, θ) = (1/N) Σ_n (y_n − f(X_n))² + λ_k |k|²/D + λ_v |v|²/D
 *                    = empirical square loss + λ_k q_kk + λ_v q_vv,
 * with f(X) = Σ_ℓ σ(χ)_ℓ z_ℓ, χ_ℓ = x_ℓ·k/√D, z_ℓ = x_ℓ·v/√D; σ's own
 * parameters θ (erf's offset c) are trained and not penalised. The paper-style
 * objective Σ_n (y_n − f)² + (r_k/2)|k|² + (r_v/2)|v|² is N times this with
 * λ = r/(2α), α = N/D.
 *
 * Variables: w = (w_k, w_v, θ) with w_k = k/√D, w_v = v/√D (so χ_ℓ = x_ℓ·w_k,
 * q_kk = |w_k|², and the Hessian is O(1) whatever D is).
 *
 * Gradient, per sequence with residual r = y − f and c = −2r/N:
 *   normalised σ_ℓ = e^{a_ℓ}/Σe^{a}, a_ℓ = log φ(χ_ℓ; θ):
 *     ∂f/∂χ_ℓ = σ_ℓ (z_ℓ − f) a'(χ_ℓ),  ∂f/∂θ = Σ_ℓ σ_ℓ (z_ℓ − f) ∂_θ a(χ_ℓ)
 *   separable σ_ℓ = φ(χ_ℓ; θ):
 *     ∂f/∂χ_ℓ = φ'(χ_ℓ) z_ℓ,             ∂f/∂θ = Σ_ℓ ∂_θ φ(χ_ℓ) z_ℓ
 *   ∂/∂w_k += c Σ_ℓ (∂f/∂χ_ℓ) x_ℓ,  ∂/∂w_v += c Σ_ℓ σ_ℓ x_ℓ,  ∂/∂θ += c ∂f/∂θ;
 * plus 2λ_k w_k, 2λ_v w_v. The softmax is evaluated as a stable
 * log-sum-exp (weights e^{a_ℓ − max a}).
 *
 * Cost: one evaluation streams the N·L·D stored numbers once from memory:
 * per sequence the L·D numbers are read for the projections (2 dot products
 * per token) and read again, from cache, for the two gradient
 * accumulations — 8 flops per stored number.
 */
import type { Activation } from '../estimator/activation.ts';
import { InvalidInputError, requireFinite } from '../errors.ts';
import type { Overlaps } from '../risk/overlaps.ts';
import type { Dataset, Teacher } from './data.ts';
import { type ResolvedDerivative, resolveDerivative } from './derivatives.ts';

export interface Penalties {
  /** λ_k ≥ 0 */
  readonly lambdaK: number;
  /** λ_v ≥ 0 */
  readonly lambdaV: number;
}

/** Flops per stored number of one loss-and-gradient evaluation (2 dot products + 2 axpy). */
export const FLOPS_PER_NUMBER = 8;

/**
 * E_train and its gradient on one data set for one activation. `evaluate(w,
 * grad)` has the shape `lbfgs` expects; `trainLoss(w)` is the unpenalised
 * empirical square loss; `predict` gives f(X_n) for every sequence.
 */
export class ErmObjective {
  readonly D: number;
  readonly nTheta: number;
  readonly derivative: ResolvedDerivative;
  /** loss-and-gradient evaluations so far */
  evaluations = 0;
  private chi: Float64Array;
  private z: Float64Array;
  private sig: Float64Array;
  private ck: Float64Array;
  private cv: Float64Array;
  private readonly dth: Float64Array;
  private readonly gth: Float64Array;
  private theta: number[];

  constructor(
    readonly data: Dataset,
    readonly act: Activation,
    readonly penalties: Penalties,
  ) {
    requireFinite('lambda-k', penalties.lambdaK, { min: 0 });
    requireFinite('lambda-v', penalties.lambdaV, { min: 0 });
    if (act.normalised && !act.logWeight) throw new InvalidInputError(`normalised activation "${act.id}" needs logWeight`);
    this.D = data.D;
    this.nTheta = act.parameters.length;
    this.derivative = resolveDerivative(act);
    const Lmax = data.maxLength;
    this.chi = this.z = this.sig = this.ck = this.cv = new Float64Array(0);
    this.growScratch(Lmax);
    this.dth = new Float64Array(this.nTheta);
    this.gth = new Float64Array(this.nTheta);
    this.theta = new Array<number>(this.nTheta).fill(0);
  }

  private growScratch(L: number): void {
    this.chi = new Float64Array(L);
    this.z = new Float64Array(L);
    this.sig = new Float64Array(L);
    this.ck = new Float64Array(L);
    this.cv = new Float64Array(L);
  }

  /** Number of variables: 2D + number of σ parameters. */
  get size(): number {
    return 2 * this.D + this.nTheta;
  }

  /** E_train(w); when `grad` is given, ∇E_train(w) is written into it. Non-finite values are returned as they are. */
  evaluate = (w: Float64Array, grad?: Float64Array): number => {
    this.evaluations++;
    const { D, nTheta } = this;
    for (let j = 0; j < nTheta; j++) this.theta[j] = w[2 * D + j];
    const sum = this.pass(w, grad);
    const N = this.data.N;
    let qk = 0;
    let qv = 0;
    for (let i = 0; i < D; i++) {
      qk += w[i] * w[i];
      qv += w[D + i] * w[D + i];
    }
    const { lambdaK, lambdaV } = this.penalties;
    if (grad) {
      const scale = 1 / N;
      for (let i = 0; i < D; i++) {
        grad[i] = grad[i] * scale + 2 * lambdaK * w[i];
        grad[D + i] = grad[D + i] * scale + 2 * lambdaV * w[D + i];
      }
      for (let j = 0; j < nTheta; j++) grad[2 * D + j] = this.gth[j] * scale;
    }
    return sum / N + lambdaK * qk + lambdaV * qv;
  };

  /** The empirical square loss (1/N) Σ (y − f)² at w (no penalty). */
  trainLoss(w: Float64Array): number {
    for (let j = 0; j < this.nTheta; j++) this.theta[j] = w[2 * this.D + j];
    return this.pass(w, undefined) / this.data.N;
  }

  /** f(X_n) for every sequence of `data` (default: the training set) into out. */
  predict(w: Float64Array, out: Float64Array, data: Dataset = this.data): void {
    for (let j = 0; j < this.nTheta; j++) this.theta[j] = w[2 * this.D + j];
    this.pass(w, undefined, data, out);
  }

  /**
   * Σ_n (y_n − f_n)² over `data`, accumulating the unscaled data part of the
   * gradient (Σ_n −2 r_n ∂f_n/∂w) into grad[0 … 2D) and this.gth when grad is
   * given; writes f_n into `predictions` when given.
   */
  private pass(w: Float64Array, grad: Float64Array | undefined, data: Dataset = this.data, predictions?: Float64Array): number {
    if (data.D !== this.D) throw new InvalidInputError(`data of dimension ${data.D} given to an objective of dimension ${this.D}`);
    if (data.maxLength > this.chi.length) this.growScratch(data.maxLength);
    const { D, nTheta, chi, z, sig, ck, cv, dth, gth, theta, act } = this;
    const { normalised } = act;
    const g = normalised ? act.logWeight! : act.weight;
    const dx = this.derivative.dx;
    const dTheta = this.derivative.dTheta;
    if (grad) {
      grad.fill(0, 0, 2 * D);
      gth.fill(0);
    }
    let total = 0;
    for (let c = 0; c < data.chunks.length; c++) {
      const X = data.chunks[c];
      const last = data.firstOfChunk[c + 1];
      for (let n = data.firstOfChunk[c]; n < last; n++) {
        const L = data.length[n];
        const base = data.start[n] * D;
        // pass 1: projections χ_ℓ = x_ℓ·w_k, z_ℓ = x_ℓ·w_v
        for (let l = 0; l < L; l++) {
          const o = base + l * D;
          let a = 0;
          let b = 0;
          for (let i = 0; i < D; i++) {
            const x = X[o + i];
            a += x * w[i];
            b += x * w[D + i];
          }
          chi[l] = a;
          z[l] = b;
        }
        // σ and f
        let f = 0;
        if (normalised) {
          let amax = -Infinity;
          for (let l = 0; l < L; l++) {
            const a = g(chi[l], theta);
            sig[l] = a;
            if (a > amax) amax = a;
          }
          let S = 0;
          for (let l = 0; l < L; l++) {
            const e = Math.exp(sig[l] - amax);
            sig[l] = e;
            S += e;
          }
          for (let l = 0; l < L; l++) {
            sig[l] /= S;
            f += sig[l] * z[l];
          }
        } else {
          for (let l = 0; l < L; l++) {
            sig[l] = g(chi[l], theta);
            f += sig[l] * z[l];
          }
        }
        const r = data.y[n] - f;
        total += r * r;
        if (predictions) predictions[n] = f;
        if (!grad) continue;
        const coef = -2 * r;
        if (coef === 0) continue;
        for (let l = 0; l < L; l++) {
          const dfdchi = normalised ? sig[l] * (z[l] - f) * dx(chi[l], theta) : dx(chi[l], theta) * z[l];
          ck[l] = coef * dfdchi;
          cv[l] = coef * sig[l];
          if (nTheta > 0) {
            dTheta(chi[l], theta, dth);
            const weight = normalised ? sig[l] * (z[l] - f) : z[l];
            for (let j = 0; j < nTheta; j++) gth[j] += coef * weight * dth[j];
          }
        }
        // pass 2 (the sequence is in cache): ∂/∂w_k += Σ_ℓ ck_ℓ x_ℓ, ∂/∂w_v += Σ_ℓ cv_ℓ x_ℓ
        for (let l = 0; l < L; l++) {
          const o = base + l * D;
          const a = ck[l];
          const b = cv[l];
          for (let i = 0; i < D; i++) {
            const x = X[o + i];
            grad[i] += a * x;
            grad[D + i] += b * x;
          }
        }
      }
    }
    return total;
  }
}

/** Split w = (w_k, w_v, θ) into k/√D, v/√D and θ (views, no copy). */
export function splitVariables(w: Float64Array, D: number): { wk: Float64Array; wv: Float64Array; theta: number[] } {
  return { wk: w.subarray(0, D), wv: w.subarray(D, 2 * D), theta: Array.from(w.subarray(2 * D)) };
}

/**
 * The seven overlaps of k = √D w_k, v = √D w_v with the hidden directions:
 * m_kk* = w_k·u_k, m_kv* = w_k·u_v, m_vk* = w_v·u_k, m_vv* = w_v·u_v,
 * q_kk = |w_k|², q_vv = |w_v|², q_kv = w_k·w_v (= k·k* / D etc.).
 */
export function learnedOverlaps(w: Float64Array, teacher: Teacher): Overlaps {
  const D = teacher.D;
  const { uk, uv } = teacher;
  let mkk = 0;
  let mkv = 0;
  let mvk = 0;
  let mvv = 0;
  let qkk = 0;
  let qvv = 0;
  let qkv = 0;
  for (let i = 0; i < D; i++) {
    const a = w[i];
    const b = w[D + i];
    mkk += a * uk[i];
    mkv += a * uv[i];
    mvk += b * uk[i];
    mvv += b * uv[i];
    qkk += a * a;
    qvv += b * b;
    qkv += a * b;
  }
  return { mkk, mkv, mvk, mvv, qkk, qvv, qkv };
}

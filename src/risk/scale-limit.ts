import { InvalidInputError } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { integrateVector } from '../numerics/adaptive.ts';
import { normalPdf, normalQuantile, normalSf } from '../numerics/special.ts';
import type { LengthLaw } from '../task/length-law.ts';
import type { Task } from '../task/tasks.ts';
import { powerOfComplement } from './laplace.ts';

/**
 * The risk at the end of a ray |k| → ∞ along k* (τ² and the value side held,
 * m_kk* → ∞), computed at the limit instead of extrapolated towards it.
 *
 * A normalised σ with `scaleLimit: { positivePart: p }` has weights
 * σ(sχ)_ℓ → (χ_ℓ)_+^p / Σ (χ_ℓ')_+^p as s → ∞ where some χ > 0, and → the
 * argmax where every χ ≤ 0 (softplus(sx) ≈ e^{sx} for x < 0): the softplus
 * kernel is p = 1. Along the ray the scores are m χ* + O(1), so the weights
 * tend to σ∞(χ*) and, by dominated convergence (weights in [0, 1]), the
 * terms A = E[σ_ε], B = E[Σσ²] tend to those of σ∞(χ*), and the risk with
 * the best value side to 1 + Δ − A∞²/B∞. Softmax's limit is the argmax,
 * whose risk at c_ν = ∞ is E_Bayes = Δ (handled in class-risk.ts).
 *
 * Supported: selection tasks at selection slope ∞ (max-SLR, ν = ∞: χ* iid
 * N(0, 1), ε = argmax χ*). Per length L, with y the spike's (largest) key
 * value, the others iid N(0, 1) conditioned below y, and 1/S = ∫ e^{−tS} dt,
 * 1/S² = ∫ t e^{−tS} dt in u = t·y^p:
 *   A_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ e^{−u} (1 − C)^{L−1} du dy,
 *   B_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ u e^{−u} [(1 − C)^{L−1} + (L − 1) H (1 − C)^{L−2}] du dy,
 *   C(t, y) = Q(y) + ∫_0^y φ(x)(1 − e^{−t x^p}) dx   (one other token's complement),
 *   H(t, y) = ∫_0^y (x/y)^{2p} φ(x) e^{−t x^p} dx,
 * the 2^{−L} the event that every χ* ≤ 0 (then σ∞ is the argmax, ε itself).
 * Three nested adaptive Gauss–Kronrod integrals; each level carries the
 * error bounds of the level inside it (propagated through the powers), so the
 * reported error covers all three. Cost does not grow with L.
 */
export interface ScaleLimitResult {
  readonly value: number;
  readonly error: number;
  readonly A: number;
  readonly B: number;
  readonly converged: boolean;
  readonly evaluations: number;
  readonly method: string;
}

/** The limit risk of `act` along the ray m_kk* → ∞ (τ² held), or undefined where it is not supported. */
export function scaleLimitRisk(input: { task: Task; nu: number; lengths: LengthLaw; delta?: number; act: Activation }): ScaleLimitResult | undefined {
  const { task, nu, lengths, act } = input;
  const delta = input.delta ?? 0;
  const limit = act.scaleLimit;
  if (!act.normalised || limit === undefined || limit === 'argmax') return undefined;
  if (task.kind !== 'selection' || task.selectionSlope(nu) !== Infinity) return undefined;
  const p = limit.positivePart;
  if (!(p > 0 && Number.isFinite(p))) throw new InvalidInputError(`scaleLimit.positivePart must be a positive number, got ${String(p)}`);
  let A = 0;
  let B = 0;
  let eA = 0;
  let eB = 0;
  let evaluations = 0;
  let converged = true;
  lengths.lengths.forEach((L, i) => {
    const w = lengths.probabilities[i];
    const t = positivePartTerms(L, p);
    A += w * t.A;
    B += w * t.B;
    eA += w * t.eA;
    eB += w * t.eB;
    evaluations += t.evaluations;
    converged &&= t.converged;
  });
  const gain = (A * A) / B;
  const gainError = (2 * Math.abs(A) * eA) / B + (A * A * eB) / (B * B) + 8 * Number.EPSILON * gain;
  return {
    value: delta + 1 - gain,
    error: gainError + 8 * Number.EPSILON * (1 + delta),
    A,
    B,
    converged,
    evaluations,
    method:
      `the limit weights σ∞(χ*)_ℓ = (χ*_ℓ)_+^${p}/Σ(χ*)_+^${p} (argmax when every χ* ≤ 0) at ε = argmax χ*: ` +
      'A∞ = E[σ∞_ε], B∞ = E[Σσ∞²] by three nested adaptive Gauss–Kronrod integrals (spike value y, Laplace variable u, one other token), inner error bounds carried outwards; risk = 1 + Δ − A∞²/B∞',
  };
}

const OUTER = { relTol: 1e-9, absTol: 1e-12 };
const MIDDLE = { relTol: 1e-10, absTol: 1e-13 };
const INNER = { relTol: 1e-11, absTol: 1e-14 };

/** A_L, B_L and their error bounds for the positive-part limit of degree p at ε = argmax (see scaleLimitRisk). */
function positivePartTerms(L: number, p: number): { A: number; B: number; eA: number; eB: number; evaluations: number; converged: boolean } {
  if (L === 1) return { A: 1, B: 1, eA: 0, eB: 0, evaluations: 0, converged: true };
  const allNonPositive = 2 ** -L;
  let evaluations = 0;
  let converged = true;
  const inner = new Float64Array(4);
  /** C(t, y), H(t, y) and their errors into `inner` */
  const otherToken = (t: number, y: number) => {
    const r = integrateVector(
      (x, out) => {
        const f = normalPdf(x);
        const xp = x ** p;
        out[0] = -f * Math.expm1(-t * xp);
        out[1] = (x / y) ** (2 * p) * f * Math.exp(-t * xp);
      },
      2,
      0,
      y,
      { ...INNER, relativeTo: 'magnitude' },
    );
    evaluations += r.evaluations;
    converged &&= r.converged;
    inner[0] = normalSf(y) + r.values[0];
    inner[1] = r.values[1];
    inner[2] = r.errors[0] + 4 * Number.EPSILON * inner[0];
    inner[3] = r.errors[1];
  };
  const middle = (y: number, out: Float64Array) => {
    const yp = y ** p;
    // (1 − C)^{L−1} ≈ exp(−(L − 1)(Q(y) + u·E[x_+^p; x < y]/y^p)): its scale in u, where the rule needs nodes
    const mp = Math.max(1e-300, 0.4 * Math.min(1, yp));
    const u0 = yp / ((L - 1) * mp);
    const r = integrateVector(
      (u, o) => {
        otherToken(u / yp, y);
        const [C, H, eC, eH] = inner;
        const g1 = powerOfComplement(C, L - 1);
        const g2 = powerOfComplement(C, L - 2);
        const g3 = L >= 3 ? powerOfComplement(C, L - 3) : 0;
        const e = Math.exp(-u);
        o[0] = e * g1;
        o[1] = u * e * (g1 + (L - 1) * H * g2);
        // d(1 − C)^n/dC = −n(1 − C)^{n−1}: first-order propagation of the inner errors
        o[2] = e * (L - 1) * g2 * eC;
        o[3] = u * e * ((L - 1) * g2 * eC + (L - 1) * (eH * g2 + H * (L - 2) * g3 * eC));
      },
      4,
      0,
      Infinity,
      { ...MIDDLE, controlled: 2, breakpoints: [u0, 10 * u0, 100 * u0, 1, 10] },
    );
    converged &&= r.converged;
    const f = L * normalPdf(y);
    out[0] = f * r.values[0];
    out[1] = f * r.values[1];
    out[2] = f * (r.errors[0] + r.values[2]);
    out[3] = f * (r.errors[1] + r.values[3]);
  };
  // the largest of L normals sits near the (1 − 1/L) quantile, with spread ~1/√(2 log L)
  const yStar = normalQuantile(1 - 1 / L);
  const r = integrateVector(middle, 4, 0, Infinity, { ...OUTER, controlled: 2, breakpoints: [yStar - 2, yStar - 1, yStar, yStar + 1, yStar + 2, yStar + 4] });
  converged &&= r.converged;
  return {
    A: allNonPositive + r.values[0],
    B: allNonPositive + r.values[1],
    eA: r.errors[0] + r.values[2] + r.errors[2],
    eB: r.errors[1] + r.values[3] + r.errors[3],
    evaluations,
    converged,
  };
}

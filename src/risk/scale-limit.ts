import { InvalidInputError } from '../errors.ts';
import type { Activation } from '../estimator/activation.ts';
import { integrateVector } from '../numerics/adaptive.ts';
import { logGamma, normalCdf, normalPdf, normalQuantile, normalSf } from '../numerics/special.ts';
import type { LengthLaw } from '../task/length-law.ts';
import type { GaussianComponent, Task } from '../task/tasks.ts';
import { GAUSSIAN_INNER_SD, powerOfComplement } from './laplace.ts';

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
 * With z = (χ*)_+^p, S = Σz and 1/S = ∫ e^{−tS} dt, 1/S² = ∫ t e^{−tS} dt:
 * - selection tasks at slope ∞ (max-SLR, ν = ∞: χ* iid N(0, 1), ε = argmax):
 *   the spike is the largest, y, the others N(0, 1) conditioned below it; in
 *   u = t·y^p, per length L,
 *     A_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ e^{−u} (1 − C)^{L−1} du dy,
 *     B_L = 2^{−L} + L ∫_0^∞ φ(y) ∫_0^∞ u e^{−u} [(1 − C)^{L−1} + (L − 1) H (1 − C)^{L−2}] du dy,
 *   C = Q(y) + ∫_0^y φ(x)(1 − e^{−t x^p}) dx, H = ∫_0^y (x/y)^{2p} φ(x) e^{−t x^p} dx,
 *   2^{−L} the event that every χ* ≤ 0 (then σ∞ is the argmax, ε itself):
 *   three nested levels (`argmaxTerms`);
 * - product tasks (spiked-SLR and general spike laws, any ν): the tokens are
 *   independent, so the t-integral of one-token integrals suffices, two
 *   levels (`productTerms`, formulas there).
 * Adaptive Gauss–Kronrod at every level; each level carries the error bounds
 * of the level inside it (propagated through the powers), so the reported
 * error covers all of them. Cost does not grow with L.
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

/**
 * Whether scaleLimitRisk computes the end of the ray for these inputs: a normalised σ with a
 * positive-part scale limit, on a product task or a selection task at slope ∞.
 */
export function scaleLimitApplies(task: Task, nu: number, act: Activation): boolean {
  return act.normalised && typeof act.scaleLimit === 'object' && (task.kind === 'product' || task.selectionSlope(nu) === Infinity);
}

/** The limit risk of `act` along the ray m_kk* → ∞ (τ² held), or undefined where it is not supported (scaleLimitApplies). */
export function scaleLimitRisk(input: { task: Task; nu: number; lengths: LengthLaw; delta?: number; act: Activation }): ScaleLimitResult | undefined {
  const { task, nu, lengths, act } = input;
  const delta = input.delta ?? 0;
  const limit = act.scaleLimit;
  if (!scaleLimitApplies(task, nu, act) || typeof limit !== 'object') return undefined;
  const p = limit.positivePart;
  if (!(p > 0 && Number.isFinite(p))) throw new InvalidInputError(`scaleLimit.positivePart must be a positive number, got ${String(p)}`);
  const spike = task.kind === 'product' ? task.spikeLaw(nu) : undefined;
  let A = 0;
  let B = 0;
  let eA = 0;
  let eB = 0;
  let evaluations = 0;
  let converged = true;
  lengths.lengths.forEach((L, i) => {
    const w = lengths.probabilities[i];
    const t = spike ? productTerms(L, p, spike) : argmaxTerms(L, p);
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
      `the limit weights σ∞(χ*)_ℓ = (χ*_ℓ)_+^${p}/Σ(χ*)_+^${p} (argmax when every χ* ≤ 0)${spike ? '' : ' at ε = argmax χ*'}: ` +
      `A∞ = E[σ∞_ε], B∞ = E[Σσ∞²] by nested adaptive Gauss–Kronrod integrals (${spike ? 'Laplace variable t, one-token integrals' : 'spike value y, Laplace variable u, one other token'}), ` +
      'inner error bounds carried outwards; risk = 1 + Δ − A∞²/B∞',
  };
}

const OUTER = { relTol: 1e-9, absTol: 1e-12 };
const MIDDLE = { relTol: 1e-10, absTol: 1e-13 };
const INNER = { relTol: 1e-11, absTol: 1e-14 };

interface Terms {
  A: number;
  B: number;
  eA: number;
  eB: number;
  evaluations: number;
  converged: boolean;
}

/** A_L, B_L and their error bounds for the positive-part limit of degree p at ε = argmax (max-SLR, ν = ∞): three levels. */
function argmaxTerms(L: number, p: number): Terms {
  if (L === 1) return { A: 1, B: 1, eA: 0, eB: 0, evaluations: 0, converged: true };
  const t: Terms = { A: 0, B: 0, eA: 0, eB: 0, evaluations: 0, converged: true };
  const inner = new Float64Array(4);
  /** C(t, y) with the other token below y, H(t, y) relative to y^{2p}, and their errors, into `inner` */
  const otherToken = (tt: number, y: number) => {
    const r = integrateVector(
      (x, out) => {
        const f = normalPdf(x);
        // p = 1 (the softplus kernel) without pow; e^{−z} − 1 and e^{−z} from one call: expm1 where
        // e^{−z} > 1/2 (then 1 + (e^{−z} − 1) loses nothing), exp below (then e^{−z} − 1 is exact to ½ ulp)
        const r = x / y;
        const z = tt * (p === 1 ? x : x ** p);
        let em1: number;
        let e: number;
        if (z < Math.LN2) {
          em1 = Math.expm1(-z);
          e = 1 + em1;
        } else {
          e = Math.exp(-z);
          em1 = e - 1;
        }
        out[0] = -f * em1;
        out[1] = (p === 1 ? r * r : r ** (2 * p)) * f * e;
      },
      2,
      0,
      y,
      // e^{−t x^p} lives on x ≲ t^{−1/p} near 0: nodes there whatever t
      { ...INNER, relativeTo: 'magnitude', breakpoints: ladder(tt ** (-1 / p), p) },
    );
    t.evaluations += r.evaluations;
    t.converged &&= r.converged;
    inner[0] = normalSf(y) + r.values[0];
    inner[1] = r.values[1];
    inner[2] = r.errors[0] + 4 * Number.EPSILON * inner[0];
    inner[3] = r.errors[1];
  };
  const mp = positiveMoment(p);
  const middle = (y: number, out: Float64Array) => {
    const yp = y ** p;
    // (1 − C)^{L−1} ≈ exp(−(L − 1)(Q(y) + u·E[x_+^p]/y^p)): its scale in u, where the rule needs nodes
    const u0 = yp / ((L - 1) * mp);
    const r = integrateVector(
      (u, o) => {
        otherToken(u / yp, y);
        middleTerms(L, u, inner, o);
      },
      4,
      0,
      Infinity,
      { ...MIDDLE, controlled: 2, breakpoints: [...ladder(u0, 1), 1, 10] },
    );
    t.converged &&= r.converged;
    const f = L * normalPdf(y);
    out[0] = f * r.values[0];
    out[1] = f * r.values[1];
    out[2] = f * (r.errors[0] + r.values[2]);
    out[3] = f * (r.errors[1] + r.values[3]);
  };
  // the largest of L normals sits near the (1 − 1/L) quantile, with spread ~1/√(2 log L)
  const yStar = normalQuantile(1 - 1 / L);
  const r = integrateVector(middle, 4, 0, Infinity, { ...OUTER, controlled: 2, breakpoints: [-4, -2, -1, 0, 1, 2, 4].map((k) => yStar + k) });
  t.converged &&= r.converged;
  // every χ* ≤ 0 (probability 2^{−L}): σ∞ is the argmax, ε itself
  const all = 2 ** -L;
  t.A = all + r.values[0];
  t.B = all + r.values[1];
  t.eA = r.errors[0] + r.values[2] + r.errors[2];
  t.eB = r.errors[1] + r.values[3] + r.errors[3];
  return t;
}

/**
 * A_L, B_L and their error bounds on a product task (spike with a Gaussian-mixture law, the others N(0, 1),
 * all independent): with z = x_+^p, S = Σz, and 1/S = ∫ e^{−tS} dt, 1/S² = ∫ t e^{−tS} dt over S > 0,
 *   A_L = ∫_0^∞ E[z_s e^{−t z_s}] (1 − C)^{L−1} dt + ∫_{−∞}^0 f(y) Φ(y)^{L−1} dy,
 *   B_L = ∫_0^∞ t (E[z_s² e^{−t z_s}] (1 − C)^{L−1} + (L − 1) E[e^{−t z_s}] E[z² e^{−tz}] (1 − C)^{L−2}) dt + P(S = 0),
 * C = E[1 − e^{−tz}] of an other token (the second term of A: every score ≤ 0, where the argmax — the spike
 * when it is the largest — takes the weight; P(S = 0) = P(y ≤ 0)·2^{−(L−1)}). Two levels: the t-integral of
 * one-token integrals.
 */
function productTerms(L: number, p: number, spike: readonly GaussianComponent[]): Terms {
  if (L === 1) return { A: 1, B: 1, eA: 0, eB: 0, evaluations: 0, converged: true };
  const t: Terms = { A: 0, B: 0, eA: 0, eB: 0, evaluations: 0, converged: true };
  const density = (y: number) => spike.reduce((f, c) => f + (c.weight * normalPdf((y - c.mean) / c.sd)) / c.sd, 0);
  const spikeBelowZero = spike.reduce((q, c) => q + c.weight * normalCdf(-c.mean / c.sd), 0);
  const centres = spike.flatMap((c) => [-6, -3, 0, 3, 6].map((k) => c.mean + k * c.sd)).filter((y) => y > 0);
  const spikeEnd = Math.max(GAUSSIAN_INNER_SD, ...spike.map((c) => c.mean + GAUSSIAN_INNER_SD * c.sd));
  /**
   * ∫_0^∞ g(y) [z e^{−tz}, z² e^{−tz}, 1 − e^{−tz}] dy, z = y^p, g the spike density or φ, whose mass ends
   * (to 1e−32) at `end`: values then errors into `out`
   */
  const token = (tt: number, g: (y: number) => number, breaks: readonly number[], end: number, out: Float64Array) => {
    const r = integrateVector(
      (y, o) => {
        const f = g(y);
        const z = y ** p;
        const e = Math.exp(-tt * z);
        o[0] = f * z * e;
        o[1] = f * z * z * e;
        o[2] = -f * Math.expm1(-tt * z);
      },
      3,
      0,
      Infinity,
      // e^{−t z} lives on y ≲ t^{−1/p} near 0: nodes there whatever t, but no panel ends beyond the
      // density's mass (a panel reaching far past it sees ~0 at every node and reports ~0 with ~0 error)
      { ...INNER, relativeTo: 'magnitude', breakpoints: [...breaks, end, ...ladder(tt ** (-1 / p)).filter((x) => x < end)] },
    );
    t.evaluations += r.evaluations;
    t.converged &&= r.converged;
    for (let j = 0; j < 3; j++) {
      out[j] = r.values[j];
      out[3 + j] = r.errors[j] + 4 * Number.EPSILON * Math.abs(r.values[j]);
    }
  };
  const sp = new Float64Array(6);
  const ot = new Float64Array(6);
  const mp = positiveMoment(p);
  const zs = spike.reduce((m, c) => m + c.weight * Math.max(c.mean, c.sd) ** p, 0);
  const r = integrateVector(
    (tt, o) => {
      token(tt, density, centres, spikeEnd, sp);
      token(tt, normalPdf, [1, 3], GAUSSIAN_INNER_SD, ot);
      const [s1, s2, cs, e1, e2, ecs] = sp;
      const [, h2, c, , eh2, ec] = ot;
      const n = L - 1;
      const g1 = powerOfComplement(c, n);
      const g0 = powerOfComplement(c, n - 1);
      const gm = n >= 2 ? powerOfComplement(c, n - 2) : 0;
      const ps = 1 - cs;
      o[0] = s1 * g1;
      o[1] = tt * (s2 * g1 + n * ps * h2 * g0);
      // first-order propagation of the one-token errors (d(1 − c)^k/dc = −k(1 − c)^{k−1})
      o[2] = e1 * g1 + s1 * n * g0 * ec;
      o[3] = tt * (e2 * g1 + s2 * n * g0 * ec + n * (ecs * h2 * g0 + ps * eh2 * g0 + ps * h2 * (n - 1) * gm * ec));
    },
    4,
    0,
    Infinity,
    { ...MIDDLE, controlled: 2, breakpoints: [...ladder(1 / ((L - 1) * mp + zs)), ...ladder(1 / zs), 1, 10] },
  );
  t.converged &&= r.converged;
  // every score ≤ 0: the argmax takes the weight; for A only when it is the spike
  const fallback = integrateVector(
    (y, out) => {
      out[0] = density(y) * powerOfComplement(normalSf(y), L - 1);
    },
    1,
    -Infinity,
    0,
    { ...OUTER, breakpoints: spike.map((c) => c.mean) },
  );
  t.converged &&= fallback.converged;
  const allNonPositive = spikeBelowZero * 2 ** -(L - 1);
  t.A = r.values[0] + fallback.values[0];
  t.B = r.values[1] + allNonPositive;
  t.eA = r.errors[0] + r.values[2] + r.errors[2] + fallback.errors[0];
  t.eB = r.errors[1] + r.values[3] + r.errors[3];
  return t;
}

/**
 * Breakpoints from a tenth of a decay scale x0 to 300 times it, a factor 3 apart: a Kronrod panel
 * much wider than where its integrand lives can see ~0 at every node and report ~0 with ~0 error
 * (at L = 10^6 the t-integrand decays on 1e−6 while the next natural scale is 0.2).
 * With p, only the steps k where the decaying factor e^{−k^p} is still above e^{−60} (p = 1: up to 30):
 * beyond, a breakpoint would only split panels where the integrand is smooth. The argmax limit uses it
 * for the factor e^{−t x^p} of the other token's integral and for (1 − C)^{L−1} ≈ e^{−u/u0} in u (where
 * t x^p is not small, e^{−u} is what varies, and the breakpoints 1 and 10 are there for it): 25% fewer
 * integrand values for the softplus kernel at max-SLR, L = 2 (3.3M instead of 4.4M), the value within
 * 2e−16, the bound 3.2e−11 (was 4.0e−11).
 */
function ladder(x0: number, p?: number): number[] {
  const steps = [0.1, 0.3, 1, 3, 10, 30, 100, 300];
  return (p === undefined ? steps : steps.filter((k) => k ** p <= LADDER_DECAYED)).map((k) => k * x0);
}
const LADDER_DECAYED = 60;

/** E[x_+^p] for x ~ N(0, 1): 2^{p/2} Γ((p + 1)/2)/(2√π). */
function positiveMoment(p: number): number {
  return 0.5 * Math.exp(logGamma((p + 1) / 2) + (p / 2) * Math.LN2 - 0.5 * Math.log(Math.PI));
}

/** The middle integrand at u from one other token's C, H and their errors: e^{−u}(1 − C)^{L−1}, the B term, and their propagated errors. */
function middleTerms(L: number, u: number, inner: Float64Array, o: Float64Array): void {
  const C = inner[0];
  const H = inner[1];
  const eC = inner[2];
  const eH = inner[3];
  const g1 = powerOfComplement(C, L - 1);
  const g2 = powerOfComplement(C, L - 2);
  const g3 = L >= 3 ? powerOfComplement(C, L - 3) : 0;
  const e = Math.exp(-u);
  o[0] = e * g1;
  o[1] = u * e * (g1 + (L - 1) * H * g2);
  // d(1 − C)^n/dC = −n(1 − C)^{n−1}: first-order propagation of the inner errors
  o[2] = e * (L - 1) * g2 * eC;
  o[3] = u * e * ((L - 1) * g2 * eC + (L - 1) * (eH * g2 + H * (L - 2) * g3 * eC));
}

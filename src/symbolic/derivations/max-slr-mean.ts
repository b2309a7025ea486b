/**
 * The one number linear attention sees of max-SLR: μ = E[χ*_ε], the mean
 * key projection of the selected token (χ* ~ N(0, I_L), ε | χ* ~
 * softmax(νχ*), argmax at ν = ∞). Computed by our quadrature with error
 * bounds, two independent ways each, so that they can check each other.
 */
import { InvalidInputError, requireFinite } from '../../errors.ts';
import { integrate, integrateVector } from '../../numerics/adaptive.ts';
import { normalPdf, normalQuantile, normalSf } from '../../numerics/special.ts';
import { locateMass, selectionCandidates } from '../../risk/bayes.ts';
import { breakpointsInside, gaussianTruncated, powerOfComplement, stepBreakpoints } from '../../risk/laplace.ts';

export interface MeanResult {
  readonly value: number;
  /** absolute error bound (QUADPACK estimates, propagated) */
  readonly error: number;
  readonly method: string;
  readonly evaluations: number;
  readonly converged: boolean;
}

/** Breakpoints where Q(x) = c/L for c = 10, 1, 0.1, 0.01, 0.001: the step of Φ(x)^L sits there. */
function maxBreakpoints(L: number): number[] {
  return [10, 1, 0.1, 0.01, 0.001].filter((c) => c / L < 0.5).map((c) => -normalQuantile(c / L));
}

/**
 * μ_L = E[max of L i.i.d. N(0,1)] = E[χ*_ε] of max-SLR at ν = ∞, by
 *   μ_L = ∫_0^∞ [1 − Φ(x)^L − Φ(−x)^L] dx
 * (E[M] = ∫_0^∞ P(M > x)dx − ∫_0^∞ P(M < −x)dx), with 1 − Φ^L = −expm1(L log1p(−Q))
 * so that L = 10⁶ loses nothing; adaptive Gauss–Kronrod with breakpoints at
 * the step of Φ^L. `form: 'density'` uses instead the form of the brief,
 * μ_L = ∫ x L φ(x) Φ(x)^{L−1} dx (a different integrand: the two check each
 * other). L ≥ 1 integer (μ_1 = 0), L ≤ 10¹².
 */
export function expectedMaxOfNormals(L: number, form: 'tail' | 'density' = 'tail'): MeanResult {
  requireFinite('L', L, { min: 1, max: 1e12, integer: true });
  if (L === 1) return { value: 0, error: 0, method: 'exact (L = 1)', evaluations: 0, converged: true };
  const marks = maxBreakpoints(L);
  if (form === 'tail') {
    const h = (x: number) => {
      const q = normalSf(x);
      return -Math.expm1(L * Math.log1p(-q)) - Math.pow(q, L);
    };
    const r = integrate(h, 0, Infinity, { breakpoints: marks, relTol: 1e-13, absTol: 1e-15 });
    return { value: r.value, error: r.error, method: `∫₀^∞ [1 − Φ^L − Φ(−x)^L] dx, ${r.method}`, evaluations: r.evaluations, converged: r.converged };
  }
  const g = (x: number) => {
    const q = normalSf(x);
    return x * L * normalPdf(x) * Math.exp((L - 1) * Math.log1p(-q));
  };
  const r = integrate(g, -Infinity, Infinity, { breakpoints: [0, ...marks], relTol: 1e-13, absTol: 1e-15 });
  return { value: r.value, error: r.error, method: `∫ x L φ Φ^{L−1} dx, ${r.method}`, evaluations: r.evaluations, converged: r.converged };
}

/**
 * μ(ν) = E[χ*_ε] = E[Σ_ℓ p_ℓ χ*_ℓ] on max-SLR at finite ν (p = softmax(νχ*)),
 * and the same quantity through Gaussian integration by parts,
 * ν E[Σ_ℓ p_ℓ(1 − p_ℓ)]. With κ = e^{νχ − s} (χ ~ N(0,1)) and the one-token
 * integrals K₁(s) = E[χκe^{−κ}], M₁(s) = E[κe^{−κ}], M₀(s) = E[e^{−κ}],
 * 1/S = ∫e^{−tS}dt and 1/S² = ∫te^{−tS}dt (t = e^{−s}) give
 *   direct: μ = L ∫ K₁ M₀^{L−1} ds,   Stein: ν E[Σp(1−p)] = ν L(L−1) ∫ M₁² M₀^{L−2} ds,
 * M₀^n from its complement E[1 − e^{−κ}] (exact for large L). Independent
 * integrands, so agreement within the error bounds checks the identity.
 * L ≥ 1 integer, 0 ≤ ν < ∞ (use expectedMaxOfNormals for ν = ∞).
 */
export function maxSelectedMean(L: number, nu: number, form: 'direct' | 'stein' = 'direct'): MeanResult {
  requireFinite('L', L, { min: 1, max: 1e12, integer: true });
  if (nu === Infinity) throw new InvalidInputError('maxSelectedMean needs a finite ν; at ν = ∞ use expectedMaxOfNormals');
  requireFinite('nu', nu, { min: 0 });
  if (L === 1 || nu === 0) return { value: 0, error: 0, method: `exact (${L === 1 ? 'L = 1' : 'ν = 0'}: μ = 0)`, evaluations: 0, converged: true };
  const relTol = 1e-11;
  let evaluations = 0;
  let converged = true;
  // inner: [K1, M1, C0] and their error bounds at s
  const inner = (s: number) => {
    const x0 = s / nu;
    const r = gaussianTruncated(
      (x, out) => {
        const u = nu * x - s;
        const w = normalPdf(x);
        if (u > 40) {
          out[2] = w; // e^{−κ} = 0
          return;
        }
        const kappa = Math.exp(u);
        const e = Math.exp(-kappa);
        out[0] = w * x * kappa * e;
        out[1] = w * kappa * e;
        out[2] = -w * Math.expm1(-kappa);
      },
      3,
      0,
      1,
      1,
      stepBreakpoints(x0, nu),
      relTol,
    );
    evaluations += r.evaluations;
    converged &&= r.converged;
    return r;
  };
  const integrand = (s: number) => {
    const r = inner(s);
    const [K1, M1, C0] = r.values;
    const [eK1, eM1, eC0] = r.errors;
    const C0lo = Math.max(0, C0 - eC0);
    if (form === 'direct') {
      const P = powerOfComplement(C0, L - 1);
      const Pup = powerOfComplement(C0lo, L - 1);
      return { v: L * K1 * P, e: L * (eK1 * Pup + Math.abs(K1) * (Pup - P)) };
    }
    const P = powerOfComplement(C0, L - 2);
    const Pup = powerOfComplement(C0lo, L - 2);
    const f = nu * L * (L - 1);
    return { v: f * M1 * M1 * P, e: f * ((M1 + eM1) ** 2 * Pup - M1 * M1 * P) };
  };
  const { lo, hi, breakpoints, peak } = locateMass((s) => Math.abs(integrand(s).v), Math.max(1, nu), selectionCandidates(nu, L));
  if (!(peak > 0)) return { value: 0, error: 0, method: 'integrand vanishes', evaluations, converged: false };
  const r = integrateVector(
    (s, out) => {
      const f = integrand(s);
      out[0] = f.v;
      out[1] = f.e;
    },
    2,
    -Infinity,
    Infinity,
    { breakpoints: breakpointsInside([lo, ...breakpoints, hi], -Infinity, Infinity), relTol: 1e-10, absTol: 1e-14, controlled: 1 },
  );
  evaluations += r.evaluations;
  return {
    value: r.values[0],
    error: r.errors[0] + 2 * Math.abs(r.values[1]),
    method: `${form === 'direct' ? 'L∫K₁M₀^{L−1}ds' : 'νL(L−1)∫M₁²M₀^{L−2}ds'} (1/S Laplace trick, s = −log t); outer and inner adaptive Gauss–Kronrod`,
    evaluations,
    converged: converged && r.converged,
  };
}

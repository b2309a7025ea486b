import { type VectorQuadratureResult, integrateVector } from '../numerics/adaptive.ts';
/**
 * Shared pieces of the exchangeable-token reduction.
 *
 * Normalisers are removed by 1/S = ∫_0^∞ e^{−tS} dt and 1/S² = ∫_0^∞ t e^{−tS} dt
 * and written in the log variable t = e^{−s} (s ∈ R), so that every factor
 * is a bounded function of κ = e^{log w − s} (κ^j e^{−κ} ≤ (j/e)^j): nothing
 * overflows even when the weights are e^{1000 χ}. Given the normaliser's
 * variable, tokens are independent, and an expectation over L tokens becomes
 * one-token integrals raised to powers L − k: the cost does not grow with L.
 */

/** Cut-off of a Gaussian integral in units of its sd: φ(39) ≈ 1.4e−331 is below the smallest double. */
export const GAUSSIAN_CUTOFF_SD = 39;

/**
 * (1 − c)^n for a complement c ∈ [0,1] known to relative accuracy, n ≥ 0
 * possibly huge (L = 10^6): exp(n·log1p(−c)) keeps the relative accuracy of c.
 */
export function powerOfComplement(c: number, n: number): number {
  if (n === 0) return 1;
  if (c >= 1) return 0;
  return Math.exp(n * Math.log1p(-c));
}

/** Sorted, de-duplicated breakpoints strictly inside (lo, hi). */
export function breakpointsInside(points: number[], lo: number, hi: number): number[] {
  const inside = points.filter((p) => Number.isFinite(p) && p > lo && p < hi).sort((a, b) => a - b);
  const out: number[] = [];
  for (const p of inside) if (out.length === 0 || p - out[out.length - 1] > 1e-9 * Math.max(1, Math.abs(p))) out.push(p);
  return out;
}

/** Σ_L P_L(L)·g(L) over a length law. */
export function overLengths(lengths: readonly number[], probabilities: readonly number[], g: (L: number) => number): number {
  let sum = 0;
  for (let i = 0; i < lengths.length; i++) sum += probabilities[i] * g(lengths[i]);
  return sum;
}

/** Inner cut-off in sd: P(|X − μ| > 12 sd) = 3.55e−33. */
export const GAUSSIAN_INNER_SD = 12;
const TAIL_MASS_12 = 3.552964224155306e-33; // 2·Q(12) = erfc(12/√2), mpmath

/**
 * ∫ N(x; μ, sd²)·k(x) dx for a vector of kernels with |k| ≤ 1 (the density
 * with weight `mass` is part of `f`). First over μ ± 12 sd, adding the
 * rigorous truncation bound mass·2Q(12) to every error; where that bound is
 * not negligible against a component (one below ~1e−21), the tails out to
 * μ ± 39 sd, beyond which the density is below the smallest double, are
 * integrated and added. Breakpoints at μ ± {2.5, 6} sd spare the rule from
 * bisecting its way in.
 */
export function gaussianTruncated(
  f: (x: number, out: Float64Array) => void,
  dim: number,
  mu: number,
  sd: number,
  mass: number,
  marks: number[],
  relTol: number,
): VectorQuadratureResult {
  const piece = (lo: number, hi: number, gauss: number[]) =>
    integrateVector(f, dim, lo, hi, { breakpoints: breakpointsInside([...gauss, ...marks], lo, hi), relTol, absTol: 1e-320 });
  const r = piece(mu - GAUSSIAN_INNER_SD * sd, mu + GAUSSIAN_INNER_SD * sd, [mu, mu - 2.5 * sd, mu + 2.5 * sd, mu - 6 * sd, mu + 6 * sd]);
  const tail = mass * TAIL_MASS_12;
  let negligible = true;
  for (let j = 0; j < dim; j++) if (tail > relTol * Math.abs(r.values[j])) negligible = false;
  if (negligible) {
    for (let j = 0; j < dim; j++) r.errors[j] += tail;
    return r;
  }
  // a component is so small that the tails may matter: integrate them too, out to where the density underflows
  for (const [lo, hi] of [
    [mu - GAUSSIAN_CUTOFF_SD * sd, mu - GAUSSIAN_INNER_SD * sd],
    [mu + GAUSSIAN_INNER_SD * sd, mu + GAUSSIAN_CUTOFF_SD * sd],
  ]) {
    const t = piece(lo, hi, [mu - 20 * sd, mu + 20 * sd]);
    for (let j = 0; j < dim; j++) {
      r.values[j] += t.values[j];
      r.errors[j] += t.errors[j];
    }
    r.evaluations += t.evaluations;
    r.intervals += t.intervals;
    r.converged &&= t.converged;
  }
  return r;
}

/**
 * Breakpoints around the step of a Laplace kernel κ^j e^{−κ} or 1 − e^{−κ},
 * κ = e^{u}, u = slope·(x − x0): the left side decays like e^{u} (slowly) and
 * the right side like e^{−e^{u}} (e^{u}e^{−e^{u}} is 4e−8 at u = 3 and 1e−22
 * at u = 4). A Gauss–Kronrod piece that ends where such a tail is still
 * steep sees none of it and reports no error, so the tails are cut at
 * u ∈ {−40, −24, −12, −5, −2, 0, 2, 3, 4}: within each piece the integrand
 * varies by a bounded factor and the embedded error estimate is reliable.
 */
export function stepBreakpoints(x0: number, slope: number): number[] {
  if (!Number.isFinite(x0) || !(slope > 0)) return [];
  return [-40, -24, -12, -5, -2, 0, 2, 3, 4].map((u) => x0 + u / slope);
}

import { InvalidInputError } from '../errors.ts';
import { type VectorQuadratureResult, integrateVector } from '../numerics/adaptive.ts';
import { type ConcaveLog, type LogConcaveOptions, type LogConcaveResult, integrateLogConcave } from '../numerics/logconcave.ts';
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

/** Laplace kernels k(κ) of κ = e^u, for `gaussianLaplace`. */
export const KERNEL_E0 = 0; // e^{−κ}
export const KERNEL_E1 = 1; // κ e^{−κ}
export const KERNEL_E2 = 2; // κ² e^{−κ}
export const KERNEL_COMPLEMENT = 3; // 1 − e^{−κ}
export type LaplaceKernel = 0 | 1 | 2 | 3;

const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * ψ(u) = log N(u; a, b²) + log k(e^u), concave in u for every kernel:
 * log κ^j e^{−κ} = ju − e^u (concave), and log(1 − e^{−e^u}) has derivative
 * g = κ/(e^κ − 1), decreasing in u.
 *
 * For a narrow Gaussian (b < 1) the integration variable is z = (u − a)/b
 * instead (ψ_z(z) = log φ(z) + log k(e^{a + bz}), still concave): in u, a
 * Gaussian of width b ≪ ulp(a)/eps would put quadrature nodes closer than
 * doubles can tell apart from a (b = √ν = 1e−150 at ν = 1e−300; b² even
 * underflows at ν = 5e−324), and node rounding of |a|·eps is a relative error
 * |a|·eps/b of the integrand. In z the peak has width ≈ 1 and sits near 0.
 * For κ^j e^{−κ} with b·e^a ≤ 1 (the mode z* = b(j − κ(z*)) is then within
 * j + e^j of 0) the constant C = ja − e^a is taken out as well:
 * ψ_z − C = log φ(z) + jbz − e^a·expm1(bz) has no cancellation even where
 * e^a ≫ 1 (b = 1e−160, a = 42: |ψ_z| ≈ 2e18, and ψ_z − ψ* was noise of
 * ±400); the caller multiplies by e^C. Where b·e^a > 1 the mode moves to
 * κ* ≤ (bj − z*)/b and ψ* is as large as the terms of ψ_z: no cancellation.
 */
class GaussianLaplaceLog implements ConcaveLog {
  a = 0;
  b = 1;
  invB2 = 1;
  logNorm = 0;
  j = 0;
  complement = false;
  /** integrate in z = (u − a)/b (b < 1) rather than in u */
  standardised = false;
  /** standardised κ^j e^{−κ}: ψ_z − C with C = ja − e^a (`offset`), κ = e^a·e^{bz} */
  shifted = false;
  kappaA = 1;
  offset = 0;

  set(kernel: LaplaceKernel, a: number, b: number): void {
    this.a = a;
    this.b = b;
    this.standardised = b < 1;
    this.invB2 = 1 / (b * b);
    this.logNorm = this.standardised ? -LOG_SQRT_2PI : -Math.log(b) - LOG_SQRT_2PI;
    this.complement = kernel === KERNEL_COMPLEMENT;
    this.j = this.complement ? 0 : kernel;
    this.kappaA = Math.exp(a);
    this.shifted = this.standardised && !this.complement && b * this.kappaA <= 1;
    this.offset = this.shifted ? this.j * a - this.kappaA : 0;
  }

  /** u and the Gaussian part of ψ at the integration variable x */
  private u(x: number): number {
    return this.standardised ? this.a + this.b * x : x;
  }

  private gauss(x: number): number {
    if (this.standardised) return this.logNorm - 0.5 * x * x;
    const z = x - this.a;
    return this.logNorm - 0.5 * z * z * this.invB2;
  }

  /** ψ_z(z) − C = log φ(z) + jbz − e^a·expm1(bz) (shifted mode) */
  private shiftedLog(x: number): number {
    const bx = this.b * x;
    return this.logNorm - 0.5 * x * x + this.j * bx - this.kappaA * Math.expm1(bx);
  }

  logf(x: number): number {
    if (this.shifted) return this.shiftedLog(x);
    const u = this.u(x);
    const base = this.gauss(x);
    if (this.complement) return base + logComplement(u);
    return base + this.j * u - Math.exp(u);
  }

  scaledf(x: number, shift: number): number {
    if (this.shifted) return Math.exp(this.shiftedLog(x) - shift);
    const u = this.u(x);
    const base = this.gauss(x) - shift;
    if (this.complement) {
      // far left 1 − e^{−κ} ≈ κ underflows while e^{base} overflows (ψ* < −709): add the logs there
      if (u < -30) return Math.exp(base + logComplement(u));
      const kappa = Math.exp(u);
      // 1 − e^{−κ}: from e^{−κ} where that is below 0.6 (no cancellation to speak of), else expm1
      const k = kappa > 0.5 ? 1 - Math.exp(-kappa) : -Math.expm1(-kappa);
      return Math.exp(base) * k;
    }
    return Math.exp(base + this.j * u - Math.exp(u));
  }

  derivs(x: number, d: Float64Array): void {
    if (this.shifted) {
      const bx = this.b * x;
      const em = Math.expm1(bx);
      const kappa = this.kappaA + this.kappaA * em;
      d[0] = this.logNorm - 0.5 * x * x + this.j * bx - this.kappaA * em;
      d[1] = -x + this.b * (this.j - kappa);
      d[2] = -1 - this.b * this.b * kappa;
      return;
    }
    const u = this.u(x);
    const kappa = Math.exp(u);
    const base = this.gauss(x);
    // Gaussian part's ψ', ψ'' in x; the kernel's (in u) are multiplied by du/dx = s and s²
    const g1 = this.standardised ? -x : -(x - this.a) * this.invB2;
    const g2 = this.standardised ? -1 : -this.invB2;
    const s = this.standardised ? this.b : 1;
    if (!this.complement) {
      d[0] = base + this.j * u - kappa;
      d[1] = g1 + s * (this.j - kappa);
      d[2] = g2 - s * s * kappa;
      return;
    }
    d[0] = base + logComplement(u);
    // g = κ/(e^κ − 1) = κe^{−κ}/(1 − e^{−κ}); dg/du = −κe^{−κ}(κ − (1 − e^{−κ}))/(1 − e^{−κ})²
    let g: number;
    let dg: number;
    if (kappa < 1e-5) {
      g = 1 - 0.5 * kappa;
      dg = -0.5 * kappa;
    } else if (kappa > 745) {
      g = 0;
      dg = 0;
    } else {
      const e = Math.exp(-kappa);
      const em = -Math.expm1(-kappa);
      g = (kappa * e) / em;
      dg = (-kappa * e * (kappa - em)) / (em * em);
    }
    d[1] = g1 + s * g;
    d[2] = g2 + s * s * dg;
  }
}

/** log(1 − e^{−e^u}) without underflow: u − κ/2 (+ O(κ²)) for u < −30. */
function logComplement(u: number): number {
  if (u < -30) return u - 0.5 * Math.exp(u);
  return Math.log(-Math.expm1(-Math.exp(u)));
}

const kernelLog = new GaussianLaplaceLog();
/** Features of e^{−e^u}: the step (unit scale) and, to its left, the tail 1 − e^{−κ} ≈ e^u; panels wider than 1 are split there. */
const STEP_POINTS = Float64Array.of(-40, -24, -12, -5, -2, 0, 2, 3, 4);
/**
 * The same for 1 − e^{−κ}: only the step. Its left tail shows in the log, where it is linear to
 * first order (log(1 − e^{−κ}) = u − κ/2 + …): the drop and bend tests place the panels there, so
 * the points at −40, −24, −12 (for e^{−κ} = 1 − κ + …, whose log is flat) only added panels. Without
 * them: the same Bayes risks to 1e−16 relative with the same bounds, 7% fewer evaluations over ten
 * settings of the bench's kind (spiked and max-SLR, ν from 0.01 to 1000, L from 2 to 10⁶).
 */
const STEP_POINTS_COMPLEMENT = Float64Array.of(-5, -2, 0, 2, 3, 4);

/**
 * ∫ N(u; a, b²) k(e^u) du for a Laplace kernel k (e^{−κ}, κe^{−κ}, κ²e^{−κ} or
 * 1 − e^{−κ}), b > 0, by log-concave quadrature (`integrateLogConcave`): the
 * panels follow the integrand's own mode and width, so a narrow Gaussian
 * (b → 0), a wide one (b = 1000, where the kernel is a step of width 1/1000 of
 * it) and a tilted one (the mass of κe^{−κ} sits at a + b² when that is ≪ 0)
 * cost the same, and the error bound includes rigorous tail bounds. Values too
 * small for a double come out 0 (with `logPeak` still finite, except for
 * κ^j e^{−κ} with b < 1 and a > 709, where it is −Infinity: the integral is
 * below e^{−800}).
 */
export function gaussianLaplace(kernel: LaplaceKernel, a: number, b: number, opts: LogConcaveOptions = {}): LogConcaveResult {
  if (!(b > 0) || !Number.isFinite(b) || !Number.isFinite(a)) throw new InvalidInputError(`gaussianLaplace: need a finite mean and a finite sd > 0, got a=${a}, b=${b}`);
  kernelLog.set(kernel, a, b);
  const b2 = b * b;
  let lo: number;
  let hi: number;
  if (kernel === KERNEL_COMPLEMENT) {
    // ψ' = (a − u)/b² + g with g ∈ (0, 1]: the mode is in (a, a + b²] (in z: (0, b])
    lo = a;
    hi = a + b2;
  } else {
    // ψ' = (a − u)/b² + j − e^u: the mode is below a + j b², and below max(0, log(j + a⁺/b²))
    lo = Math.min(a, 0) - b2 - 1;
    hi = Math.min(a + kernel * b2, Math.max(0, Math.log(kernel + Math.max(a, 0) / b2)));
    if (!(hi > lo)) hi = lo + 1;
  }
  // log κ^j e^{−κ} = ju − e^u shows the step to the marching; e^{−κ} and 1 − e^{−κ} hide it (and the
  // tail 1 − e^u ≈ 1 of e^{−κ}): split their wide panels at the step's points
  const hidden = kernel === KERNEL_E0 || kernel === KERNEL_COMPLEMENT;
  const steps = kernel === KERNEL_COMPLEMENT ? STEP_POINTS_COMPLEMENT : STEP_POINTS;
  if (!kernelLog.standardised) return integrateLogConcave(kernelLog, lo, hi, hidden ? { breakpoints: steps, ...opts } : opts);
  if (kernel !== KERNEL_COMPLEMENT && !(kernelLog.kappaA < Infinity)) {
    // b < 1, a > 709: within 40 sd κ ≥ e^{a − 40} > e^{669}, so κ^j e^{−κ} = 0 in double, and beyond 40 sd
    // φ < e^{−800} (with κ^j e^{−κ} ≤ 1): the integral is below the smallest double, exactly 0 here
    return { value: 0, error: 0, logPeak: -Infinity, scaled: 0, scaledError: 0, mode: 0, panels: 0, evaluations: 0 };
  }
  // in z = (u − a)/b: the same bracket, mapped; for κ^j e^{−κ} the mode z* = b(j − κ(z*)) also lies in
  // [b(j − e^{a + j b²}), b j] (κ(z*) ≤ e^{a + b·bj}), which is much tighter when b is tiny
  let zlo = (lo - a) / b;
  let zhi = (hi - a) / b;
  if (kernel === KERNEL_COMPLEMENT) {
    zlo = 0;
    zhi = b;
  } else {
    zhi = Math.min(zhi, b * kernel);
    const tight = b * (kernel - Math.exp(a + b2 * kernel));
    if (tight > zlo) zlo = tight;
    if (!(zhi > zlo)) zhi = zlo + 1;
  }
  if (!Number.isFinite(zlo)) zlo = zhi - 1;
  // the step's features sit at u = steps (STEP_POINTS, or STEP_POINTS_COMPLEMENT), i.e. z = (u − a)/b, and have width 1/b in z
  const marks = hidden ? Float64Array.from(steps, (u) => (u - a) / b) : undefined;
  const r = integrateLogConcave(kernelLog, zlo, zhi, hidden ? { breakpoints: marks, breakWidth: 1 / b, ...opts } : opts);
  if (!kernelLog.shifted || !(r.logPeak > -Infinity)) return r;
  // put C = ja − e^a back: its rounding (≈ eps·(|ja| + e^a), two operations) is a relative error of the value
  const offset = kernelLog.offset;
  r.logPeak += offset;
  r.scaledError += 2 * Number.EPSILON * (Math.abs(kernel * a) + kernelLog.kappaA) * r.scaled;
  const scale = Math.exp(r.logPeak);
  r.value = scale * r.scaled;
  r.error = scale * r.scaledError;
  return r;
}

/**
 * Monte Carlo statistics: streaming moments, confidence intervals and the
 * goodness-of-fit helpers (Kolmogorov–Smirnov, chi-square) used by the tests.
 *
 * Self-contained on purpose (no dependency on special.ts): the normal
 * quantile is Wichura's AS 241 (relative error ~1e-16), Student-t quantiles
 * come from the closed-form CDF for integer degrees of freedom, the
 * chi-square tail from the regularised incomplete gamma function.
 */
import { InvalidInputError } from '../errors.ts';
import type { NumericalResult } from './result.ts';

// ---------------------------------------------------------------------------
// Streaming moments

/**
 * Streaming count, mean and unbiased variance by Welford's update, mergeable
 * by the parallel formula of Chan, Golub & LeVeque (1979):
 * M2 = M2_a + M2_b + δ² n_a n_b / n with δ = mean_b − mean_a.
 */
export class RunningStats {
  private n = 0;
  private mu = 0;
  private m2 = 0;

  /** Statistics of the values of `xs`. */
  static of(xs: ArrayLike<number>): RunningStats {
    const s = new RunningStats();
    s.pushMany(xs);
    return s;
  }

  push(x: number): void {
    const n = ++this.n;
    const d = x - this.mu;
    this.mu += d / n;
    this.m2 += d * (x - this.mu);
  }

  pushMany(xs: ArrayLike<number>): void {
    for (let i = 0; i < xs.length; i++) this.push(xs[i]);
  }

  /** Add the samples summarised by `other` (which is left unchanged); returns this. */
  merge(other: RunningStats): this {
    const nb = other.n;
    if (nb === 0) return this;
    const na = this.n;
    if (na === 0) {
      this.n = nb;
      this.mu = other.mu;
      this.m2 = other.m2;
      return this;
    }
    const n = na + nb;
    const d = other.mu - this.mu;
    const ob = other.m2; // read before writing: merge(this) is allowed
    this.mu += (d * nb) / n;
    this.m2 += ob + ((d * d * na) / n) * nb;
    this.n = n;
    return this;
  }

  get count(): number {
    return this.n;
  }

  /** Sample mean; NaN when empty. */
  get mean(): number {
    return this.n > 0 ? this.mu : NaN;
  }

  /** Unbiased sample variance M2 / (n − 1); NaN for fewer than 2 samples. */
  get variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
  }

  /** Standard error of the mean √(variance / n); NaN for fewer than 2 samples. */
  get standardError(): number {
    return Math.sqrt(this.variance / this.n);
  }
}

// ---------------------------------------------------------------------------
// Quantiles

/**
 * Lower-tail normal quantile Φ^{-1}(p) for 0 < p ≤ 1/2 (Wichura 1988,
 * Algorithm AS 241 "PPND16", relative accuracy about 1e−16). Callers pass the
 * smaller tail probability so that no precision is lost to 1 − p.
 */
function normalLowerQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((5226.495278852854561 * r + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r +
        2.96560571828504891230e-1) *
        r +
        1.78482653991729133580) *
        r +
        5.46378491116411436990) *
        r +
        6.65790464350110377720) /
      (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r +
        1.48753612908506148525e-2) *
        r +
        1.36929880922735805310e-1) *
        r +
        5.99832206555887937690e-1) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

function requireConfidence(confidence: number): void {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new InvalidInputError(`confidence must be in (0, 1), got ${String(confidence)}`);
  }
}

/**
 * Two-sided standard-normal quantile: the z > 0 with P(|Z| ≤ z) = confidence,
 * e.g. 0.95 → 1.959963984540054. Computed as −Φ^{-1}((1 − confidence)/2),
 * where 1 − confidence is exact, so it keeps full relative accuracy up to
 * confidence = 1 − 2^−53.
 */
export function zQuantile(confidence: number): number {
  requireConfidence(confidence);
  return -normalLowerQuantile((1 - confidence) / 2);
}

/**
 * P(|T_ν| ≤ t) written with θ = atan(t/√ν), for integer ν (Abramowitz &
 * Stegun 26.7.3–4): a finite sum of ⌊ν/2⌋ terms.
 */
function studentTwoSidedCdfAtAngle(theta: number, dof: number): number {
  const s = Math.sin(theta);
  const c = Math.cos(theta);
  const c2 = c * c;
  if (dof % 2 === 1) {
    if (dof === 1) return (2 / Math.PI) * theta;
    // θ + sinθ (c + (2/3) c³ + (2·4)/(3·5) c⁵ + … + c^{ν−2}·(2·4…(ν−3))/(3·5…(ν−2)))
    let term = c;
    let sum = c;
    for (let j = 3; j <= dof - 2; j += 2) {
      term *= (c2 * (j - 1)) / j;
      sum += term;
    }
    return (2 / Math.PI) * (theta + s * sum);
  }
  // sinθ (1 + (1/2) c² + (1·3)/(2·4) c⁴ + … + c^{ν−2}·(1·3…(ν−3))/(2·4…(ν−2)))
  let term = 1;
  let sum = 1;
  for (let j = 2; j <= dof - 2; j += 2) {
    term *= (c2 * (j - 1)) / j;
    sum += term;
  }
  return s * sum;
}

/**
 * Two-sided Student-t quantile: the t > 0 with P(|T_dof| ≤ t) = confidence,
 * for integer dof ≥ 1. For dof ≤ 1000, bisection on θ = atan(t/√dof) in the
 * closed-form CDF; for dof > 1000 the Cornish–Fisher expansion to O(dof^−4)
 * (A&S 26.7.5). Relative accuracy against scipy: ≤ 1e−13 for confidence ≤
 * 0.999, ≤ 1e−11 at confidence 1 − 10^−6 (rounding of the ⌊dof/2⌋-term
 * sum, magnified by 1/(1 − confidence)).
 */
export function tQuantile(confidence: number, dof: number): number {
  requireConfidence(confidence);
  if (typeof dof !== 'number' || !Number.isInteger(dof) || dof < 1) {
    throw new InvalidInputError(`degrees of freedom must be a positive integer, got ${String(dof)}`);
  }
  if (dof > 1000) {
    const z = zQuantile(confidence);
    const z2 = z * z;
    const g1 = (z * (z2 + 1)) / 4;
    const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
    const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
    const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
    return z + (g1 + (g2 + (g3 + g4 / dof) / dof) / dof) / dof;
  }
  let lo = 0;
  let hi = Math.PI / 2;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (studentTwoSidedCdfAtAngle(mid, dof) < confidence) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(dof) * Math.tan(0.5 * (lo + hi));
}

// ---------------------------------------------------------------------------
// Intervals

/**
 * Mean with a CLT confidence interval: value = mean, error = z·SE (the
 * half-width at the given two-sided confidence, z = zQuantile(confidence)).
 * converged = at least 2 samples and a finite value and half-width; with
 * fewer than 2 samples the half-width is +Infinity.
 */
export function meanWithInterval(stats: RunningStats, confidence = 0.999, method = 'monte-carlo'): NumericalResult {
  const z = zQuantile(confidence);
  const n = stats.count;
  const value = stats.mean;
  const error = n >= 2 ? z * stats.standardError : Infinity;
  return {
    value,
    error,
    method,
    samples: n,
    confidence,
    converged: n >= 2 && Number.isFinite(value) && Number.isFinite(error),
  };
}

/**
 * Interval for the mean of a stationary but correlated sequence by
 * non-overlapping batch means: the last `batches`·m samples (m = ⌊n/batches⌋;
 * the first n mod batches are dropped as burn-in) are cut into `batches`
 * consecutive batches whose means are treated as i.i.d.; the half-width is
 * t_{batches−1}(confidence) · sd(batch means)/√batches. Valid when a batch is
 * much longer than the correlation time of the sequence.
 */
export function batchMeansInterval(
  samples: ArrayLike<number>,
  options: { batches?: number; confidence?: number; method?: string } = {},
): NumericalResult {
  const batches = options.batches ?? 32;
  const confidence = options.confidence ?? 0.999;
  const method = options.method ?? 'monte-carlo-batch-means';
  if (!Number.isInteger(batches) || batches < 2) throw new InvalidInputError(`batches must be an integer >= 2, got ${batches}`);
  if (samples.length < batches) {
    throw new InvalidInputError(`batch means need at least one sample per batch: ${samples.length} samples for ${batches} batches`);
  }
  const t = tQuantile(confidence, batches - 1);
  const m = Math.floor(samples.length / batches);
  const start = samples.length - batches * m;
  const stats = new RunningStats();
  for (let b = 0; b < batches; b++) {
    let sum = 0;
    const from = start + b * m;
    for (let i = from; i < from + m; i++) sum += samples[i];
    stats.push(sum / m);
  }
  const value = stats.mean;
  const error = t * stats.standardError;
  return {
    value,
    error,
    method,
    samples: batches * m,
    confidence,
    converged: Number.isFinite(value) && Number.isFinite(error),
  };
}

// ---------------------------------------------------------------------------
// Goodness of fit

/**
 * Kolmogorov–Smirnov statistic D_n = sup_x |F_n(x) − F(x)| of a sample
 * against a continuous CDF (the input is not modified).
 */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const n = samples.length;
  if (n < 1) throw new InvalidInputError('ksStatistic needs at least one sample');
  const xs = Float64Array.from(samples as ArrayLike<number>);
  for (let i = 0; i < n; i++) if (Number.isNaN(xs[i])) throw new InvalidInputError(`ksStatistic: sample ${i} is NaN`);
  xs.sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(xs[i]);
    if (!(F >= 0 && F <= 1)) throw new InvalidInputError(`ksStatistic: cdf(${xs[i]}) = ${F} is not in [0, 1]`);
    const above = (i + 1) / n - F;
    const below = F - i / n;
    if (above > d) d = above;
    if (below > d) d = below;
  }
  return d;
}

/** Kolmogorov's limit law Q(λ) = P(K > λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}. */
function kolmogorovSurvival(lambda: number): number {
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    // Jacobi-theta form of P(K ≤ λ) = √(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}, fast for small λ
    const w = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return 2 * sum;
}

/**
 * Approximate p-value P(D_n ≥ d) of the KS statistic: Kolmogorov's limit law
 * at Stephens' (1970) finite-n argument λ = (√n + 0.12 + 0.11/√n)·d. Against
 * the exact law (Marsaglia, Tsang & Wang 2003) its relative error is a few
 * percent at most for n ≥ 5 and p ≤ 0.3 (e.g. 0.05 → 0.0509 at n = 5,
 * 0.0502 at n = 10) — ample for hypothesis tests at fixed levels.
 */
export function ksPValue(d: number, n: number): number {
  if (typeof d !== 'number' || Number.isNaN(d) || d < 0) throw new InvalidInputError(`KS statistic must be >= 0, got ${String(d)}`);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new InvalidInputError(`sample size must be a positive integer, got ${String(n)}`);
  if (d >= 1) return 0;
  const sn = Math.sqrt(n);
  return Math.min(1, Math.max(0, kolmogorovSurvival((sn + 0.12 + 0.11 / sn) * d)));
}

/** KS statistic and its approximate p-value (see ksStatistic, ksPValue). */
export function ksTest(samples: ArrayLike<number>, cdf: (x: number) => number): { statistic: number; pValue: number } {
  const statistic = ksStatistic(samples, cdf);
  return { statistic, pValue: ksPValue(statistic, samples.length) };
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(a) for a > 0 (Lanczos, g = 7, n = 9; relative error ~1e−15). */
function logGamma(a: number): number {
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - logGamma(1 - a);
  const x = a - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (x + i);
  const t = x + 7.5;
  return 0.9189385332046728 + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularised upper incomplete gamma Q(a, x) (series / Lentz continued fraction). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let i = 0; i < 10000; i++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * Math.exp(logPrefactor);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(logPrefactor) * h;
}

/**
 * Upper tail P(χ²_dof ≥ x) of the chi-square law (dof > 0, need not be an
 * integer); relative accuracy ~1e−13 for moderate arguments.
 */
export function chiSquarePValue(x: number, dof: number): number {
  if (typeof dof !== 'number' || !(dof > 0) || !Number.isFinite(dof)) throw new InvalidInputError(`degrees of freedom must be > 0, got ${String(dof)}`);
  if (typeof x !== 'number' || Number.isNaN(x)) throw new InvalidInputError(`chi-square statistic must be a number, got ${String(x)}`);
  if (x === Infinity) return 0;
  return Math.min(1, Math.max(0, gammaQ(dof / 2, x / 2)));
}

/**
 * Special functions. erf, erfc, erfcx (= e^{x²} erfc x) and erfcinv come from
 * stdlib (@stdlib/math-base-special-*: FreeBSD/fdlibm rational
 * approximations, < 1 ulp; erfcx by the Zaghloul/Johnson algorithm); the
 * Gaussian helpers below are built on them so that tails keep full relative
 * accuracy.
 */
import erfImpl from '@stdlib/math-base-special-erf';
import erfcImpl from '@stdlib/math-base-special-erfc';
import erfcinvImpl from '@stdlib/math-base-special-erfcinv';
import erfcxImpl from '@stdlib/math-base-special-erfcx';

const SQRT1_2PI = 0.3989422804014327; // 1/√(2π)
const LOG_SQRT_2PI = 0.9189385332046728; // log √(2π)

/** erf(x); relative accuracy < 1 ulp (fdlibm). */
export function erf(x: number): number {
  return erfImpl(x);
}

/** erfc(x) = 1 − erf(x) without cancellation; erfc(26) ≈ 5.66e−296 is not 0. */
export function erfc(x: number): number {
  return erfcImpl(x);
}

/** e^{x²} erfc(x), finite for all x ≥ −26 (overflows to ∞ below). */
export function erfcx(x: number): number {
  return erfcxImpl(x);
}

/** log erfc(x), finite for every finite x (via erfcx for x > 1). */
export function logErfc(x: number): number {
  if (x > 1) return Math.log(erfcxImpl(x)) - x * x;
  return Math.log(erfcImpl(x));
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return SQRT1_2PI * Math.exp(-0.5 * x * x);
}

/** Φ(x) = P(X ≤ x), accurate relative to itself in the lower tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfcImpl(-x / Math.SQRT2);
}

/** Q(x) = 1 − Φ(x) = Φ(−x), accurate relative to itself in the upper tail. */
export function normalSf(x: number): number {
  return 0.5 * erfcImpl(x / Math.SQRT2);
}

/** log Φ(x), finite and accurate for x → −∞ (x = −1e4 gives ≈ −5e7). */
export function logNormalCdf(x: number): number {
  return logErfc(-x / Math.SQRT2) - Math.LN2;
}

/** Φ^{−1}(p) for p ∈ (0,1), via erfcinv: Φ^{−1}(p) = −√2 erfcinv(2p). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  return -Math.SQRT2 * erfcinvImpl(2 * p);
}

/** log φ(x). */
export function logNormalPdf(x: number): number {
  return -0.5 * x * x - LOG_SQRT_2PI;
}

/** softplus(x) = log(1 + e^x), no overflow for large x, no underflow loss for x → −∞. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log softplus(x), finite for x → −∞ (≈ x) and large x (≈ log x). */
export function logSoftplus(x: number): number {
  if (x < -30) return x + Math.log1p(-0.5 * Math.exp(x)); // log1p(e^x) = e^x(1 − e^x/2 + …)
  return Math.log(softplus(x));
}

/** log Σ e^{a_i}, max-shifted. */
export function logSumExp(a: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > max) max = a[i];
  if (max === -Infinity || max === Infinity) return max;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.exp(a[i] - max);
  return max + Math.log(s);
}

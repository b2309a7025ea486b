import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import {
  erf,
  erfc,
  erfcx,
  log1pExp,
  logErfc,
  logGamma,
  logNormalCdf,
  logNormalSf,
  logSoftplus,
  logSumExp,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSf,
  softplus,
} from '../../src/numerics/special.ts';
import reference from '../fixtures/special-reference.json' with { type: 'json' };

/*
 * Reference values: test/fixtures/special-reference.json, written by
 * test/fixtures/generate_special_reference.py (mpmath 1.3.0, 256-bit working
 * precision, 25 significant digits — the exact function value at each listed
 * double, so the parsed reference is within ½ ulp of the truth).
 */
const EPS = Number.EPSILON;

/*
 * Relative tolerance 8·eps for every function built on Cody's erf/erfc
 * approximations. Budget: the rational approximations are accurate to ≥ 18
 * digits in exact arithmetic (Cody 1969), so only rounding counts: Horner
 * evaluation of a ratio of positive-coefficient polynomials ≤ 2 eps, each of
 * the (at most two) exp calls ≤ 1 ulp (V8 uses fdlibm's exp), up to three
 * further products/quotients 1.5 eps, the reference's own rounding ½ eps —
 * 6 eps in total; 8 eps leaves a margin for the last log/log1p of the log-
 * functions. The normal quantile's Halley step evaluates the same functions
 * once more, so the same budget applies to it.
 */
const TOL = 8 * EPS;

type Table = [string, string][];
const ref = reference as unknown as Record<string, Table> & { mpmath_version: string; precision_bits: number };

function relErr(got: number, want: number): number {
  if (want === 0) return Math.abs(got);
  if (got === want) return 0; // also covers ±Infinity
  return Math.abs(got - want) / Math.abs(want);
}

/** Largest relative error of `f` over a reference table, with the worst point for the message. */
function worst(f: (x: number) => number, table: Table): { err: number; at: string } {
  let err = 0;
  let at = '';
  for (const [xs, vs] of table) {
    const got = f(Number(xs));
    const e = relErr(got, Number(vs));
    if (!(e <= err)) {
      err = e;
      at = `x=${xs}: got ${got}, mpmath ${vs}`;
    }
  }
  return { err, at };
}

describe('reference file', () => {
  it('was generated at high precision', () => {
    expect(ref.mpmath_version).toBe('1.3.0');
    expect(ref.precision_bits).toBeGreaterThanOrEqual(200);
  });
});

describe.each([
  ['erf', erf],
  ['erfc', erfc],
  ['erfcx', erfcx],
  ['logErfc', logErfc],
  ['normalPdf', normalPdf],
  ['normalCdf', normalCdf],
  ['normalSf', normalSf],
  ['logNormalCdf', logNormalCdf],
  ['normalQuantile', normalQuantile],
  ['softplus', softplus],
  ['logSoftplus', logSoftplus],
] as const)('%s against mpmath', (name, f) => {
  it(`relative error ≤ 8 eps on ${ref[name].length} points`, () => {
    const { err, at } = worst(f, ref[name]);
    expect(err, at).toBeLessThanOrEqual(TOL);
  });
});

describe('erf / erfc', () => {
  it('erfc(26) ≈ 5.663e−296 is not 0 and keeps full relative accuracy', () => {
    // mpmath (256 bits): erfc(26) = 5.663192408856142…e−296
    expect(relErr(erfc(26), 5.663192408856142e-296)).toBeLessThanOrEqual(TOL);
  });

  it('goes gracefully subnormal and then to 0 beyond x ≈ 27.2', () => {
    // mpmath (256 bits): erfc(27) = 5.2370489237892557e−319 (subnormal). A subnormal
    // result carries an absolute rounding error of a few 2^−1074 from each
    // product in e^{−y_h²}·e^{−δ}·erfcx (3 roundings) on top of the relative
    // budget, hence 4·2^−1074 + TOL·|v|.
    const v = 5.2370489237892557e-319;
    expect(Math.abs(erfc(27) - v)).toBeLessThanOrEqual(4 * Number.MIN_VALUE + TOL * v);
    expect(erfc(28)).toBe(0); // true value 6.56e−343 is below the smallest double
  });

  it('is odd/complementary with the right limits', () => {
    for (const x of [1e-300, 0.1, 0.46875, 0.5, 3, 4, 4.5, 10]) {
      expect(erf(-x)).toBe(-erf(x)); // exact: the code mirrors the sign
      // erfc(−x) = 2 − erfc(x): computed exactly that way, so exact
      expect(erfc(-x)).toBe(2 - erfc(x));
    }
    expect(Object.is(erf(-0), -0)).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfcx(Infinity)).toBe(0);
    expect(erfcx(-27)).toBe(Infinity); // 2e^{729} overflows
    for (const f of [erf, erfc, erfcx, logErfc, normalPdf, normalCdf, normalSf, logNormalCdf, softplus, logSoftplus]) {
      expect(f(NaN)).toBeNaN();
    }
  });
});

describe('log-scale functions are finite far in the tails', () => {
  it('logErfc(1e3) = −1000007.48… (mpmath), finite; logErfc(∞) = −∞', () => {
    // mpmath (256 bits): log erfc(1000) = −1000007.4801207219062…
    expect(relErr(logErfc(1e3), -1000007.4801207219)).toBeLessThanOrEqual(TOL);
    expect(logErfc(Infinity)).toBe(-Infinity);
    expect(logErfc(-Infinity)).toBe(Math.LN2);
  });

  it('logNormalCdf(−1e4) = −50000010.13… (mpmath), finite; logNormalSf mirrors it', () => {
    // mpmath (256 bits): log Φ(−10000) = −50000010.1292789…
    expect(relErr(logNormalCdf(-1e4), -50000010.12927891)).toBeLessThanOrEqual(TOL);
    expect(logNormalSf(1e4)).toBe(logNormalCdf(-1e4));
    expect(logNormalCdf(-Infinity)).toBe(-Infinity);
    expect(logNormalCdf(Infinity)).toBe(0);
  });

  it('logSoftplus(x) ≈ x for x → −∞ and softplus/log1pExp are the same function', () => {
    // closed form: log log(1 + e^x) = x + log(1 − e^x/2 + …) = x to double precision for x ≤ −745
    expect(logSoftplus(-1e4)).toBe(-1e4);
    expect(logSoftplus(-1e300)).toBe(-1e300);
    expect(softplus(-1e4)).toBe(0); // e^{−1e4} underflows: the reason logSoftplus exists
    expect(softplus(1e300)).toBe(1e300);
    expect(softplus(Infinity)).toBe(Infinity);
    expect(log1pExp).toBe(softplus);
  });
});

describe('normalCdf / normalSf', () => {
  it('Φ(x) + Q(x) = 1 to rounding and Q(30) matches mpmath', () => {
    for (const x of [-8, -1, -0.5, 0, 0.3, 0.7, 2, 8]) {
      // both terms are accurate to TOL relative; their sum is 1 up to ~2·TOL
      expect(Math.abs(normalCdf(x) + normalSf(x) - 1)).toBeLessThanOrEqual(2 * TOL);
    }
    // mpmath (256 bits): Q(30) = 4.906713927148187…e−198
    expect(relErr(normalSf(30), 4.906713927148187e-198)).toBeLessThanOrEqual(TOL);
    expect(normalSf(-Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
  });
});

describe('normalQuantile', () => {
  it('Φ⁻¹(1e−300) = −37.047096299361… (mpmath) to ~1e−15', () => {
    // mpmath (256 bits, Newton on Φ): −37.047096299361199…
    expect(relErr(normalQuantile(1e-300), -37.0470962993612)).toBeLessThanOrEqual(TOL);
  });

  it('inverts normalCdf at the smallest probabilities, including subnormal p', () => {
    // Φ(Φ⁻¹(p)) = p: the relative error of Φ amplifies a relative error δ in
    // x by x²·δ (dlogΦ/dlogx ≈ x²), x² ≤ 1480 here, so the round trip is
    // checked to x²·TOL (the direct mpmath comparison above is the sharp test).
    for (const p of [1e-310, 1e-200, 1e-20, 1e-3, 0.1]) {
      const x = normalQuantile(p);
      expect(relErr(normalCdf(x), p)).toBeLessThanOrEqual(Math.max(1, x * x) * TOL);
    }
    expect(Number.isFinite(normalQuantile(Number.MIN_VALUE))).toBe(true);
  });

  it('is antisymmetric and handles the end points', () => {
    for (const q of [1e-10, 0.01, 0.2, 0.3]) {
      const p = 1 - q; // rounded, but then 1 − p is exact (Sterbenz) and that is how p > ½ is computed
      expect(normalQuantile(p)).toBe(-normalQuantile(1 - p));
    }
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(NaN)).toBeNaN();
    expect(() => normalQuantile(-0.1)).toThrow(InvalidInputError);
    expect(() => normalQuantile(1.5)).toThrow(InvalidInputError);
    expect(() => normalQuantile(Infinity)).toThrow(InvalidInputError);
  });
});

describe('logSumExp', () => {
  it('matches mpmath on arrays with dominating, equal and far-apart terms', () => {
    for (const [xs, vs] of ref.logSumExp as unknown as [string[], string][]) {
      const a = xs.map(Number);
      // max + log1p(Σ rest): one exp per term (≤ 1 ulp), a sum of positive terms
      // (≤ n·eps relative, n ≤ 50, but it enters through log1p and is damped by the
      // size of the result), one log1p and one add — within TOL for these arrays
      // except the 50-term one, whose summation bound is 50·eps/|result|·… ≤ 4·TOL.
      const tol = a.length > 10 ? 4 * TOL : TOL;
      expect(relErr(logSumExp(a), Number(vs)), `${xs.join(',')}`).toBeLessThanOrEqual(tol);
    }
  });

  it('handles empty input, infinities and NaN', () => {
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([1, Infinity])).toBe(Infinity);
    expect(logSumExp([1, NaN])).toBeNaN();
    expect(logSumExp(new Float64Array([0, 0]))).toBe(Math.LN2);
  });
});

describe('logGamma', () => {
  it('matches mpmath: relative 8 eps for x ≥ 10, absolute 4e−15 below', () => {
    // Below 10 the result is log Γ(x + k) − log(x…(x+k−1)), a difference of
    // terms of size log Γ(10) ≈ 12.8 whose rounding (~2 ulp of 12.8 = 3.6e−15)
    // is absolute; 4e−15 is that budget. Above 10 the Stirling sum is accurate to
    // a few ulp relative (budget as for TOL).
    for (const [xs, vs] of ref.logGamma) {
      const x = Number(xs);
      const want = Number(vs);
      const got = logGamma(x);
      if (x >= 10) expect(relErr(got, want), xs).toBeLessThanOrEqual(TOL);
      else expect(Math.abs(got - want), xs).toBeLessThanOrEqual(Math.max(4e-15, TOL * Math.abs(want)));
    }
  });

  it('rejects x ≤ 0', () => {
    expect(() => logGamma(0)).toThrow(InvalidInputError);
    expect(() => logGamma(-1.5)).toThrow(InvalidInputError);
    expect(logGamma(Infinity)).toBe(Infinity);
  });
});

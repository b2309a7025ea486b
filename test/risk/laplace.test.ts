import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type LaplaceKernel, gaussianLaplace } from '../../src/risk/laplace.ts';

/**
 * gaussianLaplace against independent mpmath values
 * (test/fixtures/generate_laplace_reference.py: mp.dps = 30, tanh-sinh on
 * panels between the points where the log-integrand has dropped by 160,
 * computed twice with different panels; abs_error_estimate = max(10·|run1 −
 * run2|, 1e−28·|value|)). 223 points: kernels e^{−κ}, κe^{−κ}, κ²e^{−κ},
 * 1 − e^{−κ}; Gaussian means a ∈ [−600, 500], sds b ∈ [0.05, 300] (narrow,
 * wide, and tilted far from the step), values from 1 down to 1e−261.
 */
interface Ref { kernel: LaplaceKernel; a: number; b: number; value_float: number; abs_error_estimate: string }
const refs: Ref[] = JSON.parse(readFileSync(new URL('../fixtures/laplace-reference.json', import.meta.url), 'utf8')).values;

/** Accuracy the Bayes risk needs of its one-token integrals (relative); measured worst case ≈ 1e−12. */
const RELATIVE_ACCURACY = 1e-11;

describe('gaussianLaplace', () => {
  it(`should match the mpmath fixture within its reported error at all ${refs.length} points`, () => {
    const failures: string[] = [];
    for (const r of refs) {
      const got = gaussianLaplace(r.kernel, r.a, r.b);
      const diff = Math.abs(got.value - r.value_float);
      // the reference is rounded to double (2 ulp) and carries its own estimate
      const refError = Number(r.abs_error_estimate) + 2 * Number.EPSILON * r.value_float;
      if (!(diff <= got.error + refError) || !(diff <= RELATIVE_ACCURACY * r.value_float + refError)) {
        failures.push(`kernel ${r.kernel} a=${r.a} b=${r.b}: got ${got.value} ± ${got.error}, expected ${r.value_float} ± ${refError}, diff ${diff}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('should cost the same for narrow, wide and far-tilted Gaussians (≤ 400 evaluations)', () => {
    for (const [a, b] of [[0, 0.01], [0, 1000], [-600, 31.6], [500, 0.05]]) {
      for (const k of [0, 1, 2, 3] as const) expect(gaussianLaplace(k, a, b).evaluations).toBeLessThanOrEqual(400);
    }
  });
  // A Gaussian narrower than the spacing of doubles near a (b = √ν for ν → 0): ∫ N(u; a, b²) k(e^u) du =
  // k(e^a)·(1 + O(b²·max|(log k)''|, b²·(log k)'²)), so for b ≤ 1e−150 the closed form k(e^a) is exact in double.
  it.each([5e-324, 1e-300, 1e-160])('should give k(e^a) when the Gaussian is a point mass to double precision (b = %s)', (b) => {
    for (const a of [-30, -3, 0, 0.5, 5, 42]) {
      const exactLog: Record<number, number> = {
        0: -Math.exp(a),
        1: a - Math.exp(a),
        2: 2 * a - Math.exp(a),
        3: a < -30 ? a - 0.5 * Math.exp(a) : Math.log(-Math.expm1(-Math.exp(a))),
      };
      for (const k of [0, 1, 2, 3] as const) {
        const r = gaussianLaplace(k, a, b);
        const gotLog = r.logPeak + Math.log(r.scaled);
        // compare logs: a relative error of the value; allow the reported bound plus rounding of the closed form
        const diff = Math.abs(gotLog - exactLog[k]);
        expect(diff, `kernel ${k} a=${a} b=${b}: log ${gotLog}, exact ${exactLog[k]}`).toBeLessThanOrEqual(r.scaledError / r.scaled + 4 * Number.EPSILON * (Math.abs(exactLog[k]) + 1));
        // and the bound is tight (a = 42: |C| = e^{42} ≈ 2e18 makes the value e^{−2e18}, relative 2e18·eps ≈ 800)
        if (a <= 5) expect(r.scaledError / r.scaled).toBeLessThan(1e-11);
      }
    }
  });

  it('should keep 1 − e^{−κ} finite where it underflows (a = −800: e^{a + b²/2} in logs)', () => {
    for (const [a, b] of [[-800, 1], [-2000, 31.6], [-760, 10]]) {
      const r = gaussianLaplace(3, a, b);
      // 1 − e^{−κ} = κ(1 − O(κ)) with κ ≤ e^{−600} over the mass: E[e^U] = e^{a + b²/2}
      const gotLog = r.logPeak + Math.log(r.scaled);
      expect(Number.isFinite(r.scaledError)).toBe(true);
      expect(Math.abs(gotLog - (a + 0.5 * b * b))).toBeLessThanOrEqual(r.scaledError / r.scaled + 1e-13);
    }
  });

  it('should give exactly 0 for κ^j e^{−κ} with b < 1 and a > 709 (the integral is below e^{−800})', () => {
    for (const k of [0, 1, 2] as const) {
      const r = gaussianLaplace(k, 800, 1e-10);
      expect([r.value, r.error, r.scaled]).toEqual([0, 0, 0]);
    }
  });
});

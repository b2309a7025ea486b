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
});

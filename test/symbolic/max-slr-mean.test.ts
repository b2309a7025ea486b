import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { expectedMaxOfNormals, maxSelectedMean } from '../../src/symbolic/derivations/max-slr-mean.ts';
import reference from './fixtures/max-slr-reference.json' with { type: 'json' };

// Reference values: test/symbolic/fixtures/generate_max_slr_reference.py (mpmath, 60 digits for μ_L and
// for L = 2, 20 digits for L = 3; written with 25 significant digits). Number() of the 25-digit string
// is the double nearest the reference (to within 1 ulp), so the tolerance is the reported bound + 2 ulp.
const ulp = (x: number) => 2 * Number.EPSILON * Math.abs(x);

describe('expectedMaxOfNormals', () => {
  for (const row of reference.expectedMax.rows) {
    it(`should match mpmath at L = ${row.L} within its error bound (both integrands)`, () => {
      const expected = Number(row.mu);
      for (const form of ['tail', 'density'] as const) {
        const r = expectedMaxOfNormals(row.L, form);
        const diff = Math.abs(r.value - expected);
        expect(r.converged).toBe(true);
        expect(diff, `L=${row.L} ${form}: computed ${r.value}, expected ${expected}, diff ${diff}, bound ${r.error}`).toBeLessThanOrEqual(r.error + ulp(expected));
        // the bound must be meaningful, not vacuous
        expect(r.error).toBeLessThan(1e-11);
      }
    });
  }

  it('should give 0 at L = 1 and reject bad L', () => {
    expect(expectedMaxOfNormals(1).value).toBe(0);
    expect(() => expectedMaxOfNormals(0)).toThrow(InvalidInputError);
    expect(() => expectedMaxOfNormals(2.5)).toThrow(InvalidInputError);
  });
});

describe('maxSelectedMean', () => {
  for (const row of reference.selectedMean.rows) {
    it(`should match the direct integral at L = ${row.L}, ν = ${row.nu} (Laplace form and Stein form)`, () => {
      const expected = Number(row.mu);
      for (const form of ['direct', 'stein'] as const) {
        const r = maxSelectedMean(row.L, row.nu, form);
        const diff = Math.abs(r.value - expected);
        expect(r.converged).toBe(true);
        // L = 3 reference has 20 digits: ample
        expect(diff, `L=${row.L} ν=${row.nu} ${form}: computed ${r.value}, expected ${expected}, diff ${diff}, bound ${r.error}`).toBeLessThanOrEqual(r.error + ulp(expected));
        expect(r.error).toBeLessThan(1e-9);
      }
    });
  }

  it('should be 0 at ν = 0 and at L = 1, approach μ_L as ν grows, and reject ν = ∞', () => {
    expect(maxSelectedMean(5, 0).value).toBe(0);
    expect(maxSelectedMean(1, 3).value).toBe(0);
    const far = maxSelectedMean(3, 2000);
    const top = expectedMaxOfNormals(3);
    // E[χ*_ε] increases to E[max] as ν → ∞; at ν = 2000 the gap is O(1/ν²)·… (measured ~1e−7)
    expect(far.value).toBeLessThanOrEqual(top.value + top.error + far.error);
    expect(top.value - far.value).toBeLessThan(1e-5);
    expect(() => maxSelectedMean(3, Infinity)).toThrow(InvalidInputError);
    expect(() => maxSelectedMean(3, -1)).toThrow(InvalidInputError);
  });

  it('should cost the same at L = 10^6 as at L = 3 (exchangeable tokens)', () => {
    const a = maxSelectedMean(3, 2);
    const b = maxSelectedMean(1_000_000, 2);
    expect(b.converged).toBe(true);
    expect(b.evaluations).toBeLessThan(3 * a.evaluations);
    // μ(ν) ≤ ν(1 − 1/L) and ≤ E[max]
    expect(b.value).toBeLessThanOrEqual(expectedMaxOfNormals(1_000_000).value);
  });
});

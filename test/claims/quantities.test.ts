import { describe, expect, it } from 'vitest';
import { classRiskBounds, setting } from '../../src/claims/quantities.ts';
import { lengthPenalty, lengthPenaltyFromOneMinimum } from '../../proofs/cor-4.4-length.ts';

describe('classRiskBounds', () => {
  it('should bracket the exact class risk of linear attention, E = L(L−1)/(L² + ν(L−1)) = 2/9 at L = 2, ν = 5', () => {
    const b = classRiskBounds('linear', setting('spiked', 2, 5), 1e-7);
    expect(b.consistent).toBe(true);
    expect(b.lower).toBeLessThanOrEqual(2 / 9);
    expect(b.upper).toBeGreaterThanOrEqual(2 / 9);
    expect(b.upper - b.lower).toBeLessThan(3e-7);
  });

  it('should still bound an unconverged search (erf at L = 1, ν = 20: the infimum Δ = 0 is a limit θ → ∞)', () => {
    const b = classRiskBounds('erf', setting('spiked', 1, 20), 1e-7);
    expect(b.result.converged).toBe(false);
    expect(b.lower).toBeLessThanOrEqual(0);
    expect(b.upper).toBeGreaterThanOrEqual(b.result.value);
    expect(b.how).toMatch(/not converged/);
  });
});

describe('length penalty H_σ', () => {
  it('should give the linear penalty at spiked ν = 5, Unif{1,2,3} from its closed form: 2/9 − (0 + 2/9 + 6/19)/3', () => {
    const exact = 2 / 9 - (0 + 2 / 9 + 6 / 19) / 3;
    const h = lengthPenalty('linear', setting('spiked', '1,2,3', 5));
    expect(Math.abs(h.value - exact)).toBeLessThanOrEqual(h.error);
    const one = lengthPenaltyFromOneMinimum('linear', setting('spiked', '1,2,3', 5));
    expect(one.value - one.error).toBeLessThanOrEqual(exact);
    expect(one.value + one.error).toBeGreaterThanOrEqual(exact);
  });
});

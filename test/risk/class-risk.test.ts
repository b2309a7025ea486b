import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { getActivation, linear, softmax } from '../../src/estimator/activations.ts';
import { bayesRisk } from '../../src/risk/bayes.ts';
import { classRisk } from '../../src/risk/class-risk.ts';
import { fixedLength } from '../../src/task/length-law.ts';
import { spikedTask } from '../../src/task/tasks.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('class-risk.test.ts');

/**
 * Linear attention on spiked-SLR, manifold, hand-derived: with c = √ν,
 * A = 1 + mc, B = L(1 + m² + τ²) + 2mc + m²c²; A²/B is maximal at τ = 0,
 * m* = c(L−1)/L, so E_linear = Δ + 1 − A(m*)²/B(m*).
 */
function linearClosedForm(L: number, nu: number, delta: number): number {
  const c = Math.sqrt(nu);
  const m = (c * (L - 1)) / L;
  const A = 1 + m * c;
  const B = L * (1 + m * m) + 2 * m * c + m * m * c * c;
  return delta + 1 - (A * A) / B;
}

describe('classRisk', () => {
  it.each([
    [2, 5, 0],
    [3, 1, 0.2],
    [20, 10, 0],
  ])('should find the linear class minimum to 1e-7 (L = %i, ν = %s, Δ = %s)', (L, nu, delta) => {
    const r = classRisk({ task: spikedTask, nu, lengths: fixedLength(L), delta, act: linear });
    expect(Math.abs(r.value - linearClosedForm(L, nu, delta))).toBeLessThan(1e-7);
    expect(r.converged).toBe(true);
    expect(r.starts.length).toBeGreaterThanOrEqual(3);
  });

  it('should give Bayes 0 + Δ for L = 1 with linear attention (Prop. 4.1 edge case)', () => {
    const r = classRisk({ task: spikedTask, nu: 2, lengths: fixedLength(1), delta: 0.3, act: linear });
    expect(Math.abs(r.value - 0.3)).toBeLessThan(1e-7);
  });

  it('should reach the Bayes risk with softmax and find R_kk = 0, m_kk* = √ν (spiked, L = 3, ν = 2)', () => {
    const r = classRisk({ task: spikedTask, nu: 2, lengths: fixedLength(3), act: softmax });
    const b = bayesRisk(spikedTask, 2, fixedLength(3));
    expect(Math.abs(r.value - b.value)).toBeLessThan(1e-7);
    expect(r.params!.mkk).toBeCloseTo(Math.SQRT2, 3);
    expect(r.params!.qkk - r.params!.mkk ** 2).toBeLessThan(1e-4);
  });

  it('should report every start and agree across them for erf (θ = c optimised too)', () => {
    const r = classRisk({ task: spikedTask, nu: 5, lengths: fixedLength(2), act: getActivation('erf') });
    const risks = r.starts.map((s) => s.risk);
    expect(Math.max(...risks) - Math.min(...risks)).toBeLessThan(1e-7);
    expect(r.theta).toHaveLength(1);
  });

});

describe('classRisk properties', () => {
  fcTest.prop([fc.integer({ min: 2, max: 30 }), fc.double({ min: 0.2, max: 12, noNaN: true })], { seed: SEED, numRuns: 5 })(
    'should keep linear attention strictly above the Bayes risk for L ≥ 2, ν > 0',
    (L, nu) => {
      const lin = classRisk({ task: spikedTask, nu, lengths: fixedLength(L), act: linear });
      const b = bayesRisk(spikedTask, nu, fixedLength(L));
      expect(lin.value - b.value).toBeGreaterThan(lin.error + b.error);
    },
  );
});

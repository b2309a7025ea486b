import { describe, expect, it } from 'vitest';
import { type ErmPointSpec, dataSeed, runErmPoint } from '../../src/erm/point.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('erm/point.test.ts');

const base: ErmPointSpec = {
  task: 'spiked',
  nu: 1,
  lengths: { lengths: [3], probabilities: [1] },
  delta: 0.1,
  act: 'softmax',
  D: 40,
  N: 320,
  alpha: 8,
  seed: SEED,
  init: 'informed',
  lambdaK: 0.02,
  lambdaV: 0.02,
  lambdaGrid: [],
  validationSamples: 200,
  testSamples: 40_000,
  confidence: 0.9999,
  gTol: 1e-6,
  maxIterations: 2000,
};

describe('runErmPoint', () => {
  /**
   * The two test risks measure the same quantity (point.ts): quadrature at the
   * learned overlaps is the exact expected risk of the trained predictor, the
   * empirical one a mean over fresh full-model sequences. Agreement within
   * quadrature bound + the 99.99% CLT half-width (false-failure probability
   * 1e−4 per σ, 4e−4 for the four) checks the data generator, the kernel's
   * predictions and the overlaps together. An error of 5% of the risk would be
   * seen: the half-width is required to be smaller than that.
   */
  it.each(['softmax', 'linear', 'erf', 'softplus'])('should give a quadrature test risk inside the fresh-sample interval (%s)', (act) => {
    const p = runErmPoint({ ...base, act });
    const diff = Math.abs(p.testRisk - p.testRiskEmpirical);
    const tol = p.testRiskError + p.testRiskEmpiricalError;
    if (diff > tol) console.error({ act, testRisk: p.testRisk, bound: p.testRiskError, empirical: p.testRiskEmpirical, halfWidth: p.testRiskEmpiricalError, diff });
    expect(diff).toBeLessThanOrEqual(tol);
    expect(p.testRiskEmpiricalError).toBeLessThan(0.05 * p.testRisk);
    expect(p.converged).toBe(true);
    expect(p.gradient).toBe('analytic');
    // E_train = train loss + λ_k q_kk + λ_v q_vv (the stated convention), to rounding
    const penalty = base.lambdaK * p.qkk + base.lambdaV * p.qvv;
    expect(Math.abs(p.objective - (p.trainLoss + penalty))).toBeLessThanOrEqual(1e-12 * p.objective);
    expect(p.theta).toHaveLength(act === 'erf' ? 1 : 0);
  });

  it('should be reproducible: equal specs give equal points; another seed gives other data', () => {
    const small = { ...base, D: 20, N: 60, testSamples: 500 };
    const a = runErmPoint(small);
    const b = runErmPoint(small);
    expect({ ...a, seconds: 0 }).toEqual({ ...b, seconds: 0 });
    const c = runErmPoint({ ...small, seed: small.seed + 1 });
    expect(c.trainLoss).not.toBe(a.trainLoss);
  });

  it('should draw the same data for every activation and penalty (paired comparisons)', () => {
    const keys = ['softmax', 'linear'].flatMap((act) => [0.01, 0.1].map((lambdaK) => dataSeed({ ...base, act, lambdaK } as ErmPointSpec)));
    expect(new Set(keys).size).toBe(1);
    expect(dataSeed({ ...base, N: base.N + 1 })).not.toBe(keys[0]);
  });

  it('should choose the penalties on the validation set when given a grid, and report the choice', () => {
    const p = runErmPoint({ ...base, D: 30, N: 60, alpha: 2, lambdaGrid: [0.001, 0.1, 1], testSamples: 2000 });
    expect(p.fits).toBe(9);
    expect([0.001, 0.1, 1]).toContain(p.lambdaKUsed);
    expect([0.001, 0.1, 1]).toContain(p.lambdaVUsed);
    expect(Number.isFinite(p.validationLoss)).toBe(true);
    expect(p.lambdaGrid).toBe('0.001;0.1;1');
    const d = runErmPoint({ ...base, D: 30, N: 60, alpha: 2, lambdaGrid: [0.001, 0.1, 1], lambdaGridMode: 'diagonal', testSamples: 2000 });
    expect(d.fits).toBe(3);
    expect(d.lambdaKUsed).toBe(d.lambdaVUsed);
    expect(d.lambdaGridMode).toBe('diagonal');
  });

  it('should reject bad specs with typed errors', () => {
    expect(() => runErmPoint({ ...base, D: 1 })).toThrow(/D must be >= 2/);
    expect(() => runErmPoint({ ...base, alpha: 0 })).toThrow(/alpha must be > 0/);
    expect(() => runErmPoint({ ...base, lambdaK: -1 })).toThrow(/lambda-k must be >= 0/);
    expect(() => runErmPoint({ ...base, act: 'nope' })).toThrow(/unknown activation "nope"/);
    expect(() => runErmPoint({ ...base, confidence: 1 })).toThrow(/confidence/);
  });
});

describe('runErmPoint: convergence towards the population', () => {
  /**
   * As α grows the test risk of ERM approaches the class risk E_σ. For softmax
   * on spiked-SLR, E_softmax = E_Bayes (Prop. 4.2, checked in
   * test/risk/class-risk.test.ts), computed by quadrature here. At D = 40,
   * λ = 0.02, 6 seeds per α (independent data): the excess over E_Bayes must
   * decrease from α = 2 to 8 to 32, each step by more than the 99% Student-t
   * half-widths combined in quadrature (a decrease that is not there passes
   * with probability ≤ 1% per step; the measured steps are ~6 and ~7 standard
   * errors, so a false failure is very unlikely). At α = 32 the excess must be
   * below 0.1 (it is O(1/α)) and positive (nothing beats Bayes).
   */
  it('should shrink the gap E_test − E_softmax as α grows (softmax, spiked ν = 1, L = 3)', async () => {
    const { bayesRisk } = await import('../../src/risk/bayes.ts');
    const { fixedLength } = await import('../../src/task/length-law.ts');
    const { spikedTask } = await import('../../src/task/tasks.ts');
    const { seedMean } = await import('../../src/erm/summary.ts');
    const reference = bayesRisk(spikedTask, 1, fixedLength(3), 0.1).value;
    const gaps = [2, 8, 32].map((alpha) => {
      const values = [0, 1, 2, 3, 4, 5].map((s) => runErmPoint({ ...base, N: alpha * base.D, alpha, seed: SEED + s, testSamples: 2 }).testRisk - reference);
      return { alpha, ...seedMean(values, 0.99) };
    });
    console.info('gap to E_softmax = E_Bayes:', gaps.map((g) => `α=${g.alpha}: ${g.mean.toPrecision(3)} ± ${g.halfWidth.toPrecision(2)}`).join(', '));
    for (let i = 1; i < gaps.length; i++) {
      expect(gaps[i - 1].mean - gaps[i].mean).toBeGreaterThan(Math.hypot(gaps[i - 1].halfWidth, gaps[i].halfWidth));
    }
    expect(gaps[2].mean).toBeLessThan(0.1);
    expect(gaps[2].mean - gaps[2].halfWidth).toBeGreaterThan(0);
  });
});


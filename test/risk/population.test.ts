import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import { InadmissibleOverlapsError } from '../../src/errors.ts';
import { getActivation, linear, softmax } from '../../src/estimator/activations.ts';
import { bayesRisk } from '../../src/risk/bayes.ts';
import { manifoldOverlaps } from '../../src/risk/overlaps.ts';
import { EvaluationMemo, _lengthPolynomial, populationRisk, riskTerms } from '../../src/risk/population.ts';
import { fixedLength, lengthLaw } from '../../src/task/length-law.ts';
import { maxTask, spikedTask } from '../../src/task/tasks.ts';
import { SEED, reportSeed } from '../helpers/arbitraries.ts';

reportSeed('population.test.ts');

describe('populationRisk', () => {
  it('should match the closed form of linear attention on spiked-SLR (moments of 1 + χ)', () => {
    // A = E[σ_ε] = 1 + m c, B = E[Σ(1+χ_ℓ)²] = L(1 + m² + τ²) + 2mc + m²c², c = √ν (hand-derived)
    for (const [L, nu, m, tau2, mvv, qvv, delta] of [
      [3, 2, 0.7, 0.4, 0.5, 0.6, 0.1],
      [10, 0.5, -0.3, 0, 1, 1, 0],
      [1000, 9, 0.2, 1.5, 0.05, 0.01, 0.3],
    ]) {
      const c = Math.sqrt(nu);
      const A = 1 + m * c;
      const B = L * (1 + m * m + tau2) + 2 * m * c + m * m * c * c;
      const expected = delta + 1 - 2 * mvv * A + qvv * B;
      const r = populationRisk({ task: spikedTask, nu, lengths: fixedLength(L), delta, act: linear, overlaps: manifoldOverlaps({ mkk: m, mvv, qkk: m * m + tau2, qvv }) });
      expect(Math.abs(r.value - expected)).toBeLessThanOrEqual(r.error + 8 * Number.EPSILON * Math.abs(expected));
    }
  });

  it('should match Gaussian integration by parts for linear attention on max-SLR: E[σ_ε] = 1 + mν(E_Bayes − Δ)', () => {
    // E[Σ p_ℓ χ*_ℓ] = ν E[Σ p_ℓ(1 − p_ℓ)] = ν (1 − E[Σ p²]) under χ* ~ N(0, I); B = L(1 + m² + τ²)
    for (const [L, nu, m, tau2] of [
      [2, 1.5, 0.8, 0],
      [5, 0.7, -0.4, 0.3],
    ]) {
      const bayes = bayesRisk(maxTask, nu, fixedLength(L));
      const t = riskTerms({ task: maxTask, nu, lengths: fixedLength(L), act: linear, overlaps: manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m + tau2, qvv: 1 }) });
      expect(Math.abs(t.T1.value - (1 + m * nu * bayes.excess))).toBeLessThanOrEqual(t.T1.error + Math.abs(m * nu) * bayes.error);
      expect(Math.abs(t.T2.value - L * (1 + m * m + tau2))).toBeLessThanOrEqual(t.T2.error + 1e-14 * L);
    }
  });

  it('should match the expected maximum for linear attention on max-SLR at ν = ∞ (argmax): T1 = m_vv*(1 + m E[max χ*])', () => {
    // on the manifold a = 0, c12 = m_vv*, so T1 = m_vv* E[σ_ε] = m_vv*(1 + m_kk* E[χ*_ε]) and χ*_ε is the
    // largest of L standard normals: E[max] = 1/√π (L = 2), 3/(2√π) (L = 3) (closed forms)
    for (const [L, emax] of [
      [2, 1 / Math.sqrt(Math.PI)],
      [3, 3 / (2 * Math.sqrt(Math.PI))],
    ]) {
      const m = 0.9;
      const mvv = 0.6;
      const t = riskTerms({ task: maxTask, nu: Infinity, lengths: fixedLength(L), act: linear, overlaps: manifoldOverlaps({ mkk: m, mvv, qkk: m * m + 0.4, qvv: 1 }) });
      const expected = mvv * (1 + m * emax);
      expect(Math.abs(t.T1.value - expected)).toBeLessThanOrEqual(t.T1.error + 8 * Number.EPSILON);
    }
  });

  it('should reject inadmissible overlaps', () => {
    expect(() => populationRisk({ task: spikedTask, nu: 1, lengths: fixedLength(2), act: softmax, overlaps: manifoldOverlaps({ mkk: 2, mvv: 1, qkk: 3, qvv: 1 }) })).toThrow(
      InadmissibleOverlapsError,
    );
  });

  it('should give 1 + Δ for f ≡ 0 (v = 0)', () => {
    const r = populationRisk({ task: spikedTask, nu: 2, lengths: fixedLength(4), delta: 0.2, act: softmax, overlaps: manifoldOverlaps({ mkk: 1, mvv: 0, qkk: 1, qvv: 0 }) });
    expect(Math.abs(r.value - 1.2)).toBeLessThanOrEqual(r.error);
  });

  it('should stay finite for L = 10^6 at the same cost as L = 2', () => {
    const big = populationRisk({ task: spikedTask, nu: 4, lengths: fixedLength(1_000_000), act: softmax, overlaps: manifoldOverlaps({ mkk: 2, mvv: 1, qkk: 4, qvv: 1 }) });
    const small = populationRisk({ task: spikedTask, nu: 4, lengths: fixedLength(2), act: softmax, overlaps: manifoldOverlaps({ mkk: 2, mvv: 1, qkk: 4, qvv: 1 }) });
    expect(Number.isFinite(big.value)).toBe(true);
    expect(big.evaluations!).toBeLessThan(3 * small.evaluations!);
  });
});

describe('softmax at the Nishimori point (Prop. 4.2)', () => {
  fcTest.prop([fc.integer({ min: 2, max: 200 }), fc.double({ min: 0.1, max: 16, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })], { seed: SEED, numRuns: 6 })(
    'should have the Bayes risk on spiked-SLR (k = √ν k*, v = v*)',
    (L, nu, delta) => {
      const c = Math.sqrt(nu);
      const r = populationRisk({ task: spikedTask, nu, lengths: fixedLength(L), delta, act: softmax, overlaps: manifoldOverlaps({ mkk: c, mvv: 1, qkk: c * c, qvv: 1 }) });
      const b = bayesRisk(spikedTask, nu, fixedLength(L), delta);
      expect(Math.abs(r.value - b.value)).toBeLessThanOrEqual(r.error + b.error);
    },
  );

  it('should have the Bayes risk on spiked-SLR with variable length Unif{1,2,3}', () => {
    const law = lengthLaw([1, 2, 3]);
    const r = populationRisk({ task: spikedTask, nu: 2, lengths: law, act: softmax, overlaps: manifoldOverlaps({ mkk: Math.SQRT2, mvv: 1, qkk: 2, qvv: 1 }) });
    const b = bayesRisk(spikedTask, 2, law);
    expect(Math.abs(r.value - b.value)).toBeLessThanOrEqual(r.error + b.error);
  });

  it('should have the Bayes risk on max-SLR (k = ν k*)', () => {
    const nu = 1.3;
    const r = populationRisk({ task: maxTask, nu, lengths: fixedLength(3), act: getActivation('softmax'), overlaps: manifoldOverlaps({ mkk: nu, mvv: 1, qkk: nu * nu, qvv: 1 }) }, { relTol: 1e-7 });
    const b = bayesRisk(maxTask, nu, fixedLength(3));
    expect(Math.abs(r.value - b.value)).toBeLessThanOrEqual(r.error + b.error);
  });

  it('should be refuted at a wrong slope (the check can fail)', () => {
    const nu = 4;
    const r = populationRisk({ task: spikedTask, nu, lengths: fixedLength(3), act: softmax, overlaps: manifoldOverlaps({ mkk: 1.8, mvv: 1, qkk: 1.8 * 1.8, qvv: 1 }) });
    const b = bayesRisk(spikedTask, nu, fixedLength(3));
    expect(r.value - b.value).toBeGreaterThan(10 * (r.error + b.error));
  });
});

describe('the fixed r-rule of a normalised σ under softmax selection (max-SLR, finite ν)', () => {
  // softplus kernel, L = 2, ν = 10, k = 10 k*: the r-panels start 16 wide (rPanelWidth: a broad σ-step),
  // the plan's scan misses where the rule's estimate lives, and the panels carrying it are halved and
  // integrated again (checked by tracing the refinement when it was written). Reference: T1 from the
  // engine at commit 3fb47e6, whose rule started 4 wide and halved every panel, at relTol 1e−9:
  // 0.889765796287168 ± 3.4e−12.
  const input = { task: maxTask, nu: 10, lengths: fixedLength(2), act: getActivation('softplus'), overlaps: manifoldOverlaps({ mkk: 10, mvv: 1, qkk: 100, qvv: 1 }) };
  it('should agree with the finer rule of the previous engine within the bounds after refining only the flagged panels', () => {
    for (const relTol of [1e-7, 1e-9]) {
      const t = riskTerms(input, { relTol, absTol: relTol * 1e-3 });
      expect(t.converged).toBe(true);
      expect(Math.abs(t.T1.value - 0.889765796287168)).toBeLessThanOrEqual(t.T1.error + 3.4e-12);
      expect(t.T1.error).toBeLessThan(relTol);
    }
  });
});

describe('riskTerms with a subdivision memo (the class-risk search: each s-integral from a nearby call)', () => {
  const softplus = getActivation('softplus');
  const at = (nu: number, m: number, tau2 = 0) => ({ task: maxTask, nu, lengths: fixedLength(2), act: softplus, overlaps: manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m + tau2, qvv: 1 }) });
  const search = { relTol: 1e-7, absTol: 1e-10 };
  it.each([
    { nu: 2, m: 2.74 },
    { nu: Infinity, m: 8 },
  ])('should give a neighbour the same terms within their errors, from the first call’s subdivisions (ν = $nu)', ({ nu, m }) => {
    const memo = new EvaluationMemo();
    riskTerms(at(nu, m), { ...search, memo });
    expect([memo.reused, memo.calls]).toEqual([0, 1]);
    for (const [mm, tau2] of [
      [m * (1 + 1e-4), 0],
      [m, 9e-4],
    ]) {
      const reused = riskTerms(at(nu, mm, tau2), { ...search, memo });
      const fresh = riskTerms(at(nu, mm, tau2), search);
      expect(reused.converged).toBe(true);
      expect(Math.abs(reused.T1.value - fresh.T1.value)).toBeLessThanOrEqual(reused.T1.error + fresh.T1.error);
      expect(Math.abs(reused.T2.value - fresh.T2.value)).toBeLessThanOrEqual(reused.T2.error + fresh.T2.error);
      // no mass location, no refinement from the planned breakpoints: fewer kernel evaluations
      expect(reused.evaluations).toBeLessThan(fresh.evaluations);
    }
    expect([memo.reused, memo.calls]).toEqual([2, 3]);
    // a point 10% away, another ν, or another tolerance: located anew
    riskTerms(at(nu, 1.1 * m), { ...search, memo });
    riskTerms(at(nu === 2 ? 3 : 2, m), { ...search, memo });
    riskTerms(at(nu, m), { relTol: 1e-8, absTol: 1e-10, memo });
    expect([memo.reused, memo.calls]).toEqual([2, 6]);
  });
});

describe('riskTerms with a subdivision memo off the manifold', () => {
  it('should not carry the manifold’s prepared selection rows to a nearby point off it (b ≠ 0)', () => {
    const softplus = getActivation('softplus');
    const base = { task: maxTask, nu: 2, lengths: lengthLaw([1, 2, 3]), act: softplus };
    const search = { relTol: 1e-7, absTol: 1e-10 };
    const memo = new EvaluationMemo();
    riskTerms({ ...base, overlaps: manifoldOverlaps({ mkk: 2.5, mvv: 1, qkk: 6.25, qvv: 1 }) }, { ...search, memo });
    // k = 2.5k* + 0.008v* + 0.01e3, v = v*: within 1% of the manifold point, but a, b ≠ 0 (α ∝ m_kv*),
    // which T1 sees through P_aψb and P_a (the general rows, not the length polynomial)
    const off = { ...base, overlaps: { mkk: 2.5, mkv: 0.008, mvk: 0, mvv: 1, qkk: 6.25 + 0.008 ** 2 + 1e-4, qvv: 1, qkv: 0.008 } };
    const reused = riskTerms(off, { ...search, memo });
    const fresh = riskTerms(off, search);
    expect(memo.reused).toBe(1);
    expect(Math.abs(reused.T1.value - fresh.T1.value)).toBeLessThanOrEqual(reused.T1.error + fresh.T1.error);
    expect(Math.abs(reused.T2.value - fresh.T2.value)).toBeLessThanOrEqual(reused.T2.error + fresh.T2.error);
  });
});

describe('T1 under argmax selection (ν = ∞) on the manifold: the length polynomial against t1Point', () => {
  // where b ≡ 0 the per-node sum over L is a polynomial in the bulk's Q0, evaluated by Horner for
  // L ≤ _lengthPolynomial.maxLength; with that set to 0 t1Point's powers run instead. Same value to
  // rounding, and the same bound up to rounding
  const softplus = getActivation('softplus');
  const laws = [
    { name: 'L = 2', law: fixedLength(2) },
    { name: 'Unif{1, 2, 3}', law: lengthLaw([1, 2, 3]) },
    { name: '{1, 5, 17, 40} weighted', law: lengthLaw([1, 5, 17, 40], [0.1, 0.2, 0.3, 0.4]) },
  ];
  it.each(laws)('should agree to rounding: $name', ({ law }) => {
    for (const m of [0.5, 3, 8]) {
      const input = { task: maxTask, nu: Infinity, lengths: law, act: softplus, overlaps: manifoldOverlaps({ mkk: m, mvv: 1, qkk: m * m, qvv: 1 }) };
      const horner = riskTerms(input, { relTol: 1e-10, absTol: 1e-13 });
      const before = _lengthPolynomial.maxLength;
      let powers: ReturnType<typeof riskTerms>;
      try {
        _lengthPolynomial.maxLength = 0;
        powers = riskTerms(input, { relTol: 1e-10, absTol: 1e-13 });
      } finally {
        _lengthPolynomial.maxLength = before;
      }
      expect(horner.T1.value).toBeGreaterThan(0.1);
      expect(Math.abs(horner.T1.value - powers.T1.value)).toBeLessThanOrEqual(4e-16);
      // the per-node bound is a difference of two nonnegative sums: regrouped, it moves by rounding of T1's size
      expect(Math.abs(horner.T1.error - powers.T1.error)).toBeLessThanOrEqual(1e-6 * powers.T1.error + 4 * Number.EPSILON * powers.T1.value);
    }
  });
});

describe('the window sums of the softmax-selection rule (WebAssembly SIMD, or the JS loop)', () => {
  // the same T1 from the two implementations of the rule's window sums (src/numerics/window-sums.ts,
  // forced off by SLR_WINDOW_SUMS=js): they add the same products in another order, so they agree to
  // rounding, far inside the bounds; on the manifold (two sums per row) and off it (five)
  const softplus = getActivation('softplus');
  const cases = [
    { name: 'manifold, ν = 2, L = 2', input: { task: maxTask, nu: 2, lengths: fixedLength(2), act: softplus, overlaps: manifoldOverlaps({ mkk: 2.7, mvv: 1, qkk: 7.3, qvv: 1 }) } },
    {
      name: 'full family, ν = 3, L = 3',
      input: { task: maxTask, nu: 3, lengths: fixedLength(3), act: softplus, overlaps: { mkk: 2, mkv: 0.3, mvk: 0.2, mvv: 0.9, qkk: 4.3, qvv: 1, qkv: 0.8 } },
    },
  ];
  it.each(cases)('should agree to rounding: $name', ({ input }) => {
    const before = process.env.SLR_WINDOW_SUMS;
    try {
      const simd = riskTerms(input, { relTol: 1e-7, absTol: 1e-10 });
      process.env.SLR_WINDOW_SUMS = 'js';
      const js = riskTerms(input, { relTol: 1e-7, absTol: 1e-10 });
      expect(Math.abs(simd.T1.value - js.T1.value)).toBeLessThanOrEqual(1e-13);
      expect(simd.T1.value).not.toBe(0);
      expect(simd.T2.value).toBe(js.T2.value);
    } finally {
      if (before === undefined) delete process.env.SLR_WINDOW_SUMS;
      else process.env.SLR_WINDOW_SUMS = before;
    }
  });
});
